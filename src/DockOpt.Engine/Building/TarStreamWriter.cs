using System.Text;

namespace DockOpt.Engine.Building;

/// <summary>One tar entry header (ustar, with PAX records when a field does not fit, as Go's archive/tar writes).</summary>
public sealed class TarHeader
{
    public string Name { get; set; } = "";
    public char Type { get; set; } = '0';
    public int Mode { get; set; }
    public int Uid { get; set; }
    public int Gid { get; set; }
    public long Size { get; set; }
    public long MtimeSeconds { get; set; }
    public string LinkName { get; set; } = "";
    public uint DevMajor { get; set; }
    public uint DevMinor { get; set; }
}

/// <summary>A minimal forward-only tar writer that never buffers file contents.</summary>
public sealed class TarStreamWriter
{
    readonly Stream _out;
    readonly byte[] _block = new byte[512];
    readonly byte[] _copy = new byte[128 * 1024];

    public TarStreamWriter(Stream output) => _out = output;

    /// <summary>Bytes written so far.</summary>
    public long Position { get; private set; }

    public void WriteHeader(TarHeader e)
    {
        if (!NeedsPax(e))
        {
            // The common case: plain ustar, written straight into the block (no allocation beyond a long name's split).
            string name = e.Name, prefix = "";
            if (name.Length > 100)
            {
                var split = SplitUstar(name);
                if (split == null)
                {
                    WriteHeaderWithPax(e);
                    return;
                }
                (prefix, name) = split.Value;
            }
            WriteRawHeader(name, prefix, e.Type, e.Mode, e.Uid, e.Gid, e.Size, e.MtimeSeconds, e.LinkName, e.DevMajor, e.DevMinor);
            return;
        }
        WriteHeaderWithPax(e);
    }

    /// <summary>Whether a field does not fit ustar as Go's archive/tar decides: non-ASCII or over-long link, size or mtime out of range.</summary>
    static bool NeedsPax(TarHeader e) =>
        !IsAscii(e.Name)
        || (e.LinkName.Length > 0 && (!IsAscii(e.LinkName) || e.LinkName.Length > 100))
        || e.Size >= 077777777777L
        || e.MtimeSeconds < 0 || e.MtimeSeconds >= 077777777777L;

