using System.Buffers.Binary;
using System.Text;

namespace DockOpt.Engine.Building.BuildKit;

/// <summary>
/// The few protobuf wire-format pieces the session messages need (varint, length-delimited, fixed 64). The message
/// definitions themselves are DockOpt's own (see BuildKitMessages.cs), written from the published field numbers.
/// </summary>
public sealed class ProtoWriter
{
    readonly MemoryStream _buf = new();

    public byte[] ToArray() => _buf.ToArray();
    public int Length => (int)_buf.Length;

    public void Varint(ulong v)
    {
        while (v >= 0x80)
        {
            _buf.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        _buf.WriteByte((byte)v);
    }

    void Tag(int field, int wire) => Varint((ulong)((field << 3) | wire));

    /// <summary>A varint field; proto3 leaves zero out.</summary>
    public ProtoWriter UInt(int field, ulong v)
    {
        if (v == 0) return this;
        Tag(field, 0);
        Varint(v);
        return this;
    }

    public ProtoWriter Int(int field, long v) => UInt(field, unchecked((ulong)v));

    public ProtoWriter Bool(int field, bool v) => UInt(field, v ? 1UL : 0UL);

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> v, bool always = false)
    {
        if (v.Length == 0 && !always) return this;
        Tag(field, 2);
        Varint((ulong)v.Length);
        _buf.Write(v);
        return this;
    }

    public ProtoWriter String(int field, string? v) => v == null ? this : Bytes(field, Encoding.UTF8.GetBytes(v));

    /// <summary>An embedded message, written even when empty.</summary>
    public ProtoWriter Message(int field, ProtoWriter m) => Bytes(field, m.ToArray(), always: true);
}

/// <summary>Reads protobuf fields one at a time.</summary>
public ref struct ProtoReader
{
    ReadOnlySpan<byte> _data;
    int _pos;

    public ProtoReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _pos = 0;
        Field = 0;
        Wire = 0;
    }

    public int Field { get; private set; }
    public int Wire { get; private set; }

    public bool Next()
    {
        if (_pos >= _data.Length) return false;
        var tag = Varint();
        Field = (int)(tag >> 3);
        Wire = (int)(tag & 7);
        if (Field == 0) throw new InvalidDataException("protobuf: field number 0");
        return true;
    }

    public ulong Varint()
    {
        ulong v = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_pos >= _data.Length) throw new InvalidDataException("protobuf: truncated varint");
            var b = _data[_pos++];
            v |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return v;
        }
        throw new InvalidDataException("protobuf: varint too long");
    }

    public ReadOnlySpan<byte> Bytes()
    {
        var n = (int)Varint();
        if (n < 0 || _pos + n > _data.Length) throw new InvalidDataException("protobuf: truncated field");
        var s = _data.Slice(_pos, n);
        _pos += n;
        return s;
    }

    public string String() => Encoding.UTF8.GetString(Bytes());

    public void Skip()
    {
        switch (Wire)
        {
            case 0: Varint(); break;
            case 1: _pos += 8; break;
            case 2: Bytes(); break;
            case 5: _pos += 4; break;
            default: throw new InvalidDataException($"protobuf: unsupported wire type {Wire}");
        }
        if (_pos > _data.Length) throw new InvalidDataException("protobuf: truncated field");
    }

    /// <summary>google.protobuf.Timestamp (1 seconds, 2 nanos) as UTC.</summary>
    public DateTime? Timestamp()
    {
        var r = new ProtoReader(Bytes());
        long seconds = 0;
        long nanos = 0;
        while (r.Next())
        {
            if (r.Field == 1 && r.Wire == 0) seconds = (long)r.Varint();
            else if (r.Field == 2 && r.Wire == 0) nanos = (long)r.Varint();
            else r.Skip();
        }
        if (seconds == 0 && nanos == 0) return null;
        return DateTime.UnixEpoch.AddTicks(seconds * TimeSpan.TicksPerSecond + nanos / 100);
    }
}
