using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.DockerApi;

/// <summary>
/// Time limits on engine requests. A request that is not long-running by nature (inspect, list, tag, create, delete…)
/// must be answered, and each read of its body must progress, within <see cref="EngineOptions.RequestTimeout"/>.
/// A long-running one (build, push, pull, load, export, logs, attach, wait, stats, events, exec start) may take as
/// long as it likes while it progresses, but fails when no byte moves for <see cref="EngineOptions.IdleTimeout"/>.
/// Defaults 2 min and 10 min; DOCKOPT_ENGINE_TIMEOUT and DOCKOPT_ENGINE_IDLE_TIMEOUT take a duration (30s, 2m, 1h30m, seconds).
/// </summary>
public static class EngineTimeouts
{
    public const string RequestVariable = "DOCKOPT_ENGINE_TIMEOUT";
    public const string IdleVariable = "DOCKOPT_ENGINE_IDLE_TIMEOUT";
    public static readonly TimeSpan DefaultRequest = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan DefaultIdle = TimeSpan.FromMinutes(10);

    static readonly Regex LongRunning = new(
        @"^(/v[0-9.]+)?/(build|session|grpc|events|images/create|images/load|images/get|images/[^?]+/(push|get)|containers/[^/?]+/(logs|attach|wait|stats|archive|export)|exec/[^/?]+/start|commit)(\?|/|$)",
        RegexOptions.Compiled | RegexOptions.CultureInvariant);

    /// <summary>Whether a request path is long-running by nature (idle timeout) rather than bounded (request timeout).</summary>
    public static bool IsLongRunning(string pathAndQuery) => LongRunning.IsMatch(pathAndQuery);

    /// <summary>The timeout from an environment variable, or the default; a value that is no duration is EngineTimeoutInvalid.</summary>
    public static TimeSpan FromEnvironment(string variable, TimeSpan fallback, Func<string, string?>? env = null)
    {
        var text = (env ?? Environment.GetEnvironmentVariable)(variable);
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        if (TryParseDuration(text, out var d) && d > TimeSpan.Zero) return d;
        throw new DockOptException(ErrorIds.EngineTimeoutInvalid, DockOptErrorCategory.InvalidArgument,
            $"{variable}='{text}' is not a duration greater than 0.", variable,
            "Give a duration such as 30s, 2m, 1h30m or a number of seconds.");
    }

    static readonly Regex Units = new(@"^\s*(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+(?:\.\d+)?)m(?!s))?\s*(?:(\d+(?:\.\d+)?)s)?\s*(?:(\d+(?:\.\d+)?)ms)?\s*$",
        RegexOptions.Compiled | RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    /// <summary>The duration convention: <c>30s</c>, <c>2m</c>, <c>1h30m</c>, <c>500ms</c>, a number of seconds or a TimeSpan (<c>00:01:30</c>).</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            if (!double.IsFinite(seconds) || seconds < 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2) return false;
            value = TimeSpan.FromSeconds(seconds);
            return true;
        }
        var m = Units.Match(text);
        if (m.Success && (m.Groups[1].Success || m.Groups[2].Success || m.Groups[3].Success || m.Groups[4].Success))
        {
            double G(int i) => m.Groups[i].Success ? double.Parse(m.Groups[i].Value, CultureInfo.InvariantCulture) : 0;
            value = TimeSpan.FromHours(G(1)) + TimeSpan.FromMinutes(G(2)) + TimeSpan.FromSeconds(G(3)) + TimeSpan.FromMilliseconds(G(4));
            return true;
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
    }

    internal static DockOptException Timeout(EngineEndpoint ep, string what, TimeSpan limit, bool idle) =>
        new(ErrorIds.EngineTimeout, DockOptErrorCategory.OperationTimeout,
            idle
                ? $"The Docker engine at {ep} sent nothing for {Describe(limit)} during {what}."
                : $"The Docker engine at {ep} did not answer {what} within {Describe(limit)}.",
            ep.ToString(),
            $"The engine is stalled or overloaded: check 'docker info'. Raise the limit with {(idle ? IdleVariable : RequestVariable)} (for example '5m').");

