using System.Text.Json;
using DockOpt.Engine.Dockerfiles;
using DockOpt.Engine.Dockerfiles.Rules;
using DockOpt.Engine.Dockerfiles.Rules.ShellCheck;
using DockOpt.Engine.Dockerfiles.Shell;
using DockOpt.Engine.Tests.Security.Packages;
using Xunit.Abstractions;

namespace DockOpt.Engine.Tests.Dockerfiles;

/// <summary>
/// Oracle test: every RUN script of the real Dockerfiles under shellcheck-corpus/ and corpus/ is checked by DockOpt's
/// DO6xxx rules and by shellcheck (0.9.0, <c>-f json</c>, <c>-s sh</c> or <c>-s bash</c> after SHELL, the names Docker
/// sets exported on a first line); findings are compared per SC code at the same physical position. Prints the agreement table.
/// </summary>
public class ShellCheckAgreementTests
{
    readonly ITestOutputHelper _out;
    public ShellCheckAgreementTests(ITestOutputHelper output) => _out = output;

    static string TestsDir()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        {
            var t = Path.Combine(d.FullName, "tests", "DockOpt.Engine.Tests", "Dockerfiles");
            if (Directory.Exists(Path.Combine(t, "shellcheck-corpus"))) return t;
        }
        throw new DirectoryNotFoundException("tests/DockOpt.Engine.Tests/Dockerfiles/shellcheck-corpus not found above " + AppContext.BaseDirectory);
    }

    static readonly HashSet<string> Implemented = RuleCatalog.Rules.OfType<ShellCheckRule>().Select(r => r.Info.Hadolint).Append("SC2113").ToHashSet();

    public sealed record Agreement(string Code, int Both, int OnlyDockOpt, int OnlyShellCheck)
    {
        public double Percent => Both + OnlyDockOpt + OnlyShellCheck == 0 ? 100 : 100.0 * Both / (Both + OnlyDockOpt + OnlyShellCheck);
    }

    /// <summary>Runs both tools on every RUN script of the files; per SC code: findings at the same position, and those only one reports.</summary>
    public static (List<Agreement> Table, List<string> Differences, int Scripts, int Unparsed) Compare(IEnumerable<string> files)
    {
        var tmp = Directory.CreateTempSubdirectory("dockopt-sc-");
        try
        {
            var ours = new List<(string Code, string Key)>();
            var scripts = new List<(string File, RunShellScript Run, string Path)>();
            foreach (var file in files)
            {
                var text = File.ReadAllText(file);
                var doc = DockerfileParser.Parse(text);
                var model = new DockerfileModel(doc);
                var ctx = new LintContext(doc, model, new LintOptions(), file);
                foreach (var rule in RuleCatalog.Rules.OfType<ShellCheckRule>()) rule.Check(ctx);
                foreach (var f in ctx.Findings)
                    ours.Add((f.Hadolint ?? f.Rule.Hadolint, $"{Path.GetFileName(file)}:{f.Range.Start.Line}:{f.Range.Start.Column}"));
                foreach (var run in RunShellScripts.Of(ctx))
                {
                    var p = Path.Combine(tmp.FullName, $"{scripts.Count}.{(run.Script.Dialect == ShDialect.Bash ? "bash" : "sh")}");
                    File.WriteAllText(p, ExportLine(ctx, run) + run.Script.Text.Replace('\t', ' ') + "\n");
                    scripts.Add((file, run, p));
                }
            }
            var theirs = new List<(string Code, string Key)>();
            foreach (var dialect in new[] { "sh", "bash" })
            {
                var batch = scripts.Where(s => s.Path.EndsWith("." + dialect)).ToList();
                for (var b = 0; b < batch.Count; b += 200)
                {
                    var part = batch.Skip(b).Take(200).ToList();
                    var (_, json, _) = TestTools.Run("shellcheck", new[] { "-s", dialect, "-f", "json" }.Concat(part.Select(x => x.Path)));
                    foreach (var e in JsonDocument.Parse(json).RootElement.EnumerateArray())
                    {
                        var code = "SC" + e.GetProperty("code").GetInt32();
                        if (!Implemented.Contains(code)) continue;
                        var s = part.First(x => x.Path == e.GetProperty("file").GetString());
                        var script = s.Run.Script;
                        if (e.GetProperty("line").GetInt32() == 1) continue; // the export line
                        var offset = OffsetOf(script.Text, e.GetProperty("line").GetInt32() - 1, e.GetProperty("column").GetInt32());
                        var pos = script.Source.PositionAt(offset);
                        theirs.Add((code, $"{Path.GetFileName(s.File)}:{pos.Line}:{pos.Column}"));
                    }
                }
            }
            var table = new List<Agreement>();
            var diffs = new List<string>();
            foreach (var code in Implemented.OrderBy(c => c, StringComparer.Ordinal))
            {
                var a = ours.Where(o => o.Code == code).Select(o => o.Key).ToList();
                var t = theirs.Where(o => o.Code == code).Select(o => o.Key).ToList();
                var both = 0;
                foreach (var k in a.ToList())
                    if (t.Remove(k)) { a.Remove(k); both++; }
                table.Add(new Agreement(code, both, a.Count, t.Count));
                diffs.AddRange(a.Select(k => $"{code} only DockOpt at {k}"));
                diffs.AddRange(t.Select(k => $"{code} only shellcheck at {k}"));
            }
            return (table, diffs, scripts.Count, scripts.Count(x => x.Run.Script.Failed));
        }
        finally { tmp.Delete(true); }
    }

    /// <summary>
    /// The first line of every script given to shellcheck: <c>export</c> of the names Docker sets for the RUN (its stage's
    /// ENV and ARG, the proxy arguments; for an ONBUILD trigger the ENV only), as hadolint does, so SC2154 and SC2153 see
    /// them as assigned. Without a value: a name exported with a constant would also hide SC2086, which DockOpt reports.
    /// </summary>
    public static string ExportLine(LintContext ctx, RunShellScript run) =>
        "export " + string.Join(' ', ShQueries.DockerVariables(ctx, run).Where(ShQueries.IsVariableName).Order(StringComparer.Ordinal)) + "\n";

    static int OffsetOf(string text, int line, int column)
    {
        var i = 0;
        for (var l = 1; l < line && i < text.Length; l++) i = text.IndexOf('\n', i) is var n && n < 0 ? text.Length : n + 1;
        return Math.Min(i + column - 1, Math.Max(0, text.Length - 1));
    }

    static IEnumerable<string> unparsedFiles(IEnumerable<string> files)
    {
        foreach (var file in files)
        {
            var doc = DockerfileParser.Parse(File.ReadAllText(file));
            var ctx = new LintContext(doc, new DockerfileModel(doc), new LintOptions(), file);
            foreach (var r in RunShellScripts.Of(ctx))
                if (r.Script.Failed) yield return $"{Path.GetFileName(file)}:{r.Run.Range.Start.Line}";
        }
    }

    [RequiresProgramFact("shellcheck")]
    public void AgreesWithShellCheckPerCodeOnRealDockerfiles()
    {
        var dir = TestsDir();
        var files = Directory.GetFiles(Path.Combine(dir, "shellcheck-corpus"), "*Dockerfile")
            .Concat(Directory.GetFiles(Path.Combine(dir, "corpus"), "*Dockerfile", SearchOption.AllDirectories)).OrderBy(f => f, StringComparer.Ordinal).ToList();
        var (table, diffs, scripts, unparsed) = Compare(files);
        _out.WriteLine($"{files.Count} Dockerfiles, {scripts} RUN scripts, {unparsed} not fully parsed");
        foreach (var u in unparsedFiles(files)) _out.WriteLine("not fully parsed: " + u);
        _out.WriteLine("| code | both | only DockOpt | only shellcheck | agreement |");
        foreach (var a in table) _out.WriteLine($"| {a.Code} | {a.Both} | {a.OnlyDockOpt} | {a.OnlyShellCheck} | {a.Percent:0.0} % |");
        int both = table.Sum(a => a.Both), all = table.Sum(a => a.Both + a.OnlyDockOpt + a.OnlyShellCheck);
        _out.WriteLine($"overall: {both}/{all} = {100.0 * both / Math.Max(1, all):0.0} %");
        foreach (var d in diffs) _out.WriteLine(d);
        // every implemented code is exercised by the corpus, and the agreement holds overall and for each code
        Assert.All(table.Where(a => a.Code != "SC2113"), a => Assert.True(a.Both > 0, a.Code + " never reported by both"));
        Assert.True(both >= 0.95 * all, $"agreement {both}/{all} below 95 %");
        Assert.All(table, a => Assert.True(a.Percent >= 95, $"{a.Code}: agreement {a.Percent:0.0} % below 95 %"));
    }
}
