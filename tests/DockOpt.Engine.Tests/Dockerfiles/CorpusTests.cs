using System.Text.RegularExpressions;
using DockOpt.Engine.Dockerfiles;
using DockOpt.Engine.Dockerfiles.Rules;

namespace DockOpt.Engine.Tests.Dockerfiles;

/// <summary>
/// Corpus-driven proof: every syntax form parses without a parse finding; every rule has a Dockerfile that triggers it
/// (at the positions written in '# expect-at: L:C-EL:EC' comments) and one that must not.
/// </summary>
public class CorpusTests
{
    /// <summary>The corpus in the source tree (found upward from the test binaries; no copy step in the csproj).</summary>
    internal static string CorpusDir { get; } = FindCorpus();

    static string FindCorpus()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        {
            var c = Path.Combine(d.FullName, "Dockerfiles", "corpus");
            if (File.Exists(Path.Combine(d.FullName, "DockOpt.Engine.Tests.csproj")) && Directory.Exists(c)) return c;
            var t = Path.Combine(d.FullName, "tests", "DockOpt.Engine.Tests", "Dockerfiles", "corpus");
            if (Directory.Exists(t)) return t;
        }
        throw new DirectoryNotFoundException("tests/DockOpt.Engine.Tests/Dockerfiles/corpus not found above " + AppContext.BaseDirectory);
    }

    public static IEnumerable<object[]> SyntaxFiles() =>
        Directory.GetFiles(Path.Combine(CorpusDir, "syntax"), "*.Dockerfile").Order().Select(f => new object[] { Path.GetFileName(f) });

    public static IEnumerable<object[]> RuleFiles() =>
        Directory.GetFiles(Path.Combine(CorpusDir, "rules"), "*.Dockerfile").Order().Select(f => new object[] { Path.GetFileName(f) });

    internal static DockerfileLintResult LintCorpus(string relative, Action<LintOptions>? configure = null)
    {
        var path = Path.Combine(CorpusDir, relative);
        var options = new LintOptions();
        var yml = Path.ChangeExtension(path, ".yml");
        if (File.Exists(yml)) LintConfigLoader.Load(yml, options);
        configure?.Invoke(options);
        return DockerfileLinter.Lint(File.ReadAllText(path), path, options);
    }

    [Theory]
    [MemberData(nameof(SyntaxFiles))]
    public void ValidSyntaxProducesNoParseFinding(string file)
    {
        var r = LintCorpus(Path.Combine("syntax", file));
        var parse = r.Findings.Where(f => f.RuleId.StartsWith("DO1", StringComparison.Ordinal)).ToList();
        Assert.True(parse.Count == 0, string.Join("\n", parse));
        Assert.NotEmpty(r.Document.Instructions);
        Assert.All(r.Document.Instructions, i => Assert.True(i.IsKnown, i.ToString()));
    }

    [Theory]
    [MemberData(nameof(RuleFiles))]
    public void RuleCorpus(string file)
    {
        var rule = file.Split('.')[0];
        var bad = file.Split('.')[1] == "bad";
        var r = LintCorpus(Path.Combine("rules", file));
        var hits = r.Findings.Where(f => f.RuleId == rule).ToList();
        if (!bad)
        {
            Assert.True(hits.Count == 0, $"{rule} must not fire on {file}:\n" + string.Join("\n", hits));
            return;
        }
        Assert.True(hits.Count > 0, $"{rule} must fire on {file}; got:\n" + string.Join("\n", r.Findings));
        var text = File.ReadAllText(Path.Combine(CorpusDir, "rules", file));
        foreach (Match m in Regex.Matches(text, @"# expect-at: (\d+):(\d+)-(\d+):(\d+)"))
        {
            var (l, c, el, ec) = (int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value), int.Parse(m.Groups[4].Value));
            Assert.True(hits.Any(h => h.Line == l && h.Column == c && h.EndLine == el && h.EndColumn == ec),
                $"{rule}: expected a finding at {l}:{c}-{el}:{ec}; got " + string.Join("; ", hits.Select(h => $"{h.Line}:{h.Column}-{h.EndLine}:{h.EndColumn}")));
        }
    }

    [Fact]
    public void EveryRuleHasATriggeringAndANonTriggeringDockerfile()
    {
        var files = Directory.GetFiles(Path.Combine(CorpusDir, "rules")).Select(Path.GetFileName).ToHashSet();
        var covered = new HashSet<string> { "DO1012", "DO4006", "DO4010" }; // -Target and .dockerignore need parameters/a directory: DockerfileRuleTests
        var missing = RuleCatalog.All.Where(r => !covered.Contains(r.Id)
            && (!files.Contains(r.Id + ".bad.Dockerfile") || !files.Contains(r.Id + ".good.Dockerfile"))).Select(r => r.Id).ToList();
        Assert.True(missing.Count == 0, "No corpus for: " + string.Join(", ", missing));
    }
}
