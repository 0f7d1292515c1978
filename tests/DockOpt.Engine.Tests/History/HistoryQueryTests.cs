using DockOpt.Engine.History;

namespace DockOpt.Engine.Tests.History;

public sealed class HistoryQueryTests
{
    static readonly DateTime T0 = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    static HistoryRecord R(string kind, string image, long size, double? seconds, int minutes, string? reference = null) => new()
    {
        Kind = kind,
        Image = image,
        Repository = image.Split(':')[0],
        Tag = image.Split(':')[1],
        ImageId = "sha256:" + (size % 0xffff).ToString("x4") + new string('0', 60),
        Size = size,
        DurationSeconds = seconds,
        Timestamp = T0.AddMinutes(minutes),
        ReferenceImage = reference,
    };

    [Fact]
    public void FiltersByImageTagKindAndSince()
    {
        var records = new[]
        {
            R("Build", "app:single", 1000, 10, 0),
            R("Build", "app:multi", 100, 20, 1),
            R("Comparison", "app:multi", 100, null, 2, reference: "app:single"),
            R("Build", "web:latest", 50, 5, 3),
        };
        string[] Images(HistoryQuery q) => records.Where(q.Matches).Select(r => r.Kind + " " + r.Image).ToArray();

        Assert.Equal(new[] { "Build app:multi", "Comparison app:multi" }, Images(new HistoryQuery { Image = new[] { "app:multi" } }));
        // A comparison matches on its reference image too.
        Assert.Equal(new[] { "Build app:single", "Comparison app:multi" }, Images(new HistoryQuery { Image = new[] { "app:single" } }));
        Assert.Equal(3, Images(new HistoryQuery { Image = new[] { "app" } }).Length); // repository
        Assert.Equal(new[] { "Build web:latest" }, Images(new HistoryQuery { Image = new[] { "web" } }));
        Assert.Equal(new[] { "Build app:single", "Build app:multi" }, Images(new HistoryQuery { Image = new[] { "app*" }, Kind = new[] { "build" } }));
        Assert.Equal(new[] { "Build app:multi", "Comparison app:multi" }, Images(new HistoryQuery { Tag = new[] { "mul*" } }));
        Assert.Equal(new[] { "Comparison app:multi", "Build web:latest" }, Images(new HistoryQuery { Since = T0.AddMinutes(2) }));
        Assert.Equal(new[] { "Build web:latest" }, Images(new HistoryQuery { Image = new[] { records[3].ImageId.Substring(7, 8) } }));
        Assert.Empty(Images(new HistoryQuery { Image = new[] { "nothing" } }));
    }

    [Fact]
    public void SummaryPerImageAndKindHasStatisticsAndTheLastChange()
    {
        var records = new[]
        {
            R("Build", "app:multi", 300, 30, 5),
            R("Build", "app:single", 1000, 100, 0),
            R("Build", "app:multi", 100, 10, 1),     // out of order in the file: sorted by time
            R("Build", "app:multi", 200, null, 3),   // no duration
            R("Comparison", "app:multi", 300, null, 6, reference: "app:single"),
        };
        var s = HistoryQuery.Summarize(records);
        Assert.Equal(3, s.Count);
        var multi = s.Single(x => x.Image == "app:multi" && x.Kind == "Build");
        Assert.Equal(3, multi.Count);
        Assert.Equal(T0.AddMinutes(1), multi.First);
        Assert.Equal(T0.AddMinutes(5), multi.Last);
        Assert.Equal(100, multi.MinSize);
        Assert.Equal(300, multi.MaxSize);
        Assert.Equal(200, multi.MeanSize);
        Assert.Equal(300, multi.LastSize);
        Assert.Equal(200, multi.PreviousSize);
        Assert.Equal(100, multi.SizeChange);
        Assert.Equal(50.0, multi.SizeChangePercent);
        Assert.Equal(2, multi.DurationCount);
        Assert.Equal(10, multi.MinDurationSeconds);
        Assert.Equal(30, multi.MaxDurationSeconds);
        Assert.Equal(20, multi.MeanDurationSeconds);
        Assert.Equal(TimeSpan.FromSeconds(20), multi.MeanDuration);
        Assert.Equal(30, multi.LastDurationSeconds);
        Assert.Equal(20, multi.DurationChangeSeconds);

        var single = s.Single(x => x.Image == "app:single");
        Assert.Equal(1, single.Count);
        Assert.Null(single.PreviousSize);
        Assert.Null(single.SizeChange);
        Assert.Null(single.SizeChangePercent);
        Assert.Null(single.PreviousDurationSeconds);
        Assert.Null(single.DurationChangeSeconds);
        Assert.Equal(1, s.Count(x => x.Kind == "Comparison"));
    }

