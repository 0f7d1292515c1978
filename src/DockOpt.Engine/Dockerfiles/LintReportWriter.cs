using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using DockOpt.Engine.Dockerfiles.Rules;

namespace DockOpt.Engine.Dockerfiles;

/// <summary>Renders findings as SARIF 2.1.0, JSON, Checkstyle, JUnit or GitHub workflow commands.</summary>
public static class LintReportWriter
{
    public static readonly string[] Formats = { "Sarif", "Json", "Checkstyle", "JUnit", "GitHub" };

    public static string Write(string format, IReadOnlyList<LintFinding> findings, IReadOnlyList<string> files) => format.ToLowerInvariant() switch
    {
        "sarif" => Sarif(findings, files),
        "json" => Json(findings),
        "checkstyle" => Checkstyle(findings, files),
        "junit" => JUnit(findings, files),
        "github" => GitHub(findings),
        _ => throw new DockOptException(ErrorIds.LintFormatUnknown, DockOptErrorCategory.InvalidArgument, $"Unknown format '{format}'.", format,
            "Use " + string.Join(", ", Formats) + "."),
    };

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    static string Json(IReadOnlyList<LintFinding> findings) =>
        JsonSerializer.Serialize(findings.Select(f => new
        {
            f.RuleId, f.RuleName, Severity = f.Severity.ToString(), f.Level, f.Message, f.Path, f.Line, f.Column, f.EndLine, f.EndColumn,
            f.Stage, f.Instruction, f.Fix, f.Fixable, f.HelpUri, f.HadolintId, f.BuildCheckId,
        }), Indented);

    /// <summary>SARIF level: High and Critical are errors, Medium warnings, the rest notes.</summary>
    static string Level(Severity s) => s switch { Severity.Critical or Severity.High => "error", Severity.Medium => "warning", _ => "note" };

    static string Uri(string path) => path == "<content>" ? "stdin" : new System.Uri(Path.GetFullPath(path)).AbsoluteUri;

    static string Sarif(IReadOnlyList<LintFinding> findings, IReadOnlyList<string> files)
    {
        var used = findings.Select(f => f.RuleId).Distinct().ToList();
        var rules = used.Select(id => RuleCatalog.Get(id)).ToList();
        var doc = new
        {
            version = "2.1.0",
            schema = "https://json.schemastore.org/sarif-2.1.0.json",
            runs = new[]
            {
                new
                {
                    tool = new
                    {
                        driver = new
                        {
                            name = "DockOpt",
                            rules = rules.Select(r => new
                            {
                                id = r.Id,
                                name = r.Name,
                                shortDescription = new { text = r.Description },
                                helpUri = r.HelpUri,
                                defaultConfiguration = new { level = Level(r.Severity) },
                                properties = new { hadolint = r.Hadolint, buildCheck = r.BuildCheck },
                            }).ToArray(),
                        },
                    },
                    artifacts = files.Select(f => new { location = new { uri = Uri(f) } }).ToArray(),
                    results = findings.Select(f => new
                    {
                        ruleId = f.RuleId,
                        ruleIndex = used.IndexOf(f.RuleId),
                        level = Level(f.Severity),
                        message = new { text = f.Fix.Length > 0 ? f.Message + " Fix: " + f.Fix : f.Message },
                        locations = new[]
                        {
                            new
                            {
                                physicalLocation = new
                                {
                                    artifactLocation = new { uri = Uri(f.Path) },
                                    region = new { startLine = f.Line, startColumn = f.Column, endLine = f.EndLine, endColumn = f.EndColumn },
                                },
                            },
                        },
                        properties = new { severity = f.Severity.ToString(), stage = f.Stage, hadolint = f.HadolintId, buildCheck = f.BuildCheckId },
                    }).ToArray(),
                },
            },
        };
        return JsonSerializer.Serialize(doc, Indented).Replace("\"schema\":", "\"$schema\":");
    }

    static string Checkstyle(IReadOnlyList<LintFinding> findings, IReadOnlyList<string> files)
    {
        var root = new XElement("checkstyle", new XAttribute("version", "4.3"));
        foreach (var file in files.Union(findings.Select(f => f.Path)).Distinct())
            root.Add(new XElement("file", new XAttribute("name", file),
                findings.Where(f => f.Path == file).Select(f => new XElement("error",
                    new XAttribute("line", f.Line), new XAttribute("column", f.Column),
                    new XAttribute("severity", Level(f.Severity) is "note" ? "info" : Level(f.Severity)),
                    new XAttribute("message", f.Message), new XAttribute("source", "DockOpt." + f.RuleId)))));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root).Declaration + "\n" + root;
    }

    /// <summary>
    /// One test suite per file: a passing "lint" test case for a clean file, one failing test case per finding.
    /// The tests/failures/errors/skipped totals of every suite and of the root are those of its test cases.
    /// </summary>
    static string JUnit(IReadOnlyList<LintFinding> findings, IReadOnlyList<string> files)
    {
        var suites = new List<XElement>();
        foreach (var file in files.Union(findings.Select(f => f.Path)).Distinct())
        {
            var fs = findings.Where(f => f.Path == file).ToList();
            var cases = fs.Count == 0
                ? new List<XElement> { new("testcase", new XAttribute("name", "lint"), new XAttribute("classname", file)) }
                : fs.Select(f => new XElement("testcase", new XAttribute("name", $"{f.RuleId} {f.RuleName} (line {f.Line}, column {f.Column})"), new XAttribute("classname", file),
                    new XElement("failure", new XAttribute("message", f.Message), new XAttribute("type", f.Severity.ToString()),
                        $"{f.Path}:{f.Line}:{f.Column} {f.RuleId} {f.Severity}: {f.Message}" + (f.Fix.Length > 0 ? "\nFix: " + f.Fix : "")))).ToList();
            suites.Add(new XElement("testsuite", new XAttribute("name", file), Totals(cases), cases));
        }
        var root = new XElement("testsuites", new XAttribute("name", "DockOpt lint"), Totals(suites.SelectMany(s => s.Elements("testcase")).ToList()), suites);
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + root;
    }

    static XAttribute[] Totals(IReadOnlyCollection<XElement> cases) => new[]
    {
        new XAttribute("tests", cases.Count),
        new XAttribute("failures", cases.Count(c => c.Element("failure") != null)),
        new XAttribute("errors", cases.Count(c => c.Element("error") != null)),
        new XAttribute("skipped", cases.Count(c => c.Element("skipped") != null)),
    };

    static string GitHub(IReadOnlyList<LintFinding> findings)
    {
        var sb = new StringBuilder();
        foreach (var f in findings)
        {
            var cmd = Level(f.Severity) is "note" ? "notice" : Level(f.Severity);
            var file = f.Path == "<content>" ? "" : Path.GetRelativePath(Environment.CurrentDirectory, f.Path).Replace('\\', '/');
            sb.Append("::").Append(cmd).Append(' ')
              .Append("file=").Append(Prop(file))
              .Append(",line=").Append(f.Line).Append(",col=").Append(f.Column)
              .Append(",endLine=").Append(f.EndLine).Append(",endColumn=").Append(f.EndColumn)
              .Append(",title=").Append(Prop($"{f.RuleId} {f.RuleName}"))
              .Append("::").Append(Data(f.Fix.Length > 0 ? f.Message + " Fix: " + f.Fix : f.Message)).Append('\n');
        }
        return sb.ToString();
    }

    static string Data(string s) => s.Replace("%", "%25").Replace("\r", "%0D").Replace("\n", "%0A");
    static string Prop(string s) => Data(s).Replace(":", "%3A").Replace(",", "%2C");
}
