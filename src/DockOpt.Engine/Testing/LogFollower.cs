using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.Testing;

/// <summary>
/// Follows a container's log (one <c>follow=1</c> stream, read once from its start) and matches a readiness pattern
/// against a bounded window: each chunk is matched together with the last <see cref="WindowChars"/> characters before
/// it, so a line split across chunks still matches, and memory stays the same however much the container prints.
/// </summary>
internal sealed class LogFollower : IAsyncDisposable
{
    /// <summary>Characters of earlier output kept in front of each new chunk (a match may start that far back).</summary>
    internal const int WindowChars = 64 * 1024;

    readonly Regex _pattern;
    readonly CancellationTokenSource _cts;
    readonly Task _task;
    readonly Decoder _out = new UTF8Encoding(false).GetDecoder();
    readonly Decoder _err = new UTF8Encoding(false).GetDecoder();
    // The window: the last WindowChars characters already matched, then the pending (not yet matched) text.
    readonly char[] _window = new char[WindowChars + 128 * 1024];
    int _length;
    volatile bool _matched;
    volatile string? _failure;
    long _bytes;
    int _pendingFrom;

    LogFollower(Regex pattern, Func<CancellationToken, Task<Stream>> open, CancellationToken ct)
    {
        _pattern = pattern;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _task = Task.Run(() => PumpAsync(open, _cts.Token), CancellationToken.None);
    }

    /// <summary>Starts following; <paramref name="open"/> opens the raw (multiplexed or TTY) log stream.</summary>
    public static LogFollower Start(Regex pattern, Func<CancellationToken, Task<Stream>> open, CancellationToken ct) => new(pattern, open, ct);

    /// <summary>True once a line of the log matched (it stays true).</summary>
    public bool Matched => _matched;

    /// <summary>Why following stopped early (the engine refused the stream), or null.</summary>
    public string? Failure => _failure;

    /// <summary>Bytes of log read so far.</summary>
    public long BytesRead => Interlocked.Read(ref _bytes);

    /// <summary>True once the stream ended (the container stopped) or failed.</summary>
    public bool Ended => _task.IsCompleted;

    async Task PumpAsync(Func<CancellationToken, Task<Stream>> open, CancellationToken ct)
    {
        try
        {
            await using var s = await open(ct).ConfigureAwait(false);
            await ReadAsync(s, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (DockOptException e) { _failure = e.Message; }
        catch (Exception e) when (e is IOException or HttpRequestException) { _failure = e.Message; }
    }

    internal async Task ReadAsync(Stream s, CancellationToken ct)
    {
        var header = new byte[8];
        var buf = new byte[32768];
        var chars = new char[new UTF8Encoding(false).GetMaxCharCount(buf.Length)];
        var got = await ReadFull(s, header, 8, ct).ConfigureAwait(false);
        if (got == 0) return;
        if (got < 8 || header[0] > 2 || header[1] != 0 || header[2] != 0 || header[3] != 0)
        {
            // Not multiplexed (a TTY container): the stream is the raw output.
            Feed(_out, header, got, chars);
            int n;
            while (!_matched && (n = await Read(s, buf.AsMemory(), ct).ConfigureAwait(false)) > 0) Feed(_out, buf, n, chars);
            MatchPending();
            return;
        }
        while (!_matched)
        {
            var size = (int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
            var dec = header[0] == 2 ? _err : _out;
            while (size > 0)
            {
                var n = await Read(s, buf.AsMemory(0, Math.Min(buf.Length, size)), ct).ConfigureAwait(false);
                if (n == 0) { MatchPending(); return; }
                size -= n;
                Feed(dec, buf, n, chars);
            }
            if (await ReadFull(s, header, 8, ct).ConfigureAwait(false) < 8) { MatchPending(); return; }
        }
    }

    /// <summary>A read that first matches what is pending when it would wait (the container went quiet).</summary>
    ValueTask<int> Read(Stream s, Memory<byte> into, CancellationToken ct)
    {
        var t = s.ReadAsync(into, ct);
        if (!t.IsCompleted) MatchPending();
        return t;
    }

    /// <summary>Decodes a chunk into the window; matches once enough new text is pending.</summary>
    void Feed(Decoder dec, byte[] bytes, int count, char[] chars)
    {
        Interlocked.Add(ref _bytes, count);
        if (_matched) return;
        var n = dec.GetChars(bytes, 0, count, chars, 0, flush: false);
        if (_length + n > _window.Length) MatchPending();
        if (_matched) return;
        chars.AsSpan(0, n).CopyTo(_window.AsSpan(_length));
        _length += n;
        if (_length - _pendingFrom >= 32 * 1024) MatchPending();
    }

    /// <summary>
    /// Matches the new text together with the carried window in front of it (from its first line start, so anchors
    /// see the text before), then keeps only the last <see cref="WindowChars"/> characters.
    /// </summary>
    void MatchPending()
    {
        if (_matched || _length == _pendingFrom) return;
        var text = _window.AsSpan(0, _length);
        var start = 0;
        if (_pendingFrom > 0)
        {
            var nl = text.Slice(0, _pendingFrom).IndexOf('\n');
            start = nl >= 0 ? nl + 1 : 0;
        }
        try
        {
            // No string is made: the span overload matches in place (anchors see the characters before start).
            if (_pattern.IsMatch(text, start)) { _matched = true; _length = _pendingFrom = 0; return; }
        }
        catch (RegexMatchTimeoutException) { }
        if (_length > WindowChars)
        {
            _window.AsSpan(_length - WindowChars, WindowChars).CopyTo(_window);
            _length = WindowChars;
        }
        _pendingFrom = _length;
    }

    async Task<int> ReadFull(Stream s, byte[] buf, int count, CancellationToken ct)
    {
        var total = 0;
        while (total < count)
        {
            var n = await Read(s, buf.AsMemory(total, count - total), ct).ConfigureAwait(false);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    public async ValueTask DisposeAsync()
    {
        _cts.Cancel();
        try { await _task.ConfigureAwait(false); } catch (Exception) { }
        _cts.Dispose();
    }
}
