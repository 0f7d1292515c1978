using System.Formats.Tar;
using System.Text.Json;
using DockOpt.Engine.DockerApi;

namespace DockOpt.Engine.Images;

/// <summary>
/// Reads ahead of the consumer on a background task (up to a few MiB) so the socket keeps flowing while the parser
/// works: the engine's export and our parsing overlap on two cores.
/// </summary>
internal sealed class ReadAheadStream : ForwardReadStream
{
    readonly System.Threading.Channels.Channel<(byte[] Buf, int Len)> _ch;
    readonly Task _pump;
    readonly CancellationTokenSource _stop;
    int _disposed;
    byte[]? _cur;
    int _curPos, _curLen;
    bool _done;
    const int ChunkSize = 256 * 1024;

    public ReadAheadStream(Stream inner, CancellationToken outer)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(outer);
        var ct = _stop.Token;
        _ch = System.Threading.Channels.Channel.CreateBounded<(byte[], int)>(new System.Threading.Channels.BoundedChannelOptions(16)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        _pump = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var buf = System.Buffers.ArrayPool<byte>.Shared.Rent(ChunkSize);
                    var len = 0;
                    while (len < ChunkSize)
                    {
                        var n = await inner.ReadAsync(buf.AsMemory(len, ChunkSize - len), ct).ConfigureAwait(false);
                        if (n <= 0) break;
                        len += n;
                        if (len >= 64 * 1024) break;
                    }
                    if (len == 0)
                    {
                        System.Buffers.ArrayPool<byte>.Shared.Return(buf);
                        break;
                    }
                    await _ch.Writer.WriteAsync((buf, len), ct).ConfigureAwait(false);
                }
                _ch.Writer.TryComplete();
            }
            catch (Exception e)
            {
                _ch.Writer.TryComplete(e);
            }
        }, ct);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.Length == 0) return 0;
        while (_cur == null || _curPos >= _curLen)
        {
            if (_cur != null) System.Buffers.ArrayPool<byte>.Shared.Return(_cur);
            _cur = null;
            if (_done) return 0;
            if (!_ch.Reader.TryRead(out var item))
            {
                try
                {
                    if (!_ch.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                    {
                        _done = true;
                        return 0;
                    }
                }
                catch (Exception e) when (e is not (OperationCanceledException or IOException))
                {
                    var inner = e is System.Threading.Channels.ChannelClosedException { InnerException: { } ie } ? ie : e;
                    throw new IOException(inner.Message, inner);
                }
                continue;
            }
            (_cur, _curLen) = item;
            _curPos = 0;
        }
        var n = Math.Min(buffer.Length, _curLen - _curPos);
        _cur.AsSpan(_curPos, n).CopyTo(buffer);
        _curPos += n;
        return n;
    }


    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // Stop the pump even when the consumer gave up early (bad archive), so it never waits on a full channel.
            _stop.Cancel();
            try { _pump.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { /* cancelled */ }
            while (_ch.Reader.TryRead(out var item)) System.Buffers.ArrayPool<byte>.Shared.Return(item.Buf);
            _stop.Dispose();
        }
        base.Dispose(disposing);
    }
}
