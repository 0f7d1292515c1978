using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DockOpt.Engine.History;

/// <summary>
/// An append-only JSON-lines history file. Each append takes an exclusive lock on the file (FileShare.None: an
/// flock(LOCK_EX) on Unix, a share-mode lock on Windows), retried until <see cref="LockTimeout"/>, writes one
/// whole line with one write call and flushes it to disk, so parallel writers (threads or processes) never
/// interleave or lose lines. The file is never truncated or rewritten; a line that cannot be read is skipped
/// with a warning and left as it is.
/// </summary>
public sealed class HistoryStore
{
    /// <summary>Environment variable that turns recording on for every build and comparison.</summary>
    public const string EnvironmentVariable = "DOCKOPT_HISTORY";

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        IgnoreReadOnlyProperties = true,
        PropertyNameCaseInsensitive = true,
        WriteIndented = false,
    };

    public HistoryStore(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new DockOptException(ErrorIds.HistoryPathEmpty, DockOptErrorCategory.InvalidArgument, "The history path is empty.", path,
                "Give -HistoryPath a file path, or set DOCKOPT_HISTORY to one.");
        Path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>Full path of the history file.</summary>
    public string Path { get; }

    /// <summary>Test hook: runs while the append holds the lock, between finding the end and writing (widens races in tests).</summary>
    internal Action? WhileLocked { get; init; }

    /// <summary>How long a writer or reader waits for another one's lock.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The history file to record to: <paramref name="explicitPath"/> when given, else $DOCKOPT_HISTORY, else null (no recording).
    /// Relative paths are resolved against <paramref name="baseDirectory"/> (a cmdlet passes its current location).
    /// </summary>
    public static string? ResolvePath(string? explicitPath, string? baseDirectory = null)
    {
        var p = !string.IsNullOrWhiteSpace(explicitPath) ? explicitPath : Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(p)) return null;
        return System.IO.Path.IsPathRooted(p) || baseDirectory == null ? System.IO.Path.GetFullPath(p) : System.IO.Path.GetFullPath(System.IO.Path.Combine(baseDirectory, p));
    }

    /// <summary>
    /// Records <paramref name="record"/> when <paramref name="path"/> (from <see cref="ResolvePath"/>) is not null: appends
    /// it, says so on the Verbose stream, and reports a failure as a non-terminating error (the build or comparison
    /// itself stands). Returns whether a line was written. Builds call
    /// <c>HistoryStore.Record(historyFile, HistoryRecords.FromBuild(result), sink)</c> after emitting the result.
    /// </summary>
    public static bool Record(string? path, HistoryRecord record, IDockOptSink sink)
    {
        if (path == null) return false;
        try
        {
            new HistoryStore(path).Append(record);
            sink.Verbose($"Recorded the {record.Kind.ToLowerInvariant()} of {record.Image} in {path}.");
            return true;
        }
        catch (DockOptException e)
        {
            sink.Error(e);
            return false;
        }
    }

    /// <summary>Serializes a record as one JSON line (no newline); Source and Line are not stored.</summary>
    public static string Serialize(HistoryRecord record)
    {
        var source = record.Source;
        var line = record.Line;
        record.Source = null;
        record.Line = null;
        try
        {
            return JsonSerializer.Serialize(record, Json);
        }
        finally
        {
            record.Source = source;
            record.Line = line;
        }
    }

    /// <summary>The longest duration a record may carry (30 days): beyond it a value is a corruption, not a build.</summary>
    public const double MaxDurationSeconds = 30 * 24 * 3600;

    /// <summary>
    /// What makes a record unfit for the history, or null: a kind other than Build or Comparison, a duration that is
    /// not finite, negative or beyond <see cref="MaxDurationSeconds"/> (±1e308 would overflow TimeSpan), a negative size.
    /// </summary>
    public static string? Problem(HistoryRecord r)
    {
        if (r.Kind is not (HistoryKind.Build or HistoryKind.Comparison))
            return $"unknown kind '{r.Kind}' (kinds are {HistoryKind.Build} and {HistoryKind.Comparison})";
        foreach (var (name, v) in new[] { ("DurationSeconds", r.DurationSeconds), ("ReferenceDurationSeconds", r.ReferenceDurationSeconds) })
            if (v is { } d && (!double.IsFinite(d) || d < 0 || d > MaxDurationSeconds))
                return $"{name} {d.ToString(System.Globalization.CultureInfo.InvariantCulture)} is not a duration between 0 and {MaxDurationSeconds} s";
        foreach (var (name, v) in new[] { ("ReductionPercent", r.ReductionPercent), ("MonthlySavings", r.MonthlySavings), ("YearlySavings", r.YearlySavings) })
            if (v is { } d && !double.IsFinite(d))
                return $"{name} is not a finite number";
        return null;
    }

    /// <summary>Appends one record as one line, under an exclusive lock, flushed to disk. An unfit record is HistoryRecordInvalid.</summary>
    public void Append(HistoryRecord record)
    {
        if (record == null) throw new ArgumentNullException(nameof(record));
        if (Problem(record) is { } problem)
            throw new DockOptException(ErrorIds.HistoryRecordInvalid, DockOptErrorCategory.InvalidData,
                $"The {record.Kind} record of '{record.Image}' was not added to '{Path}': {problem}.", Path,
                "Kinds are Build and Comparison; durations are finite, not negative and at most 30 days.");
        var bytes = Encoding.UTF8.GetBytes(Serialize(record) + "\n");
        var dir = System.IO.Path.GetDirectoryName(Path);
        try
        {
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw WriteFailed(e);
        }
        using var fs = OpenLocked(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, WriteFailed);
        try
        {
            // A line torn by a crash (no trailing newline) stays its own, unreadable line; ours starts fresh.
            if (fs.Length > 0)
            {
                fs.Seek(-1, SeekOrigin.End);
                if (fs.ReadByte() != '\n')
                {
                    var fixedBytes = new byte[bytes.Length + 1];
                    fixedBytes[0] = (byte)'\n';
                    bytes.CopyTo(fixedBytes, 1);
                    bytes = fixedBytes;
                }
            }
            fs.Seek(0, SeekOrigin.End);
            WhileLocked?.Invoke();
            fs.Write(bytes, 0, bytes.Length);
            fs.Flush(flushToDisk: true);
        }
        catch (IOException e)
        {
            throw WriteFailed(e);
        }
    }

    /// <summary>
    /// Reads the records in file order, streaming. Unreadable lines go to <paramref name="skipped"/> (1-based line number,
    /// reason) and are left in the file. A missing file has no records.
    /// </summary>
    public IEnumerable<HistoryRecord> Read(Action<long, string>? skipped = null)
    {
        if (!File.Exists(Path)) yield break;
        using var fs = OpenLocked(FileMode.Open, FileAccess.Read, FileShare.Read, ReadFailed);
        using var reader = new StreamReader(fs, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
        long n = 0;
        string? line;
        while ((line = reader.ReadLine()) != null)
        {
            n++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            HistoryRecord? r = null;
            string? reason = null;
            try
            {
                r = JsonSerializer.Deserialize<HistoryRecord>(line, Json);
                if (r == null) reason = "not a JSON object";
                else if (string.IsNullOrEmpty(r.Kind) || r.Timestamp == default) reason = "no kind or timestamp";
                else if (Problem(r) is { } p) reason = $"{ErrorIds.HistoryRecordInvalid}: {p}";
            }
            catch (JsonException e)
            {
                reason = e.Message;
            }
            if (reason != null)
            {
                skipped?.Invoke(n, reason);
                continue;
            }
            r!.Timestamp = DateTime.SpecifyKind(r.Timestamp.ToUniversalTime(), DateTimeKind.Utc);
            r.Source = Path;
            r.Line = n;
            yield return r;
        }
    }

    FileStream OpenLocked(FileMode mode, FileAccess access, FileShare share, Func<Exception, DockOptException> fail)
    {
        Dockerfiles.SourceFile.EnsureRegular(Path, "history file"); // a FIFO would block open(2) for ever
        var deadline = DateTime.UtcNow + LockTimeout;
        var delay = 2;
        while (true)
        {
            try
            {
                return new FileStream(Path, mode, access, share, bufferSize: 1, FileOptions.None);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or PathTooLongException)
            {
                throw fail(e);
            }
            catch (IOException e) when (IsReadOnlyFileSystem(e))
            {
                // EROFS is not a lock: waiting cannot help.
                throw new DockOptException(ErrorIds.HistoryReadOnly, DockOptErrorCategory.WriteError,
                    $"The history file '{Path}' is on a read-only file system: {e.Message}", Path,
                    "The filesystem is read-only: give -HistoryPath on a writable filesystem (or remount it read-write).", e);
            }
            catch (IOException e) when (e.HResult is 28 or 122) // ENOSPC, EDQUOT: no lock either
            {
                throw fail(e);
            }
            catch (IOException e)
            {
                // Held by another writer (sharing violation / flock): wait and retry.
                if (DateTime.UtcNow >= deadline)
                    throw new DockOptException(ErrorIds.HistoryLocked, DockOptErrorCategory.ResourceUnavailable,
                        $"The history file '{Path}' stayed locked for {LockTimeout.TotalSeconds:0} s: {e.Message}", Path,
                        "Another process holds the file open exclusively; retry when it has finished.", e);
                Thread.Sleep(Random.Shared.Next(1, delay + 1));
                delay = Math.Min(delay * 2, 50);
            }
        }
    }

    /// <summary>EROFS (errno 30; .NET on Unix puts the raw errno in HResult for errors it has no special type for).</summary>
    static bool IsReadOnlyFileSystem(IOException e) =>
        e.HResult == 30 || e.Message.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase);

    DockOptException WriteFailed(Exception e) => new(ErrorIds.HistoryWriteFailed, DockOptErrorCategory.WriteError,
        $"Cannot append to the history file '{Path}': {e.Message}", Path, "Check that the directory exists and is writable, or give another -HistoryPath.", e);

    DockOptException ReadFailed(Exception e) => new(ErrorIds.HistoryReadFailed, DockOptErrorCategory.ReadError,
        $"Cannot read the history file '{Path}': {e.Message}", Path, "Check the path and its permissions.", e);
}
