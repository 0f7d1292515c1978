using System.Security.Cryptography;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Registry;

/// <summary>
/// A read-only stream over a blob that hashes what it reads and, at the end, checks the digest and the length against
/// the descriptor; optionally copies the bytes to a file that becomes a cache entry only when they check out.
/// </summary>
internal sealed class DigestCheckingStream : ForwardReadStream
{
    readonly Stream _inner;
    readonly IDisposable? _owner;
    readonly string _digest;
    readonly long _size;
    readonly Func<string, string, Exception> _mismatch;
    readonly IncrementalHash _hash;
    long _read;
    bool _checked;

    public DigestCheckingStream(Stream inner, IDisposable? owner, string digest, long size, Func<string, string, Exception> mismatch)
    {
        _inner = inner;
        _owner = owner;
        _digest = digest;
        _size = size;
        _mismatch = mismatch;
        _hash = IncrementalHash.CreateHash(digest.StartsWith("sha512:", StringComparison.Ordinal) ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256);
    }

    /// <summary>Also write the bytes here (a cache's temporary file); called before the first read.</summary>
    public Stream? Copy { get; set; }

    /// <summary>Called once the blob checked out (the cache commits its file).</summary>
    public Action? Verified { get; set; }

    public long BytesRead => _read;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = _inner.Read(buffer);
        if (n > 0)
        {
            _hash.AppendData(buffer.Slice(0, n));
            Copy?.Write(buffer.Slice(0, n));
            _read += n;
            if (_size >= 0 && _read > _size) throw _mismatch(_digest, $"more than the {_size} bytes the manifest gives");
        }
        else Check();
        return n;
    }

    /// <summary>Reads to the end (what a tar reader left, e.g. padding) and checks.</summary>
    public void DrainAndCheck()
    {
        var buf = System.Buffers.ArrayPool<byte>.Shared.Rent(128 * 1024);
        try { while (Read(buf, 0, buf.Length) > 0) { } }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(buf); }
        Check();
    }

    void Check()
    {
        if (_checked) return;
        _checked = true;
        var actual = (_digest.StartsWith("sha512:", StringComparison.Ordinal) ? "sha512:" : "sha256:") + Convert.ToHexString(_hash.GetHashAndReset()).ToLowerInvariant();
        if (actual != _digest) throw _mismatch(_digest, actual);
        if (_size >= 0 && _read != _size) throw _mismatch(_digest, $"{_read} bytes, not the {_size} the manifest gives");
        Copy?.Flush();
        Verified?.Invoke();
    }

    public override long Position { get => _read; set => throw new NotSupportedException(); }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            _inner.Dispose();
            _owner?.Dispose();
        }
        base.Dispose(disposing);
    }
}
