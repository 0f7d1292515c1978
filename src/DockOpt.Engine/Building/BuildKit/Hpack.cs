using System.Text;

namespace DockOpt.Engine.Building.BuildKit;

/// <summary>
/// HPACK (RFC 7541) as the session's HTTP/2 server needs it: a full decoder (static and dynamic tables, size updates,
/// Huffman strings, integer prefixes) and an encoder that writes literals without indexing and plain strings.
/// </summary>
public sealed class HpackDecoder
{
    static readonly (string Name, string Value)[] Static =
    {
        (":authority", ""), (":method", "GET"), (":method", "POST"), (":path", "/"), (":path", "/index.html"),
        (":scheme", "http"), (":scheme", "https"), (":status", "200"), (":status", "204"), (":status", "206"),
        (":status", "304"), (":status", "400"), (":status", "404"), (":status", "500"), ("accept-charset", ""),
        ("accept-encoding", "gzip, deflate"), ("accept-language", ""), ("accept-ranges", ""), ("accept", ""),
        ("access-control-allow-origin", ""), ("age", ""), ("allow", ""), ("authorization", ""), ("cache-control", ""),
        ("content-disposition", ""), ("content-encoding", ""), ("content-language", ""), ("content-length", ""),
        ("content-location", ""), ("content-range", ""), ("content-type", ""), ("cookie", ""), ("date", ""),
        ("etag", ""), ("expect", ""), ("expires", ""), ("from", ""), ("host", ""), ("if-match", ""),
        ("if-modified-since", ""), ("if-none-match", ""), ("if-range", ""), ("if-unmodified-since", ""),
        ("last-modified", ""), ("link", ""), ("location", ""), ("max-forwards", ""), ("proxy-authenticate", ""),
        ("proxy-authorization", ""), ("range", ""), ("referer", ""), ("refresh", ""), ("retry-after", ""),
        ("server", ""), ("set-cookie", ""), ("strict-transport-security", ""), ("transfer-encoding", ""),
        ("user-agent", ""), ("vary", ""), ("via", ""), ("www-authenticate", ""),
    };

    readonly LinkedList<(string Name, string Value)> _dynamic = new(); // newest first
    int _size;
    int _maxSize;

    public HpackDecoder(int maxTableSize = 4096)
    {
        _maxSize = maxTableSize;
        MaxAllowedSize = maxTableSize;
    }

    /// <summary>The limit we advertised (SETTINGS_HEADER_TABLE_SIZE); size updates above it are errors.</summary>
    public int MaxAllowedSize { get; }

    public int DynamicSize => _size;
    public int DynamicCount => _dynamic.Count;

    public List<(string Name, string Value)> Decode(ReadOnlySpan<byte> block)
    {
        var list = new List<(string, string)>();
        var pos = 0;
        while (pos < block.Length)
        {
            var b = block[pos];
            if ((b & 0x80) != 0)
            {
                var index = (int)ReadInt(block, ref pos, 7);
                list.Add(Lookup(index));
            }
            else if ((b & 0xC0) == 0x40)
            {
                var index = (int)ReadInt(block, ref pos, 6);
                var name = index == 0 ? ReadString(block, ref pos) : Lookup(index).Name;
                var value = ReadString(block, ref pos);
                list.Add((name, value));
                Add(name, value);
            }
            else if ((b & 0xE0) == 0x20)
            {
                var size = (int)ReadInt(block, ref pos, 5);
                if (size > MaxAllowedSize) throw new InvalidDataException($"hpack: table size update {size} above {MaxAllowedSize}");
                _maxSize = size;
                Evict();
            }
            else
            {
                // 0000xxxx literal without indexing, 0001xxxx never indexed
                var index = (int)ReadInt(block, ref pos, 4);
                var name = index == 0 ? ReadString(block, ref pos) : Lookup(index).Name;
                var value = ReadString(block, ref pos);
                list.Add((name, value));
            }
        }
        return list;
    }

    (string Name, string Value) Lookup(int index)
    {
        if (index <= 0) throw new InvalidDataException("hpack: index 0");
        if (index <= Static.Length) return Static[index - 1];
        var i = index - Static.Length - 1;
        if (i >= _dynamic.Count) throw new InvalidDataException($"hpack: index {index} beyond the dynamic table");
        return _dynamic.ElementAt(i);
    }