    [Fact]
    public void FromBuildAndFromComparisonCarryTheHeadlineNumbers()
    {
        var b = new BuildResult
        {
            ImageId = "sha256:" + new string('a', 64), Tags = new[] { "registry:5000/team/app:1.2" }, Size = 42, LayerCount = 4,
            Duration = TimeSpan.FromSeconds(3.25), StartedAt = T0, StepCount = 7, CacheHits = 5, CacheMisses = 2,
            GitCommit = "deadbeef", Dockerfile = "/src/Dockerfile", BuildArgNames = new[] { "SECRET" },
            GitBranch = "main", ContextPath = "/src", Target = "runtime", ContextBytes = 1234, Engine = "24.0.7",
        };
        var h = HistoryRecords.FromBuild(b);
        Assert.Equal(("Build", "registry:5000/team/app:1.2", "registry:5000/team/app", "1.2"), (h.Kind, h.Image, h.Repository, h.Tag));
        Assert.Equal((42L, 4, 3.25, T0, 7, 5, 2), (h.Size, h.LayerCount, h.DurationSeconds!.Value, h.Timestamp, h.StepCount!.Value, h.CacheHits!.Value, h.CacheMisses!.Value));
        Assert.Equal("deadbeef", h.GitCommit);
        Assert.Equal((b.ImageId, "main", "/src/Dockerfile", "/src", "runtime", 1234L, "24.0.7", Environment.MachineName),
            (h.ImageId, h.GitBranch, h.Dockerfile, h.ContextPath, h.Target, h.ContextBytes!.Value, h.Engine, h.Host));
        Assert.Null(h.ReferenceImage);
        var latest = HistoryRecords.FromBuild(new BuildResult { ImageId = b.ImageId, Tags = new[] { "localhost:5000/app" }, StartedAt = T0 });
        Assert.Equal(("localhost:5000/app", "latest"), (latest.Repository, latest.Tag));
        var pinned = HistoryRecords.FromBuild(new BuildResult { ImageId = b.ImageId, Tags = new[] { "app:2@sha256:" + new string('c', 64) }, StartedAt = T0 });
        Assert.Equal(("app", "2"), (pinned.Repository, pinned.Tag));
        Assert.DoesNotContain("SECRET", HistoryStore.Serialize(h));

        var untagged = HistoryRecords.FromBuild(new BuildResult { ImageId = "sha256:" + new string('b', 64), StartedAt = T0 });
        Assert.Equal(untagged.ImageId, untagged.Image);
        Assert.Null(untagged.Repository);
        Assert.Null(untagged.Tag);

        var c = new ImageComparison
        {
            ReferenceImage = "app:single", DifferenceImage = "app:multi", ReferenceSize = 1000, DifferenceSize = 100,
            DifferenceBuildDuration = TimeSpan.FromSeconds(2), ComparedAt = T0, MonthlySavings = 1.5, YearlySavings = 18,
            ReferenceImageId = "sha256:" + new string('d', 64), DifferenceImageId = "sha256:" + new string('e', 64), DifferenceLayerCount = 3,
            ReferenceBuildDuration = TimeSpan.FromSeconds(9.5), Engine = "24.0.7",
        };
        var hc = HistoryRecords.FromComparison(c);
        Assert.Equal(("Comparison", "app:multi", "multi", 100L, 1000L, 900L, 90.0, 2.0), (hc.Kind, hc.Image, hc.Tag, hc.Size, hc.ReferenceSize!.Value, hc.SizeReduction!.Value, hc.ReductionPercent!.Value, hc.DurationSeconds!.Value));
        Assert.Equal(("app", "app:single", c.ReferenceImageId, c.DifferenceImageId, 3, 9.5, 1.5, 18.0, T0, "24.0.7"),
            (hc.Repository, hc.ReferenceImage, hc.ReferenceImageId, hc.ImageId, hc.LayerCount, hc.ReferenceDurationSeconds!.Value,
             hc.MonthlySavings!.Value, hc.YearlySavings!.Value, hc.Timestamp, hc.Engine));
        Assert.Null(hc.StepCount);
    }
}
