using System.IO.Hashing;
using System.Security.Cryptography;

namespace DockOpt.Engine.Images;

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
