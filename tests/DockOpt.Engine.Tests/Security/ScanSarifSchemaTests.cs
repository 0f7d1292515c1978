using System.Text.Json.Nodes;
using DockOpt.Engine.Security;
using Json.Schema;

namespace DockOpt.Engine.Tests.Security;

/// <summary>
/// The scan's SARIF validates against the published SARIF 2.1.0 JSON schema (Security/Schemas/sarif-schema-2.1.0.json, vendored
/// verbatim from oasis-tcs/sarif-spec sarif-2.1/schema/), formats (uri, date-time) included.
/// </summary>
public class ScanSarifSchemaTests
{
    // The vendored file stays byte-identical to the published one. It is draft-04, which the validator does not implement;
    // its keywords (no boolean exclusiveMinimum/Maximum) mean the same under draft 7, so it is read as draft 7 with 'id' as '$id'.
    internal static readonly Lazy<JsonSchema> Schema = new(() =>
    {
        var node = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Security", "Schemas", "sarif-schema-2.1.0.json")))!.AsObject();
        Assert.Equal("http://json-schema.org/draft-04/schema#", (string?)node["$schema"]);
        Assert.DoesNotContain("exclusiveM", node.ToJsonString());
        node["$schema"] = "http://json-schema.org/draft-07/schema#";
        var id = (string)node["id"]!;
        node.Remove("id");
        node["$id"] = id;
        return JsonSchema.FromText(node.ToJsonString());
    });

    internal static EvaluationResults Validate(string json) =>
        Schema.Value.Evaluate(JsonNode.Parse(json), new EvaluationOptions
        {
            OutputFormat = OutputFormat.List, RequireFormatValidation = true, EvaluateAs = SpecVersion.Draft7,
        });

    internal static string Errors(EvaluationResults r) => string.Join("\n", (r.Details ?? Array.Empty<EvaluationResults>())
        .Where(d => d.Errors != null).SelectMany(d => d.Errors!.Select(e => d.InstanceLocation + ": " + e.Value)).Take(20));

    static SecurityReport Report(string image) => new()
    {
        Image = image, ImageId = "sha256:" + new string('a', 64), Outcome = "Failed", Score = 61, Grade = "D",
        Findings = new[]
        {
            new SecurityFinding { Image = image, Kind = "Secret", RuleId = "DOS101", Severity = "Critical", Title = "AWS access key",
                Location = "/app/config/.env:3", Match = "AKIA************MPLE", Status = "Open", Layer = 2, Rationale = "Keys in images leak.", Deduction = 20 },
            new SecurityFinding { Image = image, Kind = "Config", RuleId = "DOC001", Severity = "Medium", Title = "Runs as root",
                Location = "config:User", Status = "Open", Rationale = "A root process owns the container.", Cis = "4.1", Dockle = "CIS-DI-0001" },
            new SecurityFinding { Image = image, Kind = "Config", RuleId = "DOC002", Severity = "Low", Title = "No HEALTHCHECK",
                Location = "config:Healthcheck", Suppressed = true, Rationale = "Orchestrators cannot tell it is healthy." },
        },
        Vulnerabilities = new[]
        {
            new Vulnerability { Image = image, Id = "CVE-2023-4911", Aliases = new[] { "DSA-5514-1" }, Severity = Severity.High, Package = "libc6", PackageType = "deb",
                Purl = "pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?arch=amd64&distro=debian-12", InstalledVersion = "2.36-9+deb12u1", FixedVersion = "2.36-9+deb12u3",
                Layer = 0, IsBaseLayer = true, Source = "OSV", Title = "Looney Tunables" },
            new Vulnerability { Image = image, Id = "GHSA-xxxx-yyyy-zzzz", Severity = Severity.Unknown, Package = "left pad", PackageType = "npm", Layer = 3 },
        },
        Errors = new[] { "The OSV database is 9 days old." },
    };

    [Fact]
    public void ScanSarifValidatesAgainstTheSarif210Schema()
    {
        var sarif = ReportWriters.ToSarif(new[] { Report("app:1"), Report("localhost:5000/team/app@sha256:" + new string('b', 64)) }, "0.1.0");
        var r = Validate(sarif);
        Assert.True(r.IsValid, Errors(r));
        var runs = JsonNode.Parse(sarif)!["runs"]!.AsArray();
        Assert.Equal(2, runs.Count);
        Assert.Equal(5, runs[0]!["results"]!.AsArray().Count);
    }

    [Fact]
    public void FindingsTracedToTheDockerfileAreLocatedAtItsLineWithTheImagePathRelated()
    {
        var report = Report("app:1");
        var dockerfile = Path.Combine(Path.GetTempPath(), "svc a", "Dockerfile");
        report.Findings[0].Dockerfile = dockerfile;
        report.Findings[0].Line = 7;
        report.Vulnerabilities[1].Dockerfile = dockerfile;
        report.Vulnerabilities[1].Line = 4;
        var sarif = ReportWriters.ToSarif(new[] { report }, "0.1.0");
        var r = Validate(sarif);
        Assert.True(r.IsValid, Errors(r));
        var results = JsonNode.Parse(sarif)!["runs"]![0]!["results"]!.AsArray();
        var secret = results.Single(x => (string?)x!["ruleId"] == "DOS101")!;
        var at = secret["locations"]![0]!["physicalLocation"]!;
        Assert.Equal(new Uri(dockerfile).AbsoluteUri, (string?)at["artifactLocation"]!["uri"]);
        Assert.EndsWith("/svc%20a/Dockerfile", (string?)at["artifactLocation"]!["uri"]);
        Assert.Equal(7, (int?)at["region"]!["startLine"]);
        Assert.Equal("app/config/.env", (string?)secret["relatedLocations"]![0]!["physicalLocation"]!["artifactLocation"]!["uri"]);
        var npm = results.Single(x => (string?)x!["ruleId"] == "GHSA-xxxx-yyyy-zzzz")!;
        Assert.Equal(4, (int?)npm["locations"]![0]!["physicalLocation"]!["region"]!["startLine"]);
        // Not traced: the place in the image stays the only location.
        var config = results.Single(x => (string?)x!["ruleId"] == "DOC001")!;
        Assert.Null(config["relatedLocations"]);
        Assert.Null(config["locations"]![0]!["physicalLocation"]!["region"]);
    }

    [Fact]
    public void AnEmptyScanValidatesToo()
    {
        var r = Validate(ReportWriters.ToSarif(new[] { new SecurityReport { Image = "scratch-app", Outcome = "Passed" } }, "0.1.0"));
        Assert.True(r.IsValid, Errors(r));
        Assert.True(Validate(ReportWriters.ToSarif(Array.Empty<SecurityReport>(), "0.1.0")).IsValid);
    }

    [Theory]
    [InlineData("\"level\": \"error\"", "\"level\": \"critical\"")]           // not a SARIF level
    [InlineData("\"version\": \"2.1.0\"", "\"version\": \"2.0\"")]             // wrong version
    [InlineData("\"informationUri\": \"https://", "\"informationUri\": \"docs/x.md#")] // relative where a URI is required
    public void TheValidatorRejectsBrokenSarif(string good, string bad)
    {
        var sarif = ReportWriters.ToSarif(new[] { Report("app:1") }, "0.1.0");
        Assert.Contains(good, sarif);
        Assert.False(Validate(sarif.Replace(good, bad)).IsValid);
    }
}
