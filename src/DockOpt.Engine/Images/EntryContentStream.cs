using System.IO.Hashing;
using System.Security.Cryptography;

namespace DockOpt.Engine.Images;

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
