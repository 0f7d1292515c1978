using System.IO.Hashing;
using System.Security.Cryptography;

namespace DockOpt.Engine.Images;

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