    internal static DockOptException ConnectionLost(EngineEndpoint ep, string what, Exception inner) =>
        new(ErrorIds.EngineConnectionLost, DockOptErrorCategory.ConnectionError,
            $"The connection to the Docker engine at {ep} broke during {what}: {inner.Message}", ep.ToString(),
            "The engine stopped or restarted during the command: check 'systemctl status docker' and the engine's log, then run the command again.", inner);

    static string Describe(TimeSpan t) => t.TotalSeconds < 120 ? $"{t.TotalSeconds:0.#} s" : $"{t.TotalMinutes:0.#} min";

    /// <summary>Strips the query for messages: <c>GET /images/x/json</c>.</summary>
    internal static string What(HttpMethod method, string path)
    {
        var q = path.IndexOf('?');
        return $"{method} {(q < 0 ? path : path.Substring(0, q))}";
    }
}

/// <summary>
/// A response body whose every read must progress within a limit; a read that waits longer fails with EngineTimeout,
/// a connection that breaks mid-body with EngineConnectionLost (never HttpIOException / IOException).
/// </summary>
sealed class WatchedStream : Stream
{
    readonly Stream _inner;
    readonly TimeSpan _limit;
    readonly Func<DockOptException> _timeout;
    readonly Func<Exception, DockOptException> _lost;

    public WatchedStream(Stream inner, TimeSpan limit, Func<DockOptException> timeout, Func<Exception, DockOptException> lost)
    {
        _inner = inner;
        _limit = limit;
        _timeout = timeout;
        _lost = lost;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(_limit);
        try
        {
            return await _inner.ReadAsync(buffer, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw _timeout();
        }
        catch (Exception e) when (!ct.IsCancellationRequested && (e is IOException or HttpRequestException or ObjectDisposedException))
        {
            throw _lost(e);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>The response body handed to callers: the engine's stream behind a <see cref="WatchedStream"/>.</summary>
sealed class WatchedContent : HttpContent
{
    readonly HttpContent _inner;
    readonly Func<Stream, Stream> _wrap;

    public WatchedContent(HttpContent inner, Func<Stream, Stream> wrap)
    {
        _inner = inner;
        _wrap = wrap;
        foreach (var h in inner.Headers) Headers.TryAddWithoutValidation(h.Key, h.Value);
    }

    protected override async Task<Stream> CreateContentReadStreamAsync() => _wrap(await _inner.ReadAsStreamAsync().ConfigureAwait(false));

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken ct) =>
        _wrap(await _inner.ReadAsStreamAsync(ct).ConfigureAwait(false));

    protected override Stream CreateContentReadStream(CancellationToken ct) => _wrap(_inner.ReadAsStream(ct));

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken ct)
    {
        await using var s = await CreateContentReadStreamAsync(ct).ConfigureAwait(false);
        await s.CopyToAsync(stream, ct).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _inner.Headers.ContentLength ?? -1;
        return length >= 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>A request body whose every write to the connection reports progress (restarting an idle clock).</summary>
sealed class ProgressContent : HttpContent
{
    readonly HttpContent _inner;
    readonly Action _progress;

    public ProgressContent(HttpContent inner, Action progress)
    {
        _inner = inner;
        _progress = progress;
        foreach (var h in inner.Headers) Headers.TryAddWithoutValidation(h.Key, h.Value);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken ct) =>
        _inner.CopyToAsync(new ProgressStream(stream, _progress), context, ct);

    protected override bool TryComputeLength(out long length)
    {
        length = _inner.Headers.ContentLength ?? -1;
        return length >= 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }

    sealed class ProgressStream : Stream
    {
        readonly Stream _inner;
        readonly Action _progress;
        public ProgressStream(Stream inner, Action progress) { _inner = inner; _progress = progress; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => _inner.Flush();
        public override Task FlushAsync(CancellationToken ct) => _inner.FlushAsync(ct);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) { _inner.Write(buffer, offset, count); _progress(); }
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            await _inner.WriteAsync(buffer, ct).ConfigureAwait(false);
            _progress();
        }
    }
}