    void WriteHeaderWithPax(TarHeader e)
    {
        var pax = new List<(string, string)>();
        string? prefix = null, name = e.Name;
        if (!IsAscii(e.Name)) pax.Add(("path", e.Name));
        else if (e.Name.Length > 100)
        {
            // ustar prefix/name split, as Go does before falling back to PAX.
            var split = SplitUstar(e.Name);
            if (split == null) pax.Add(("path", e.Name));
            else (prefix, name) = split.Value;
        }
        if (e.LinkName.Length > 0 && (!IsAscii(e.LinkName) || Encoding.UTF8.GetByteCount(e.LinkName) > 100)) pax.Add(("linkpath", e.LinkName));
        if (e.Size >= 077777777777L) pax.Add(("size", e.Size.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (e.MtimeSeconds < 0 || e.MtimeSeconds >= 077777777777L) pax.Add(("mtime", e.MtimeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        if (pax.Count > 0)
        {
            var body = new StringBuilder();
            foreach (var (k, v) in pax) body.Append(PaxRecord(k, v));
            var data = Encoding.UTF8.GetBytes(body.ToString());
            var dir = GoPath.Dir(e.Name.TrimEnd('/'));
            var file = e.Name.TrimEnd('/');
            file = file.Substring(file.LastIndexOf('/') + 1);
            var paxName = Truncate(ToAscii((dir == "." ? "" : dir + "/") + "PaxHeaders.0/" + file), 100);
            WriteRawHeader(paxName, "", 'x', 0, 0, 0, data.Length, 0, "", 0, 0, devFields: false);
            Write(data, 0, data.Length);
            Pad(data.Length);
        }
        // In a PAX entry Go writes the ustar fields as their ASCII-only, truncated form (and no prefix split).
        var usePax = pax.Count > 0;
        WriteRawHeader(usePax ? Truncate(ToAscii(e.Name), 100) : name!, usePax ? "" : prefix ?? "",
            e.Type, e.Mode, e.Uid, e.Gid, e.Size >= 077777777777L ? 0 : e.Size, Math.Clamp(e.MtimeSeconds, 0, 077777777777L - 1),
            usePax ? Truncate(ToAscii(e.LinkName), 100) : e.LinkName, e.DevMajor, e.DevMinor);
    }

    static string Truncate(string s, int maxBytes)
    {
        while (Encoding.UTF8.GetByteCount(s) > maxBytes) s = s.Substring(0, s.Length - 1);
        return s;
    }

    static (string Prefix, string Name)? SplitUstar(string full)
    {
        var length = full.Length;
        if (length <= 100 || length > 256 || !IsAscii(full)) return null;
        var i = full.Length - 1;
        if (full[i] == '/') i--; // a directory's trailing slash stays with the name
        for (; i > 0; i--)
        {
            if (full[i] != '/') continue;
            var pre = full.Substring(0, i);
            var nm = full.Substring(i + 1);
            if (pre.Length <= 155 && nm.Length <= 100 && nm.Length > 0) return (pre, nm);
            if (pre.Length <= 155) break;
        }
        return null;
    }

    static string PaxRecord(string k, string v)
    {
        var payload = " " + k + "=" + v + "\n";
        var size = Encoding.UTF8.GetByteCount(payload);
        var n = size;
        while (true)
        {
            var total = size + n.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
            if (total == n) break;
            n = total;
        }
        return n.ToString(System.Globalization.CultureInfo.InvariantCulture) + payload;
    }

    static bool IsAscii(string s)
    {
        foreach (var c in s) if (c >= 0x80 || c == 0) return false;
        return true;
    }

    static string ToAscii(string s) => new(s.Where(c => c < 0x80).ToArray());

    static ReadOnlySpan<byte> UstarMagic => "ustar\0"u8;

    void WriteRawHeader(string name, string prefix, char type, int mode, int uid, int gid, long size, long mtime, string link,
        uint devMajor, uint devMinor, bool devFields = true)
    {
        var b = _block.AsSpan();
        b.Clear();
        PutString(b.Slice(0, 100), name);
        PutOctal(b.Slice(100, 8), mode);
        PutOctal(b.Slice(108, 8), uid);
        PutOctal(b.Slice(116, 8), gid);
        PutOctal(b.Slice(124, 12), size);
        PutOctal(b.Slice(136, 12), mtime);
        b[156] = (byte)type;
        PutString(b.Slice(157, 100), link);
        UstarMagic.CopyTo(b.Slice(257));
        b[263] = (byte)'0';
        b[264] = (byte)'0';
        if (devFields)
        {
            PutOctal(b.Slice(329, 8), devMajor);
            PutOctal(b.Slice(337, 8), devMinor);
        }
        if (prefix.Length > 0) PutString(b.Slice(345, 155), prefix);
        b.Slice(148, 8).Fill((byte)' ');
        long sum = 0;
        foreach (var x in b) sum += x;
        PutOctal(b.Slice(148, 7), sum);
        b[155] = (byte)' ';
        Write(_block, 0, 512);
    }

    /// <summary>The string's UTF-8 bytes, cut at the field's length (fields are NUL-filled already).</summary>
    static void PutString(Span<byte> field, string s)
    {
        if (s.Length == 0) return;
        if (Encoding.UTF8.TryGetBytes(s, field, out _)) return;
        var bytes = Encoding.UTF8.GetBytes(s);
        bytes.AsSpan(0, field.Length).CopyTo(field);
    }

    /// <summary>len-1 octal digits, zero padded, then NUL (Go's formatOctal).</summary>
    static void PutOctal(Span<byte> field, long value)
    {
        var digits = field.Length - 1;
        var v = (ulong)value;
        for (var i = digits - 1; i >= 0; i--)
        {
            field[i] = (byte)('0' + (int)(v & 7));
            v >>= 3;
        }
        field[digits] = 0;
    }

    void Write(byte[] buffer, int offset, int count)
    {
        _out.Write(buffer, offset, count);
        Position += count;
    }

    void Pad(long size)
    {
        var rem = (int)(size % 512);
        if (rem == 0) return;
        Array.Clear(_block);
        Write(_block, 0, 512 - rem);
    }

    /// <summary>Copies exactly <paramref name="size"/> bytes of <paramref name="source"/> (zero-filled if it shrank) and pads the block.</summary>
    public void WriteContent(Stream source, long size, CancellationToken ct)
    {
        var left = size;
        while (left > 0)
        {
            ct.ThrowIfCancellationRequested();
            var n = source.Read(_copy, 0, (int)Math.Min(_copy.Length, left));
            if (n <= 0)
            {
                Array.Clear(_copy);
                n = (int)Math.Min(_copy.Length, left);
            }
            Write(_copy, 0, n);
            left -= n;
        }
        Pad(size);
    }

    public void WriteContent(byte[] data)
    {
        Write(data, 0, data.Length);
        Pad(data.Length);
    }

    /// <summary>The two zero blocks that end an archive.</summary>
    public void Close()
    {
        Array.Clear(_block);
        Write(_block, 0, 512);
        Write(_block, 0, 512);
        _out.Flush();
    }
}
