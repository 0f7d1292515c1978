using DockOpt.Engine.Analysis;
using DockOpt.Engine.DockerApi;
using DockOpt.Engine.Tests.Images;

namespace DockOpt.Engine.Tests.Analysis;

/// <summary>Measure-DockOptImage's per-command work: archives analysed, gates evaluated, unreadable inputs counted against the gate.</summary>
public class ImageMeasureServiceTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("dockopt-measure-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    sealed class CollectingSink : IDockOptSink
    {
        public readonly List<DockOptException> Errors = new();
        public void Output(object item) { }
        public void Verbose(string message) { }
        public void Debug(string message) { }
        public void Warning(string message) { }
        public void Information(string message, params string[] tags) { }
        public void Progress(DockOptProgress progress) { }
        public void Error(DockOptException error) { lock (Errors) Errors.Add(error); }
        public bool ShouldProcess(string target, string action) => true;
    }

    static Task<DockerEngine> NoEngine(CancellationToken _) => throw new InvalidOperationException("archives need no engine");

    (string Good, string Missing, string NotATar) Inputs()
    {
        var good = Path.Combine(_dir, "good.tar");
        File.WriteAllBytes(good, TestArchives.DockerSave(new LayerBuilder().File("app/a", new byte[4096]).Build()));
        var notATar = Path.Combine(_dir, "not-a-tar.tar");
        File.WriteAllText(notATar, "this is not an image archive");
        return (good, Path.Combine(_dir, "missing.tar"), notATar);
    }

    [Fact]
    public async Task A_gate_fails_closed_on_archives_that_cannot_be_read_and_names_every_one()
    {
        var (good, missing, notATar) = Inputs();
        var sink = new CollectingSink();
        var emitted = new List<ImageAnalysis>();
        var outcome = await new ImageMeasureService(sink, _ => false).MeasureAsync(new ImageMeasureService.Request
        {
            Archives = new[] { good, missing, notATar },
            Gates = new AnalysisGates { MinimumScore = 0 }, // every readable image passes it
            UseLayerCache = false,
        }, NoEngine, emitted.Add, CancellationToken.None);

        Assert.Single(emitted);
        Assert.Equal(good, emitted[0].Image);
        Assert.Empty(emitted[0].GateViolations);
        Assert.Equal(new[] { missing, notATar }, outcome.NotMeasured);
        Assert.Equal(2, sink.Errors.Count); // each unreadable input is also a non-terminating error
        Assert.True(outcome.GateFailed);
        var e = outcome.GateError()!;
        Assert.Equal(ErrorIds.ImageAnalysisGateFailed, e.ErrorId);
        Assert.Contains(missing, e.Message);
        Assert.Contains(notATar, e.Message);
        Assert.Contains("2 image analysis gate reason(s)", e.Message);
    }

    [Fact]
    public async Task Without_a_gate_unreadable_archives_are_errors_only()
    {
        var (good, missing, _) = Inputs();
        var sink = new CollectingSink();
        var outcome = await new ImageMeasureService(sink, _ => false).MeasureAsync(new ImageMeasureService.Request
        {
            Archives = new[] { good, missing },
            UseLayerCache = false,
        }, NoEngine, _ => { }, CancellationToken.None);

        Assert.Single(outcome.Analyses);
        Assert.Single(sink.Errors);
        Assert.False(outcome.Gated);
        Assert.Null(outcome.GateError());
    }

    [Fact]
    public async Task Unresolved_inputs_count_against_the_gate()
    {
        var outcome = await new ImageMeasureService(new CollectingSink(), _ => false).MeasureAsync(new ImageMeasureService.Request
        {
            Unresolved = new[] { "/nowhere/*.tar" },
            FailOn = Severity.Critical,
        }, NoEngine, _ => { }, CancellationToken.None);
        Assert.True(outcome.GateFailed);
        Assert.Contains("/nowhere/*.tar: could not be measured (not found)", outcome.GateReasons);
    }

    [Fact]
    public void FailOn_counts_recommendations_at_or_above_the_severity_and_never_lets_an_unknown_one_pass()
    {
        var a = new ImageAnalysis
        {
            Image = "app:1",
            Recommendations = new[]
            {
                new Recommendation { Id = "DOA004", Rule = "single-stage-toolchain", Severity = "High" },
                new Recommendation { Id = "DOA007", Rule = "large-files", Severity = "Low" },
                new Recommendation { Id = "DOA099", Rule = "made-up", Severity = "" },
            },
        };
        var reasons = ImageMeasureService.SeverityReasons(a, Severity.Medium).ToList();
        Assert.Equal(2, reasons.Count);
        Assert.Contains(reasons, r => r.Contains("DOA004") && r.Contains("app:1"));
        Assert.Contains(reasons, r => r.Contains("DOA099"));
        Assert.DoesNotContain(reasons, r => r.Contains("DOA007"));
        Assert.Equal(3, ImageMeasureService.SeverityReasons(a, Severity.Low).Count());
    }
}
