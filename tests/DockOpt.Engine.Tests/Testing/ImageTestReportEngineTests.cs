using System.Diagnostics;
using System.Text.Json;
using DockOpt.Engine.DockerApi;
using DockOpt.Engine.Testing;
using DockOpt.Engine.Tests.Security;

namespace DockOpt.Engine.Tests.Testing;

/// <summary>
/// Test-DockOptImage's JSON and SARIF reports of a real run (dockopt/busybox with checks that pass, fail and are skipped):
/// the SARIF validates against the published SARIF 2.1.0 schema as the scan's and the lint's do (formats included), and
/// the JSON gives back every check's outcome.
/// </summary>
public class ImageTestReportEngineTests
{
    sealed class Sink : IDockOptSink
    {
        public void Output(object item) { }
        public void Verbose(string message) { }
        public void Debug(string message) { }
        public void Warning(string message) { }
        public void Information(string message, params string[] tags) { }
        public void Progress(DockOptProgress progress) { }
        public void Error(DockOptException error) { }
        public bool ShouldProcess(string target, string action) => true;
    }

    static bool HaveBusybox()
    {
        try
        {
            var psi = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "image", "inspect", "--format", "{{.Id}}", "dockopt/busybox:latest" }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }

    const string Spec = """
        metadata:
          nonRoot: true
        files:
          - { path: /bin/busybox, exists: true }
          - { path: /etc/dockopt-not-here, exists: true }
        commands:
          - { name: echo, command: [echo, hi], stdout: [hi], container: separate }
        runtime:
          ready: { log: never-printed, timeout: 3s }
          http:
            - { name: root page, path: /, port: 8080, status: [200] }
        """;

    [SkippableFact]
    public async Task A_real_runs_Sarif_validates_and_its_Json_gives_back_every_outcome()
    {
        Precondition.Require(HaveBusybox(), "needs a Docker engine and dockopt/busybox:latest (build.ps1 Bootstrap)");
        using var engine = await DockerEngine.ConnectAsync(new EngineOptions(), CancellationToken.None);
        var results = new List<ImageTestResult>();
        var tester = new ImageTester(engine, new Sink(), ImageFileSources.Create(engine));
        var summary = await tester.TestAsync("dockopt/busybox:latest", SpecReader.ReadYaml(Spec, "report.yaml"), new ImageTestOptions(), results.Add, CancellationToken.None);
        Assert.Contains(results, r => r.Outcome == ImageTestOutcome.Passed);
        Assert.Contains(results, r => r.Outcome == ImageTestOutcome.Failed);
        Assert.Contains(results, r => r.Outcome == ImageTestOutcome.Skipped);

        var sarif = ImageTestReports.ToSarif(results, new[] { summary }, "1.0.0");
        var eval = ScanSarifSchemaTests.Validate(sarif);
        Assert.True(eval.IsValid, ScanSarifSchemaTests.Errors(eval));
        using (var doc = JsonDocument.Parse(sarif))
        {
            var run = Assert.Single(doc.RootElement.GetProperty("runs").EnumerateArray());
            var kinds = run.GetProperty("results").EnumerateArray().Select(r => (r.GetProperty("kind").GetString(), r.GetProperty("properties").GetProperty("outcome").GetString())).ToList();
            Assert.Equal(results.Select(r => r.Outcome.ToString()), kinds.Select(k => k.Item2));
            Assert.All(kinds, k => Assert.Equal(k.Item2 switch { "Passed" => "pass", "Skipped" => "notApplicable", _ => "fail" }, k.Item1));
        }

        using var json = JsonDocument.Parse(ImageTestReports.ToJson(results, new[] { summary }));
        var image = Assert.Single(json.RootElement.GetProperty("images").EnumerateArray());
        var back = image.GetProperty("checks").EnumerateArray()
            .Select(c => (c.GetProperty("category").GetString(), c.GetProperty("name").GetString(), Enum.Parse<ImageTestOutcome>(c.GetProperty("outcome").GetString()!)))
            .ToList();
        Assert.Equal(results.Select(r => (r.Category, r.Name, r.Outcome)).Select(t => ((string?)t.Category, (string?)t.Name, t.Outcome)), back);
        Assert.Equal(summary.Outcome.ToString(), image.GetProperty("outcome").GetString());
        Assert.Equal(results.Count(r => r.Outcome == ImageTestOutcome.Failed), json.RootElement.GetProperty("failed").GetInt32());
    }
}
