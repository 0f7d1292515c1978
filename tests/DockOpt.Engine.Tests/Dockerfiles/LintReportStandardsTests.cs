using System.Text.Json.Nodes;
using System.Xml.Linq;
using DockOpt.Engine.Dockerfiles;
using Json.Schema;

namespace DockOpt.Engine.Tests.Dockerfiles;

/// <summary>The lint reports in standard formats hold to their standards: SARIF to the OASIS 2.1.0 schema, JUnit totals to its test cases.</summary>
public class LintReportStandardsTests
{
    /// <summary>
    /// The published SARIF 2.1.0 schema (oasis-tcs/sarif-spec, sarif-2.1/schema/sarif-schema-2.1.0.json, vendored verbatim).
    /// It is written in JSON Schema draft-04, which JsonSchema.Net does not read; it uses no keyword whose meaning
    /// changed after draft-04 except the root <c>id</c>, so it is evaluated as draft-07 with <c>id</c> read as <c>$id</c>.
    /// </summary>
    static readonly Lazy<JsonSchema> Sarif = new(() =>
    {
        var node = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Security", "Schemas", "sarif-schema-2.1.0.json")))!.AsObject();
        Assert.Equal("http://json-schema.org/draft-04/schema#", (string?)node["$schema"]);
        node["$schema"] = "http://json-schema.org/draft-07/schema#";
        node["$id"] = (string?)node["id"];
        node.Remove("id");
        return JsonSchema.FromText(node.ToJsonString());
    });

    static EvaluationResults Validate(string json) =>
        Sarif.Value.Evaluate(JsonNode.Parse(json), new EvaluationOptions { OutputFormat = OutputFormat.List });

    static string Errors(EvaluationResults r) => string.Join("\n", (r.Details ?? Array.Empty<EvaluationResults>())
        .Where(d => d.Errors != null).SelectMany(d => d.Errors!.Select(e => d.InstanceLocation + ": " + e.Value)).Take(20));

    /// <summary>Every rule-corpus file that triggers its rule: findings of nearly every rule, with fixes, stages and ONBUILD.</summary>
    static (List<LintFinding> Findings, List<string> Files) CorpusFindings()
    {
        var files = Directory.GetFiles(Path.Combine(CorpusTests.CorpusDir, "rules"), "*.bad*.Dockerfile").Order().ToList();
        var findings = files.SelectMany(f => CorpusTests.LintCorpus(Path.Combine("rules", Path.GetFileName(f))).Findings).ToList();
        return (findings, files);
    }

    [Fact]
    public void LintSarifValidatesAgainstTheSarif210Schema()
    {
        var (findings, files) = CorpusFindings();
        Assert.True(findings.Select(f => f.RuleId).Distinct().Count() >= 70, "the corpus should exercise most rules");
        var sarif = LintReportWriter.Write("Sarif", findings, files);
        var r = Validate(sarif);
        Assert.True(r.IsValid, Errors(r));
        // -Content input (no file) too.
        var content = DockerfileLinter.Lint("FROM debian\nRUN sudo apt-get install curl\n", null, new LintOptions());
        var r2 = Validate(LintReportWriter.Write("Sarif", content.Findings, Array.Empty<string>()));
        Assert.True(r2.IsValid, Errors(r2));
        var rules = JsonNode.Parse(sarif)!["runs"]![0]!["tool"]!["driver"]!["rules"]!.AsArray();
        Assert.All(rules, rule => Assert.StartsWith("https://github.com/", (string?)rule!["helpUri"]));
    }

    [Fact]
    public void SchemaRejectsAResultWithAnUnknownLevel()
    {
        var content = DockerfileLinter.Lint("FROM debian\nRUN sudo true\n", null, new LintOptions());
        var sarif = JsonNode.Parse(LintReportWriter.Write("Sarif", content.Findings, Array.Empty<string>()))!;
        sarif["runs"]![0]!["results"]![0]!["level"] = "fatal";
        Assert.False(Validate(sarif.ToJsonString()).IsValid);
    }

    [Fact]
    public void JUnitTotalsEqualTheTestCases()
    {
        var (findings, files) = CorpusFindings();
        var clean = Path.Combine(CorpusTests.CorpusDir, "rules", "DO2000.good.Dockerfile");
        files.Add(clean); // a file without findings is one passing test case
        var doc = XDocument.Parse(LintReportWriter.Write("JUnit", findings, files));
        var root = doc.Root!;
        foreach (var e in new[] { root }.Concat(root.Elements("testsuite")))
        {
            var cases = e.Descendants("testcase").ToList();
            Assert.Equal(cases.Count, (int)e.Attribute("tests")!);
            Assert.Equal(cases.Count(c => c.Element("failure") != null), (int)e.Attribute("failures")!);
            Assert.Equal(cases.Count(c => c.Element("error") != null), (int)e.Attribute("errors")!);
            Assert.Equal(cases.Count(c => c.Element("skipped") != null), (int)e.Attribute("skipped")!);
        }
        Assert.Equal(findings.Count + 1, (int)root.Attribute("tests")!);
        Assert.Equal(findings.Count, (int)root.Attribute("failures")!);
        var cleanSuite = root.Elements("testsuite").Single(s => (string?)s.Attribute("name") == clean);
        Assert.Equal(("1", "0"), ((string?)cleanSuite.Attribute("tests"), (string?)cleanSuite.Attribute("failures")));
    }
}
