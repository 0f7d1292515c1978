using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;

namespace DockOpt.Engine.Building.BuildKit;

/// <summary>
/// A minimal HTTP/2 server (RFC 9113) on an already-established byte stream — the hijacked <c>/session</c> connection —
/// that serves gRPC calls through a <see cref="SessionServiceSet"/>. The peer (the daemon's grpc-go client) opens the
/// streams. Frames are at most 16 384 bytes both ways; every byte received is acknowledged with WINDOW_UPDATE at
/// once; the peer's windows are respected when sending. The read loop never waits on a write: frames go through one
/// writer queue that coalesces them into few socket writes.
/// </summary>
public sealed class Http2Server : IAsyncDisposable
{
    internal const int FrameData = 0, FrameHeaders = 1, FramePriority = 2, FrameRstStream = 3, FrameSettings = 4,
        FramePushPromise = 5, FramePing = 6, FrameGoAway = 7, FrameWindowUpdate = 8, FrameContinuation = 9;
    internal const byte FlagEndStream = 0x1, FlagAck = 0x1, FlagEndHeaders = 0x4, FlagPadded = 0x8, FlagPriority = 0x20;
    internal static readonly byte[] Preface = Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    const int MaxFrame = 16384;

    readonly Stream _io;
    readonly SessionServiceSet _services;
    readonly Action<string>? _log;
    readonly Channel<byte[]> _out = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    readonly ConcurrentDictionary<int, ServerStream> _streams = new();
    readonly HpackDecoder _hpack = new();
    readonly CancellationTokenSource _closed = new();
    readonly object _flow = new();
    long _connSendWindow = 65535;
    int _peerInitialWindow = 65535;
    int _peerMaxFrame = MaxFrame;
    TaskCompletionSource _windowChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    Task? _writer;
    Task? _reader;
    int _lastStreamId;

    public Http2Server(Stream io, SessionServiceSet services, Action<string>? log = null)
    {
        _io = io;
        _services = services;
        _log = log;
    }

    /// <summary>Calls handled so far, by method (for diagnostics and tests).</summary>
    public ConcurrentDictionary<string, int> CallCounts { get; } = new(StringComparer.Ordinal);

    readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the daemon's preface and first SETTINGS arrived (the session is registered on the daemon's side).</summary>
    public Task Ready => _ready.Task;

    /// <summary>Why the connection ended, when it ended with an error.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Completes when the connection ends.</summary>
    public Task Completion => _reader ?? Task.CompletedTask;

    /// <summary>Sends our SETTINGS at once (the peer drops a server whose first frame is anything else), then serves until the connection ends.</summary>
    public void Start()
    {
        Enqueue(Frame(FrameSettings, 0, 0, ReadOnlySpan<byte>.Empty));
        _writer = Task.Run(WriteLoopAsync);
        _reader = Task.Run(ReadLoopAsync);
    }

    static byte[] Frame(int type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        var f = new byte[9 + payload.Length];
        f[0] = (byte)(payload.Length >> 16);
        f[1] = (byte)(payload.Length >> 8);
        f[2] = (byte)payload.Length;
        f[3] = (byte)type;
        f[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(f.AsSpan(5), streamId & 0x7fffffff);
        payload.CopyTo(f.AsSpan(9));
        return f;
    }

    void Enqueue(byte[] frame) => _out.Writer.TryWrite(frame);

    async Task WriteLoopAsync()
    {
        try
        {
            var buffered = new BufferedStream(_io, 64 * 1024);
            var reader = _out.Reader;
            while (await reader.WaitToReadAsync(_closed.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var f)) await buffered.WriteAsync(f, _closed.Token).ConfigureAwait(false);
                await buffered.FlushAsync(_closed.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            Close(e is OperationCanceledException ? null : e);
        }
    }

    async Task ReadExactlyAsync(byte[] buf, int count)
    {
        var read = 0;
        while (read < count)
        {
            var n = await _io.ReadAsync(buf.AsMemory(read, count - read), _closed.Token).ConfigureAwait(false);
            if (n == 0) throw new EndOfStreamException("the daemon closed the session connection");
            read += n;
        }
    }

    /// <summary>A received frame's 9-byte header.</summary>
    readonly record struct FrameHeader(int Length, byte Type, byte Flags, int StreamId);

    /// <summary>A header block being received: HEADERS then CONTINUATION frames until END_HEADERS.</summary>
    sealed class PendingHeaders
    {
        public MemoryStream? Block;
        public int StreamId;
        public byte Flags;
    }

    async Task ReadLoopAsync()
    {
        try
        {
            await ReadPrefaceAsync().ConfigureAwait(false);
            var header = new byte[9];
            var payload = new byte[MaxFrame];
            var pending = new PendingHeaders();
            while (true)
            {
                var frame = await ReadFrameHeaderAsync(header).ConfigureAwait(false);
                await ReadExactlyAsync(payload, frame.Length).ConfigureAwait(false);
                if (!HandleFrame(frame, payload.AsSpan(0, frame.Length), pending)) return;
            }
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or ObjectDisposedException or OperationCanceledException)
        {
            Close(_closed.IsCancellationRequested ? null : e is EndOfStreamException ? null : e);
        }
        catch (InvalidDataException e)
        {
            _log?.Invoke("session: " + e.Message);
            var goAway = new byte[8];
            BinaryPrimitives.WriteInt32BigEndian(goAway, _lastStreamId);
            BinaryPrimitives.WriteInt32BigEndian(goAway.AsSpan(4), 1); // PROTOCOL_ERROR
            Enqueue(Frame(FrameGoAway, 0, 0, goAway));
            Close(e);
        }
    }

    async Task ReadPrefaceAsync()
    {
        var preface = new byte[Preface.Length];
        await ReadExactlyAsync(preface, preface.Length).ConfigureAwait(false);
        if (!preface.AsSpan().SequenceEqual(Preface)) throw new InvalidDataException("http2: bad client preface");
    }

    async Task<FrameHeader> ReadFrameHeaderAsync(byte[] header)
    {
        await ReadExactlyAsync(header, 9).ConfigureAwait(false);
        var length = (header[0] << 16) | (header[1] << 8) | header[2];
        var streamId = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & 0x7fffffff;
        if (length > MaxFrame) throw new InvalidDataException($"http2: frame of {length} bytes exceeds {MaxFrame}");
        return new FrameHeader(length, header[3], header[4], streamId);
    }

    /// <summary>Dispatches one frame to its type's handler; false when the connection ends (GOAWAY).</summary>
    bool HandleFrame(FrameHeader f, ReadOnlySpan<byte> p, PendingHeaders pending)
    {
        if (pending.Block != null && f.Type != FrameContinuation)
            throw new InvalidDataException("http2: expected CONTINUATION");
        switch (f.Type)
        {
            case FrameSettings:
                OnSettingsFrame(f, p);
                break;
            case FramePing:
                if ((f.Flags & FlagAck) == 0) Enqueue(Frame(FramePing, FlagAck, 0, p));
                break;
            case FrameWindowUpdate:
                OnWindowUpdateFrame(f, p);
                break;
            case FrameHeaders:
                OnHeadersFrame(f, p, pending);
                break;
            case FrameContinuation:
                OnContinuationFrame(f, p, pending);
                break;
            case FrameData:
                OnDataFrame(f, p);
                break;
            case FrameRstStream:
                OnRstStreamFrame(f, p);
                break;
            case FrameGoAway:
                _log?.Invoke("session: the daemon sent GOAWAY");
                Close(null);
                return false;
            case FramePriority:
                break;
            case FramePushPromise:
                throw new InvalidDataException("http2: PUSH_PROMISE sent to a server");
            default:
                break; // unknown frame types are ignored
        }
        return true;
    }

    void OnSettingsFrame(FrameHeader f, ReadOnlySpan<byte> p)
    {
        if ((f.Flags & FlagAck) == 0)
        {
            ApplySettings(p);
            Enqueue(Frame(FrameSettings, FlagAck, 0, ReadOnlySpan<byte>.Empty));
            _ready.TrySetResult();
        }
    }

    void OnWindowUpdateFrame(FrameHeader f, ReadOnlySpan<byte> p)
    {
        var inc = BinaryPrimitives.ReadInt32BigEndian(p) & 0x7fffffff;
        lock (_flow)
        {
            if (f.StreamId == 0) _connSendWindow += inc;
            else if (_streams.TryGetValue(f.StreamId, out var s)) s.SendWindow += inc;
        }
        SignalWindow();
    }

    void OnHeadersFrame(FrameHeader f, ReadOnlySpan<byte> p, PendingHeaders pending)
    {
        var off = 0;
        var padLen = 0;
        if ((f.Flags & FlagPadded) != 0) { padLen = p[0]; off = 1; }
        if ((f.Flags & FlagPriority) != 0) off += 5;
        pending.Block = new MemoryStream();
        pending.Block.Write(p.Slice(off, f.Length - off - padLen));
        pending.StreamId = f.StreamId;
        pending.Flags = f.Flags;
        if ((f.Flags & FlagEndHeaders) != 0)
        {
            OnHeaders(pending.StreamId, pending.Flags, pending.Block.ToArray());
            pending.Block = null;
        }
    }

    void OnContinuationFrame(FrameHeader f, ReadOnlySpan<byte> p, PendingHeaders pending)
    {
        if (pending.Block == null || f.StreamId != pending.StreamId) throw new InvalidDataException("http2: unexpected CONTINUATION");
        pending.Block.Write(p);
        if ((f.Flags & FlagEndHeaders) != 0)
        {
            OnHeaders(pending.StreamId, pending.Flags, pending.Block.ToArray());
            pending.Block = null;
        }
    }

    void OnDataFrame(FrameHeader f, ReadOnlySpan<byte> p)
    {
        var off = 0;
        var padLen = 0;
        if ((f.Flags & FlagPadded) != 0) { padLen = p[0]; off = 1; }
        if (f.Length > 0)
        {
            Enqueue(WindowUpdate(0, f.Length));
        }
        if (_streams.TryGetValue(f.StreamId, out var s))
        {
            var data = p.Slice(off, f.Length - off - padLen).ToArray();
            if (data.Length > 0) s.Inbound.Writer.TryWrite(data);
            if ((f.Flags & FlagEndStream) != 0) s.Inbound.Writer.TryComplete();
            else if (f.Length > 0) Enqueue(WindowUpdate(f.StreamId, f.Length));
        }
    }

    void OnRstStreamFrame(FrameHeader f, ReadOnlySpan<byte> p)
    {
        if (_streams.TryGetValue(f.StreamId, out var reset))
        {
            var code = BinaryPrimitives.ReadUInt32BigEndian(p);
            reset.Reset($"the daemon reset the stream (code {code})");
        }
    }

    static byte[] WindowUpdate(int streamId, int increment)
    {
        Span<byte> p = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(p, increment);
        return Frame(FrameWindowUpdate, 0, streamId, p);
    }

    void ApplySettings(ReadOnlySpan<byte> p)
    {
        for (var i = 0; i + 6 <= p.Length; i += 6)
        {
            var id = BinaryPrimitives.ReadUInt16BigEndian(p.Slice(i));
            var value = BinaryPrimitives.ReadUInt32BigEndian(p.Slice(i + 2));
            switch (id)
            {
                case 0x4: // INITIAL_WINDOW_SIZE: open streams move by the delta
                    lock (_flow)
                    {
                        var delta = (int)value - _peerInitialWindow;
                        _peerInitialWindow = (int)value;
                        foreach (var s in _streams.Values) s.SendWindow += delta;
                    }
                    SignalWindow();
                    break;
                case 0x5:
                    _peerMaxFrame = (int)Math.Min(value, MaxFrame);
                    break;
            }
        }
    }

    void SignalWindow()
    {
        TaskCompletionSource tcs;
        lock (_flow)
        {
            tcs = _windowChanged;
            _windowChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        tcs.TrySetResult();
    }

    void OnHeaders(int streamId, byte flags, byte[] block)
    {
        var fields = _hpack.Decode(block); // always decoded: the dynamic table must follow every block
        if (_streams.ContainsKey(streamId))
        {
            if ((flags & FlagEndStream) != 0 && _streams.TryGetValue(streamId, out var s)) s.Inbound.Writer.TryComplete();
            return;
        }
        if (streamId <= _lastStreamId || streamId % 2 == 0) return;
        _lastStreamId = streamId;
        var path = fields.FirstOrDefault(f => f.Name == ":path").Value ?? "";
        var metadata = fields.Where(f => !f.Name.StartsWith(':')).ToList();
        var stream = new ServerStream(this, streamId, path, metadata);
        lock (_flow) stream.SendWindow = _peerInitialWindow;
        _streams[streamId] = stream;
        if ((flags & FlagEndStream) != 0) stream.Inbound.Writer.TryComplete();
        CallCounts.AddOrUpdate(path, 1, (_, n) => n + 1);
        _ = Task.Run(() => ServeAsync(stream));
    }

    async Task ServeAsync(ServerStream stream)
    {
        var status = GrpcStatus.OK;
        string? message = null;
        try
        {
            await _services.DispatchAsync(stream).ConfigureAwait(false);
        }
        catch (GrpcException e)
        {
            status = e.Status;
            message = e.Message;
        }
        catch (OperationCanceledException)
        {
            status = GrpcStatus.Cancelled;
            message = "cancelled";
        }
        catch (Exception e)
        {
            status = GrpcStatus.Unknown;
            message = e.Message;
            _log?.Invoke($"session: {stream.Method} failed: {e.Message}");
        }
        if (!stream.IsReset) stream.SendTrailers(status, message);
        _streams.TryRemove(stream.Id, out _);
    }

    /// <summary>Reserves up to <paramref name="want"/> bytes of both send windows, waiting for WINDOW_UPDATE when empty.</summary>
    async ValueTask<int> ReserveAsync(ServerStream s, int want)
    {
        while (true)
        {
            Task wait;
            lock (_flow)
            {
                var avail = (int)Math.Min(Math.Min(_connSendWindow, s.SendWindow), Math.Min(want, _peerMaxFrame));
                if (avail > 0)
                {
                    _connSendWindow -= avail;
                    s.SendWindow -= avail;
                    return avail;
                }
                wait = _windowChanged.Task;
            }
            await wait.WaitAsync(s.CancellationToken).ConfigureAwait(false);
        }
    }

    void Close(Exception? error)
    {
        if (error != null && Failure == null) Failure = error;
        if (!_closed.IsCancellationRequested)
        {
            try { _closed.Cancel(); } catch (ObjectDisposedException) { }
        }
        _out.Writer.TryComplete();
        _ready.TrySetException(error ?? new IOException("the session connection closed"));
        foreach (var s in _streams.Values) s.Reset("the session connection closed");
        SignalWindow();
    }

    public async ValueTask DisposeAsync()
    {
        Close(null);
        try { _io.Dispose(); } catch (IOException) { }
        if (_writer != null) await _writer.ConfigureAwait(false);
        if (_reader != null) await _reader.ConfigureAwait(false);
        _closed.Dispose();
    }

    sealed class ServerStream : IGrpcServerCall
    {
        readonly Http2Server _server;
        readonly CancellationTokenSource _cts;
        byte[] _pending = Array.Empty<byte>();
        int _pendingOffset;
        bool _headersSent;

        public ServerStream(Http2Server server, int id, string method, List<(string, string)> metadata)
        {
            _server = server;
            Id = id;
            Method = method;
            Metadata = metadata;
            _cts = CancellationTokenSource.CreateLinkedTokenSource(server._closed.Token);
        }

        public int Id { get; }
        public string Method { get; }
        public IReadOnlyList<(string Name, string Value)> Metadata { get; }
        public CancellationToken CancellationToken => _cts.Token;
        public Channel<byte[]> Inbound { get; } = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
        public long SendWindow;
        public bool IsReset { get; private set; }

        public void Reset(string why)
        {
            IsReset = true;
            Inbound.Writer.TryComplete(new IOException(why));
            try { _cts.Cancel(); } catch (ObjectDisposedException) { }
        }

        async ValueTask<bool> FillAsync(int need)
        {
            while (_pending.Length - _pendingOffset < need)
            {
                byte[] chunk;
                try
                {
                    if (!await Inbound.Reader.WaitToReadAsync(CancellationToken).ConfigureAwait(false)) return false;
                    if (!Inbound.Reader.TryRead(out chunk!)) continue;
                }
                catch (ChannelClosedException e)
                {
                    throw new OperationCanceledException(e.InnerException?.Message ?? "stream reset", e, CancellationToken);
                }
                catch (IOException e)
                {
                    throw new OperationCanceledException(e.Message, e, CancellationToken);
                }
                var rest = _pending.Length - _pendingOffset;
                var merged = new byte[rest + chunk.Length];
                Buffer.BlockCopy(_pending, _pendingOffset, merged, 0, rest);
                Buffer.BlockCopy(chunk, 0, merged, rest, chunk.Length);
                _pending = merged;
                _pendingOffset = 0;
            }
            return true;
        }

        public async ValueTask<byte[]?> ReadMessageAsync()
        {
            if (!await FillAsync(5).ConfigureAwait(false))
            {
                if (_pending.Length - _pendingOffset != 0) throw new GrpcException(GrpcStatus.Internal, "truncated gRPC message");
                return null;
            }
            if (_pending[_pendingOffset] != 0) throw new GrpcException(GrpcStatus.Unimplemented, "compressed gRPC messages are not supported");
            var len = BinaryPrimitives.ReadInt32BigEndian(_pending.AsSpan(_pendingOffset + 1));
            if (len < 0 || len > 16 * 1024 * 1024) throw new GrpcException(GrpcStatus.ResourceExhausted, $"gRPC message of {len} bytes");
            if (!await FillAsync(5 + len).ConfigureAwait(false)) throw new GrpcException(GrpcStatus.Internal, "truncated gRPC message");
            var msg = _pending.AsSpan(_pendingOffset + 5, len).ToArray();
            _pendingOffset += 5 + len;
            return msg;
        }

        void SendHeadersOnce()
        {
            if (_headersSent) return;
            _headersSent = true;
            var block = HpackEncoder.Encode(new[] { (":status", "200"), ("content-type", "application/grpc") });
            _server.Enqueue(Frame(FrameHeaders, FlagEndHeaders, Id, block));
        }

        public async ValueTask WriteMessageAsync(ReadOnlyMemory<byte> message)
        {
            if (IsReset) throw new OperationCanceledException("stream reset", CancellationToken);
            SendHeadersOnce();
            var framed = new byte[5 + message.Length];
            BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1), message.Length);
            message.Span.CopyTo(framed.AsSpan(5));
            var off = 0;
            while (off < framed.Length)
            {
                var n = await _server.ReserveAsync(this, framed.Length - off).ConfigureAwait(false);
                _server.Enqueue(Frame(FrameData, 0, Id, framed.AsSpan(off, n)));
                off += n;
            }
        }

        public void SendTrailers(GrpcStatus status, string? message)
        {
            var fields = new List<(string, string)>();
            if (!_headersSent)
            {
                _headersSent = true;
                fields.Add((":status", "200"));
                fields.Add(("content-type", "application/grpc"));
            }
            fields.Add(("grpc-status", ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            if (!string.IsNullOrEmpty(message)) fields.Add(("grpc-message", PercentEncode(message)));
            var block = HpackEncoder.Encode(fields);
            // Trailers may exceed one frame (a long message): HEADERS + CONTINUATION.
            var first = Math.Min(block.Length, MaxFrame);
            _server.Enqueue(Frame(FrameHeaders, (byte)(FlagEndStream | (first == block.Length ? FlagEndHeaders : 0)), Id, block.AsSpan(0, first)));
            for (var off = first; off < block.Length; off += MaxFrame)
            {
                var n = Math.Min(MaxFrame, block.Length - off);
                _server.Enqueue(Frame(FrameContinuation, off + n == block.Length ? FlagEndHeaders : (byte)0, Id, block.AsSpan(off, n)));
            }
        }

        static string PercentEncode(string s)
        {
            var sb = new StringBuilder();
            foreach (var b in Encoding.UTF8.GetBytes(s))
            {
                if (b >= 0x20 && b < 0x7f && b != '%') sb.Append((char)b);
                else sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            return sb.ToString();
        }
    }
}