    void Add(string name, string value)
    {
        var entry = Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value) + 32;
        if (entry > _maxSize)
        {
            _dynamic.Clear();
            _size = 0;
            return;
        }
        _dynamic.AddFirst((name, value));
        _size += entry;
        Evict();
    }

    void Evict()
    {
        while (_size > _maxSize && _dynamic.Last is { } last)
        {
            _size -= Encoding.UTF8.GetByteCount(last.Value.Name) + Encoding.UTF8.GetByteCount(last.Value.Value) + 32;
            _dynamic.RemoveLast();
        }
    }

    public static ulong ReadInt(ReadOnlySpan<byte> s, ref int pos, int prefixBits)
    {
        if (pos >= s.Length) throw new InvalidDataException("hpack: truncated integer");
        var mask = (1 << prefixBits) - 1;
        ulong v = (ulong)(s[pos++] & mask);
        if (v < (ulong)mask) return v;
        var shift = 0;
        while (true)
        {
            if (pos >= s.Length) throw new InvalidDataException("hpack: truncated integer");
            var b = s[pos++];
            v += (ulong)(b & 0x7f) << shift;
            shift += 7;
            if ((b & 0x80) == 0) return v;
            if (shift > 35) throw new InvalidDataException("hpack: integer too large");
        }
    }

    static string ReadString(ReadOnlySpan<byte> s, ref int pos)
    {
        if (pos >= s.Length) throw new InvalidDataException("hpack: truncated string");
        var huffman = (s[pos] & 0x80) != 0;
        var len = (int)ReadInt(s, ref pos, 7);
        if (pos + len > s.Length) throw new InvalidDataException("hpack: truncated string");
        var raw = s.Slice(pos, len);
        pos += len;
        return huffman ? Encoding.UTF8.GetString(Huffman.Decode(raw)) : Encoding.UTF8.GetString(raw);
    }
}

/// <summary>Header block writer: every field a literal without indexing (no dynamic table state on our side).</summary>
public static class HpackEncoder
{
    public static byte[] Encode(IEnumerable<(string Name, string Value)> headers)
    {
        var ms = new MemoryStream();
        foreach (var (name, value) in headers)
        {
            ms.WriteByte(0x00);
            WriteString(ms, name);
            WriteString(ms, value);
        }
        return ms.ToArray();
    }

    static void WriteString(Stream ms, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        WriteInt(ms, 0x00, 7, (ulong)bytes.Length);
        ms.Write(bytes);
    }

    public static void WriteInt(Stream ms, byte first, int prefixBits, ulong v)
    {
        var max = (ulong)((1 << prefixBits) - 1);
        if (v < max)
        {
            ms.WriteByte((byte)(first | (byte)v));
            return;
        }
        ms.WriteByte((byte)(first | (byte)max));
        v -= max;
        while (v >= 0x80)
        {
            ms.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        ms.WriteByte((byte)v);
    }
}

/// <summary>
/// The HPACK Huffman code (RFC 7541 Appendix B). The code is canonical — within one length, codes rise with the
/// symbol — so the bit lengths alone define it; the codes are derived from them.
/// </summary>
public static class Huffman
{
    static readonly byte[] Lengths =
    {
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
        6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
        13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
        20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
        22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
        26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
        20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
        30,
    };

    /// <summary>Code of each symbol (0..256, 256 = EOS), right-aligned.</summary>
    public static readonly uint[] Codes;
    static readonly int[] FirstCode = new int[31];
    static readonly int[] Count = new int[31];
    static readonly int[][] Symbols = new int[31][];

    static Huffman()
    {
        if (Lengths.Length != 257) throw new InvalidOperationException("huffman table");
        Codes = new uint[257];
        for (var len = 1; len <= 30; len++) Symbols[len] = Enumerable.Range(0, 257).Where(s => Lengths[s] == len).ToArray();
        uint code = 0;
        for (var len = 1; len <= 30; len++)
        {
            FirstCode[len] = (int)code;
            Count[len] = Symbols[len].Length;
            foreach (var s in Symbols[len]) Codes[s] = code++;
            code <<= 1;
        }
    }

    public static byte[] Decode(ReadOnlySpan<byte> input)
    {
        var output = new List<byte>(input.Length * 8 / 5);
        var code = 0;
        var len = 0;
        foreach (var b in input)
        {
            for (var bit = 7; bit >= 0; bit--)
            {
                code = (code << 1) | ((b >> bit) & 1);
                len++;
                if (len > 30) throw new InvalidDataException("hpack: invalid Huffman code");
                var offset = code - FirstCode[len];
                if (offset >= 0 && offset < Count[len])
                {
                    var sym = Symbols[len][offset];
                    if (sym == 256) throw new InvalidDataException("hpack: EOS in a Huffman string");
                    output.Add((byte)sym);
                    code = 0;
                    len = 0;
                }
            }
        }
        // Padding: at most 7 bits, all ones (the EOS prefix).
        if (len > 7 || code != (1 << len) - 1) throw new InvalidDataException("hpack: invalid Huffman padding");
        return output.ToArray();
    }

    public static byte[] Encode(ReadOnlySpan<byte> input)
    {
        var output = new List<byte>();
        ulong acc = 0;
        var bits = 0;
        foreach (var b in input)
        {
            acc = (acc << Lengths[b]) | Codes[b];
            bits += Lengths[b];
            while (bits >= 8)
            {
                bits -= 8;
                output.Add((byte)(acc >> bits));
            }
        }
        if (bits > 0) output.Add((byte)((acc << (8 - bits)) | (byte)((1 << (8 - bits)) - 1)));
        return output.ToArray();
    }
}
