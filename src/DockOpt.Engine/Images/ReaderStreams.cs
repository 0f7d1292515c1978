using System.IO.Hashing;
using System.Security.Cryptography;

namespace DockOpt.Engine.Images;

/// <summary>A forward-only, read-only stream: everything but reading is unsupported (Length and Position unless overridden).</summary>
internal abstract class ForwardReadStream : Stream
{
    public sealed override bool CanRead => true;
    public sealed override bool CanSeek => false;
    public sealed override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public sealed override void Flush() { }
    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public sealed override void SetLength(long value) => throw new NotSupportedException();
    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A read-only stream that feeds every byte read through a SHA-256 and counts them.</summary>
internal sealed class Sha256CountingStream : ForwardReadStream
{
    readonly Stream _inner;
    readonly IncrementalHash? _hash;
    readonly bool _leaveOpen;

    /// <param name="hash">False: only count (the digest is then "").</param>
    public Sha256CountingStream(Stream inner, bool leaveOpen = true, bool hash = true)
    {
        _inner = inner;
        _leaveOpen = leaveOpen;
        _hash = hash ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
    }

    public long BytesRead { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = _inner.Read(buffer);
        if (n > 0)
        {
            _hash?.AppendData(buffer.Slice(0, n));
            BytesRead += n;
        }
        return n;
    }

    /// <summary>Reads the rest of the stream (so the digest covers all of it) and returns <c>sha256:hex</c>.</summary>
    public string DrainAndDigest()
    {
        var buf = System.Buffers.ArrayPool<byte>.Shared.Rent(128 * 1024);
        try
        {
            while (Read(buf, 0, buf.Length) > 0) { }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buf);
        }
        return _hash == null ? "" : "sha256:" + Convert.ToHexString(_hash.GetHashAndReset()).ToLowerInvariant();
    }

    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash?.Dispose();
            if (!_leaveOpen) _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>A read-only stream whose first bytes can be inspected before reading (compression magic, tar header).</summary>
internal sealed class PeekableStream : ForwardReadStream
{
    readonly Stream _inner;
    byte[] _buf = Array.Empty<byte>();
    int _pos, _len;

    public PeekableStream(Stream inner) => _inner = inner;

    /// <summary>Returns up to <paramref name="count"/> bytes from the start without consuming them (fewer at end of stream).</summary>
    public ReadOnlySpan<byte> Peek(int count)
    {
        if (_pos != 0) throw new InvalidOperationException("Peek is only valid before the first read.");
        if (_buf.Length < count) Array.Resize(ref _buf, count);
        while (_len < count)
        {
            var n = _inner.Read(_buf, _len, count - _len);
            if (n <= 0) break;
            _len += n;
        }
        return _buf.AsSpan(0, Math.Min(_len, count));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_pos < _len)
        {
            var n = Math.Min(buffer.Length, _len - _pos);
            _buf.AsSpan(_pos, n).CopyTo(buffer);
            _pos += n;
            return n;
        }
        return _inner.Read(buffer);
    }

}

/// <summary>
/// The content of one regular file as a layer visitor sees it: a forward-only stream over the tar data. Every byte read
/// also goes through XxHash3 (and SHA-256 when asked before the first read), so a consumer can scan part of the content
/// and still ask for the hash of all of it.
/// </summary>
public sealed class EntryContentStream : Stream
{
    readonly Stream _inner;
    readonly long _length;
    readonly XxHash3 _xx = new();
    IncrementalHash? _sha;
    long _read;
    ulong? _hash;
    string? _digest;

    internal EntryContentStream(Stream? inner, long length)
    {
        _inner = inner ?? Stream.Null;
        _length = length;
    }

    /// <summary>Also compute SHA-256 over the content; only possible before the first read.</summary>
    public bool EnableSha256()
    {
        if (_sha != null) return true;
        if (_read != 0) return false;
        _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        return true;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = _inner.Read(buffer);
        if (n > 0)
        {
            var s = buffer.Slice(0, n);
            _xx.Append(s);
            _sha?.AppendData(s);
            _read += n;
        }
        return n;
    }

    /// <summary>Bytes of content read so far.</summary>
    public long BytesRead => _read;

    void Drain()
    {
        if (_hash != null) return;
        var buf = System.Buffers.ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            while (Read(buf, 0, buf.Length) > 0) { }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buf);
        }
        _hash = _xx.GetCurrentHashAsUInt64();
        if (_sha != null)
        {
            _digest = "sha256:" + Convert.ToHexString(_sha.GetHashAndReset()).ToLowerInvariant();
            _sha.Dispose();
        }
    }

    /// <summary>XxHash3 (64-bit) of the whole content; reads what is left of the stream.</summary>
    public ulong GetContentHash()
    {
        Drain();
        return _hash!.Value;
    }

    /// <summary>SHA-256 (<c>sha256:hex</c>) of the whole content; null when <see cref="EnableSha256"/> came too late.</summary>
    public string? GetSha256()
    {
        if (_hash == null && _read == 0) EnableSha256();
        Drain();
        return _digest;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _length;
    public override long Position { get => _read; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
