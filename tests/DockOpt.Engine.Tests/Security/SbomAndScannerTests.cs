using System.Diagnostics;
using System.Text.Json.Nodes;
using DockOpt.Engine.DockerApi;
using DockOpt.Engine.Images;
using DockOpt.Engine.Security;
using Json.Schema;

namespace DockOpt.Engine.Tests.Security;

/// <summary>Scans real local images (needs Docker and the dockopt/* bases) and validates the SBOM against the CycloneDX 1.6 schema.</summary>
public class SbomAndScannerTests
{
    static string? Docker(params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var o = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? o : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }

    static readonly Lazy<JsonSchema> Schema = new(() =>
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "Security", "Schemas");
        foreach (var f in new[] { "spdx.schema.json", "jsf-0.82.schema.json" })
            SchemaRegistry.Global.Register(JsonSchema.FromFile(Path.Combine(dir, f)));
        var s = JsonSchema.FromFile(Path.Combine(dir, "bom-1.6.schema.json"));
        SchemaRegistry.Global.Register(s);
        return s;
    });

    static EvaluationResults Validate(string json) =>
        Schema.Value.Evaluate(JsonNode.Parse(json), new EvaluationOptions { OutputFormat = OutputFormat.List });

    static string Errors(EvaluationResults r) => string.Join("\n", (r.Details ?? Array.Empty<EvaluationResults>())
        .Where(d => d.Errors != null).SelectMany(d => d.Errors!.Select(e => d.InstanceLocation + ": " + e.Value)).Take(20));

    [Fact]
    public void Schema_rejects_an_invalid_bom()
    {
        // The validator really validates: a wrong specVersion type and an unknown component type fail.
        var bad = """{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"gadget","name":"x"}]}""";
        Assert.False(Validate(bad).IsValid);
        Assert.True(Validate("""{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"x"}]}""").IsValid);
    }

    [SkippableFact]
    public async Task Debian_slim_sbom_is_valid_deterministic_and_counts_match_dpkg_query()
    {
        const string image = "dockopt/debian:bookworm-slim";
        var expected = Docker("run", "--rm", image, "dpkg-query", "-W");
        Precondition.Require(expected != null, $"needs a Docker engine and {image} (Bootstrap pulls it)");
        using var engine = await DockerEngine.ConnectAsync(new EngineOptions(), CancellationToken.None);
        var result = await ImageScanner.ScanAsync(ImageSource.FromEngine(engine, image), image, new ImageScanOptions(), NullSink.Instance, CancellationToken.None);

        var dpkg = expected!.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToDictionary(f => f[0], f => f[1]);
        var debs = result.Packages.Where(p => p.Type == "deb").ToList();
        Assert.Equal(dpkg.Count, debs.Count);
        foreach (var p in debs)
        {
            var key = dpkg.ContainsKey(p.Name) ? p.Name : p.Name + ":" + p.Architecture;
            Assert.Equal(dpkg[key], p.Version);
        }
        Assert.Equal("debian", result.OsId);
        Assert.StartsWith("12", result.OsVersionId);
        Assert.All(debs, p => Assert.StartsWith($"pkg:deb/debian/{PackageUrl.Encode(p.Name, false)}@", p.Purl));
        Assert.All(debs, p => Assert.Equal("Debian:12", p.Ecosystem));

        var sbom1 = ReportWriters.ToCycloneDx(result, "0.1.0");
        var r = Validate(sbom1);
        Assert.True(r.IsValid, Errors(r));
        var again = await ImageScanner.ScanAsync(ImageSource.FromEngine(engine, image), image, new ImageScanOptions(), NullSink.Instance, CancellationToken.None);
        Assert.Equal(sbom1, ReportWriters.ToCycloneDx(again, "0.1.0"));    // byte-identical: no timestamp, stable serial and order
        var bom = JsonNode.Parse(sbom1)!;
        Assert.Equal(debs.Count + 1, bom["components"]!.AsArray().Count); // + the operating-system component
        var purls = bom["components"]!.AsArray().Skip(1).Select(c => (string)c!["purl"]!).ToList();
        Assert.Equal(purls.OrderBy(x => x, StringComparer.Ordinal), purls);
        Assert.Null(bom["metadata"]!["timestamp"]);
        var withTime = ReportWriters.ToCycloneDx(result, "0.1.0", new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        Assert.True(Validate(withTime).IsValid);
        Assert.Equal("2026-01-02T03:04:05Z", (string)JsonNode.Parse(withTime)!["metadata"]!["timestamp"]!);
    }

    [SkippableFact]
    public async Task Python_slim_lists_dpkg_and_python_packages_by_layer()
    {
        const string image = "dockopt/python:3.11-slim";
        var expected = Docker("run", "--rm", image, "dpkg-query", "-W");
        Precondition.Require(expected != null, $"needs a Docker engine and {image} (Bootstrap pulls it)");
        var pyList = Docker("run", "--rm", image, "python3", "-c",
            "import importlib.metadata as m; print('\\n'.join(sorted({d.metadata['Name'].lower()+'=='+d.version for d in m.distributions()})))");
        using var engine = await DockerEngine.ConnectAsync(new EngineOptions(), CancellationToken.None);
        var result = await ImageScanner.ScanAsync(ImageSource.FromEngine(engine, image), image, new ImageScanOptions { Secrets = false, Config = false }, NullSink.Instance, CancellationToken.None);
        Assert.Equal(expected!.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, result.Packages.Count(p => p.Type == "deb"));
        var diffIds = Docker("image", "inspect", image, "--format", "{{join .RootFS.Layers \",\"}}")!.Trim().Split(',');
        Assert.All(result.Packages, p => Assert.Equal(diffIds[p.Layer], p.LayerDiffId));
        if (pyList != null)
        {
            // every distribution python itself sees (site-packages of the interpreter) is in the inventory
            var ours = result.Packages.Where(p => p.Type == "pypi").Select(p => p.Name.ToLowerInvariant() + "==" + p.Version).ToHashSet();
            foreach (var d in pyList.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                Assert.Contains(d.Trim(), ours);
        }
    }
}
