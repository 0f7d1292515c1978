using DockOpt.Engine.History;

namespace DockOpt.Engine.Tests.History;

/// <summary>Issue 18 item 9: the history holds only Build and Comparison records with durations a build can have.</summary>
public sealed class HistoryValidationTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "dockopt-h12-history-" + Guid.NewGuid().ToString("n"));

    public HistoryValidationTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static HistoryRecord Record(string kind, double? seconds) => new()
    {
        Timestamp = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), Kind = kind, Image = "app:1", Size = 10, DurationSeconds = seconds,
    };

    [Theory]
    [InlineData("Deploy", 1.0)]
    [InlineData("build ", 1.0)]
    [InlineData("Build", 1e308)]
    [InlineData("Build", -1e308)]
    [InlineData("Build", -0.5)]
    [InlineData("Build", double.NaN)]
    [InlineData("Comparison", double.PositiveInfinity)]
    public void Append_RefusesWithHistoryRecordInvalid_AndWritesNothing(string kind, double seconds)
    {
        var path = Path.Combine(_dir, "h.jsonl");
        var ex = Assert.Throws<DockOptException>(() => new HistoryStore(path).Append(Record(kind, seconds)));
        Assert.Equal(ErrorIds.HistoryRecordInvalid, ex.ErrorId);
        Assert.NotNull(ex.RecommendedAction);
        Assert.False(File.Exists(path) && new FileInfo(path).Length > 0);
    }

    [Fact]
    public void Append_AcceptsBothKindsAndARealDuration()
    {
        var path = Path.Combine(_dir, "h.jsonl");
        var store = new HistoryStore(path);
        store.Append(Record(HistoryKind.Build, 12.5));
        store.Append(Record(HistoryKind.Comparison, null));
        Assert.Equal(2, store.Read().Count());
    }

    [Fact]
    public void Read_SkipsHandEditedUnfitLines_NamingTheErrorId()
    {
        var path = Path.Combine(_dir, "h.jsonl");
        File.WriteAllLines(path, new[]
        {
            "{\"Timestamp\":\"2026-01-02T03:04:05Z\",\"Kind\":\"Build\",\"Image\":\"app:1\",\"Size\":1,\"DurationSeconds\":3}",
            "{\"Timestamp\":\"2026-01-02T03:04:05Z\",\"Kind\":\"Bogus\",\"Image\":\"app:1\",\"Size\":1}",
            "{\"Timestamp\":\"2026-01-02T03:04:05Z\",\"Kind\":\"Build\",\"Image\":\"app:1\",\"Size\":1,\"DurationSeconds\":1e308}",
            "{\"Timestamp\":\"2026-01-02T03:04:05Z\",\"Kind\":\"Build\",\"Image\":\"app:1\",\"Size\":1,\"DurationSeconds\":-1e308}",
        });
        var skipped = new List<(long Line, string Reason)>();
        var records = new HistoryStore(path).Read((n, why) => skipped.Add((n, why))).ToList();
        Assert.Single(records);
        Assert.Equal(TimeSpan.FromSeconds(3), records[0].Duration);
        Assert.Equal(new long[] { 2, 3, 4 }, skipped.Select(s => s.Line));
        Assert.All(skipped, s => Assert.StartsWith(ErrorIds.HistoryRecordInvalid, s.Reason));
        Assert.Contains("unknown kind 'Bogus'", skipped[0].Reason);
    }
}
