using System.Diagnostics;
using System.Text;
using DockOpt.Engine.History;

namespace DockOpt.Engine.Tests.History;

[Collection(ProcessStateCollection.Name)]
public sealed class HistoryStoreTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "dockopt-history-" + Guid.NewGuid().ToString("n"));

    public HistoryStoreTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    static HistoryRecord Build(string image, long size, double seconds, DateTime at, string? id = null) => new()
    {
        Timestamp = at,
        Kind = HistoryKind.Build,
        Image = image,
        Repository = image.Split(':')[0],
        Tag = image.Split(':')[1],
        ImageId = id ?? "sha256:" + Guid.NewGuid().ToString("n") + Guid.NewGuid().ToString("n"),
        Size = size,
        LayerCount = 3,
        DurationSeconds = seconds,
    };

    [Fact]
    public void AppendThenReadRoundTripsEveryStoredField()
    {
        var path = Path.Combine(_dir, "sub", "history.jsonl"); // the directory is created
        var store = new HistoryStore(path);
        var at = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var r = Build("app:multi", 123_456_789, 12.5, at);
        r.GitCommit = "abc123";
        r.ReferenceImage = "app:single";
        r.ReductionPercent = 88.12;
        store.Append(r);

        var back = store.Read().Single();
        Assert.Equal(at, back.Timestamp);
        Assert.Equal(DateTimeKind.Utc, back.Timestamp.Kind);
        Assert.Equal("app:multi", back.Image);
        Assert.Equal(r.ImageId, back.ImageId);
        Assert.Equal(123_456_789, back.Size);
        Assert.Equal(12.5, back.DurationSeconds);
        Assert.Equal(TimeSpan.FromSeconds(12.5), back.Duration);
        Assert.Equal("abc123", back.GitCommit);
        Assert.Equal(88.12, back.ReductionPercent);
        Assert.Equal(path, back.Source);
        Assert.Equal(1, back.Line);
        var text = File.ReadAllText(path);
        Assert.EndsWith("\n", text);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("\"source\"", text);
        Assert.DoesNotContain("\"duration\"", text); // computed, not stored
    }

    [Fact]
    public async Task ParallelAppendsFromManyTasksLoseNothingAndNeverInterleave()
    {
        var path = Path.Combine(_dir, "parallel.jsonl");
        const int writers = 12, each = 120;
        var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(() =>
        {
            // Separate instances, separate handles; the hook yields between finding the end of the file and writing,
            // so writers that were not excluded by the lock would overwrite each other's lines.
            var store = new HistoryStore(path) { WhileLocked = () => Thread.Sleep(0) };
            start.Wait();
            for (var i = 0; i < each; i++)
            {
                var r = Build($"writer{w}:tag", w * 1_000_000L + i, i, DateTime.UtcNow, $"sha256:{w:x4}{i:x4}");
                r.Dockerfile = new string('x', 2000 + (i % 7) * 500); // long lines make torn writes likely if locking failed
                store.Append(r);
            }
        })).ToArray();
        start.Set();
        await Task.WhenAll(tasks);

        var warnings = new List<string>();
        var records = new HistoryStore(path).Read((n, why) => warnings.Add($"{n}: {why}")).ToList();
        Assert.Empty(warnings);
        Assert.Equal(writers * each, records.Count);
        Assert.Equal(writers * each, records.Select(r => r.ImageId).Distinct().Count());
        for (var w = 0; w < writers; w++)
        {
            var mine = records.Where(r => r.Image == $"writer{w}:tag").Select(r => r.Size).ToList();
            // Each writer's lines are all there and in its own order.
            Assert.Equal(Enumerable.Range(0, each).Select(i => w * 1_000_000L + i), mine);
        }
        Assert.Equal(writers * each, File.ReadAllText(path).Count(c => c == '\n'));
    }

    [Fact]
    public void UnreadableLinesAreSkippedWithTheirLineNumberAndNeverRewritten()
    {
        var path = Path.Combine(_dir, "corrupt.jsonl");
        var store = new HistoryStore(path);
        var at = DateTime.UtcNow;
        store.Append(Build("a:1", 1, 1, at));
        File.AppendAllText(path, "{ this is not json\n\n[1,2,3]\n{\"kind\":\"Build\"}\n");
        store.Append(Build("a:2", 2, 2, at));
        var before = File.ReadAllBytes(path);

        var skipped = new List<long>();
        var records = store.Read((n, _) => skipped.Add(n)).ToList();
        Assert.Equal(new[] { "a:1", "a:2" }, records.Select(r => r.Image));
        Assert.Equal(new long[] { 2, 4, 5 }, skipped); // line 3 is blank (ignored); line 5 has no timestamp
        Assert.Equal(6, records[1].Line);

        store.Append(Build("a:3", 3, 3, at));
        var after = File.ReadAllBytes(path);
        Assert.Equal(before, after.Take(before.Length)); // appends only: the corrupt lines are still there, byte for byte
        Assert.Equal(3, store.Read().Count());
    }

    [Fact]
    public void AppendAfterATornLastLineStartsANewLine()
    {
        var path = Path.Combine(_dir, "torn.jsonl");
        var store = new HistoryStore(path);
        store.Append(Build("a:1", 1, 1, DateTime.UtcNow));
        File.AppendAllText(path, "{\"kind\":\"Build\",\"imag"); // a crash in the middle of a line, no newline
        store.Append(Build("a:2", 2, 2, DateTime.UtcNow));

        var skipped = new List<long>();
        var records = store.Read((n, _) => skipped.Add(n)).ToList();
        Assert.Equal(new[] { "a:1", "a:2" }, records.Select(r => r.Image));
        Assert.Equal(new long[] { 2 }, skipped);
        Assert.Contains("{\"kind\":\"Build\",\"imag\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task AWriterWaitsForAnotherHoldersLockInsteadOfFailing()
    {
        var path = Path.Combine(_dir, "held.jsonl");
        var store = new HistoryStore(path);
        store.Append(Build("a:1", 1, 1, DateTime.UtcNow));
        var holder = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        var sw = Stopwatch.StartNew();
        var append = Task.Run(() => store.Append(Build("a:2", 2, 2, DateTime.UtcNow)));
        await Task.Delay(300);
        Assert.False(append.IsCompleted); // blocked by the lock
        holder.Dispose();
        await append.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(sw.ElapsedMilliseconds >= 300);
        Assert.Equal(2, store.Read().Count());
    }

    [Fact]
    public void AHeldLockEndsInHistoryLockedAfterTheTimeout()
    {
        var path = Path.Combine(_dir, "locked.jsonl");
        File.WriteAllText(path, "");
        using var holder = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        var store = new HistoryStore(path) { LockTimeout = TimeSpan.FromMilliseconds(200) };
        var e = Assert.Throws<DockOptException>(() => store.Append(Build("a:1", 1, 1, DateTime.UtcNow)));
        Assert.Equal("HistoryLocked", e.ErrorId);
        Assert.Equal(DockOptErrorCategory.ResourceUnavailable, e.Category);
        Assert.Equal(0, new FileInfo(path).Length);
    }

    [Fact]
    public void MissingFileReadsAsEmptyAndResolvePathPrefersTheExplicitPath()
    {
        Assert.Empty(new HistoryStore(Path.Combine(_dir, "none.jsonl")).Read());
        var old = Environment.GetEnvironmentVariable(HistoryStore.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(HistoryStore.EnvironmentVariable, null);
            Assert.Null(HistoryStore.ResolvePath(null));
            Environment.SetEnvironmentVariable(HistoryStore.EnvironmentVariable, "rel/h.jsonl");
            Assert.Equal(Path.Combine(_dir, "rel", "h.jsonl"), HistoryStore.ResolvePath(null, _dir));
            Assert.Equal(Path.Combine(_dir, "x.jsonl"), HistoryStore.ResolvePath(Path.Combine(_dir, "x.jsonl"), "/elsewhere"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(HistoryStore.EnvironmentVariable, old);
        }
    }

    sealed class CollectingSink : IDockOptSink
    {
        public readonly List<DockOptException> Errors = new();
        public readonly List<string> Verbose = new();
        public void Output(object item) { }
        void IDockOptSink.Verbose(string message) => Verbose.Add(message);
        public void Debug(string message) { }
        public void Warning(string message) { }
        public void Information(string message, params string[] tags) { }
        public void Progress(DockOptProgress progress) { }
        public void Error(DockOptException error) => Errors.Add(error);
        public bool ShouldProcess(string target, string action) => true;
    }

    [Fact]
    public void RecordWritesOnlyWithAPathAndReportsAFailureAsANonTerminatingError()
    {
        var sink = new CollectingSink();
        Assert.False(HistoryStore.Record(null, Build("a:1", 1, 1, DateTime.UtcNow), sink));
        var path = Path.Combine(_dir, "rec.jsonl");
        Assert.True(HistoryStore.Record(path, Build("a:1", 1, 1, DateTime.UtcNow), sink));
        Assert.Single(new HistoryStore(path).Read());
        Assert.Contains(sink.Verbose, v => v.Contains(path));

        var blocker = Path.Combine(_dir, "file");
        File.WriteAllText(blocker, "x");
        Assert.False(HistoryStore.Record(Path.Combine(blocker, "h.jsonl"), Build("a:1", 1, 1, DateTime.UtcNow), sink));
        var e = Assert.Single(sink.Errors);
        Assert.Equal("HistoryWriteFailed", e.ErrorId);
        Assert.Equal(DockOptErrorCategory.WriteError, e.Category);
        Assert.False(string.IsNullOrEmpty(e.RecommendedAction));
    }
}
