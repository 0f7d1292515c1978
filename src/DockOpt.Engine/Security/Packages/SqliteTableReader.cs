using System.Buffers.Binary;
using System.Text;

namespace DockOpt.Engine.Security.Packages;

/// <summary>
/// A small read-only reader of SQLite 3 database files (the b-tree file format, sqlite.org/fileformat2.html): finds a
/// table in sqlite_schema and walks its table b-tree, overflow pages included. No native library: rpm databases are read
/// the same way on every platform. Pages from a write-ahead log can be laid over the file (<see cref="ApplyWal"/>).
/// </summary>
public sealed class SqliteTableReader
{
    readonly byte[] _db;
    readonly Dictionary<uint, byte[]> _walPages = new();
    readonly int _pageSize;
    readonly int _usable;
    readonly uint _pageCount;

    public SqliteTableReader(byte[] db)
    {
        _db = db;
        if (!IsSqlite(db)) throw new InvalidDataException("not an SQLite 3 database (no header string)");
        var ps = BinaryPrimitives.ReadUInt16BigEndian(db.AsSpan(16));
        _pageSize = ps == 1 ? 65536 : ps;
        if (_pageSize < 512 || (_pageSize & (_pageSize - 1)) != 0) throw new InvalidDataException($"invalid page size {_pageSize}");
        _usable = _pageSize - db[20];
        _pageCount = (uint)(db.Length / _pageSize);
    }

    public static bool IsSqlite(ReadOnlySpan<byte> head) => head.Length >= 100 && head[..16].SequenceEqual("SQLite format 3\0"u8);

    /// <summary>
    /// Lays the committed frames of a write-ahead log (the "-wal" file) over the database pages: the last frame of each
    /// page up to the last commit frame whose salts match the WAL header wins.
    /// </summary>
    public void ApplyWal(byte[] wal)
    {
        if (wal.Length < 32) return;
        var magic = BinaryPrimitives.ReadUInt32BigEndian(wal);
        if (magic is not (0x377f0682 or 0x377f0683)) return;
        var ps = (int)BinaryPrimitives.ReadUInt32BigEndian(wal.AsSpan(8));
        if (ps != _pageSize) return;
        var salt1 = BinaryPrimitives.ReadUInt32BigEndian(wal.AsSpan(16));
        var salt2 = BinaryPrimitives.ReadUInt32BigEndian(wal.AsSpan(20));
        var pending = new Dictionary<uint, byte[]>();
        for (var off = 32L; off + 24 + ps <= wal.Length; off += 24 + ps)
        {
            var f = wal.AsSpan((int)off, 24);
            if (BinaryPrimitives.ReadUInt32BigEndian(f[8..]) != salt1 || BinaryPrimitives.ReadUInt32BigEndian(f[12..]) != salt2) break;
            var pgno = BinaryPrimitives.ReadUInt32BigEndian(f);
            pending[pgno] = wal.AsSpan((int)off + 24, ps).ToArray();
            if (BinaryPrimitives.ReadUInt32BigEndian(f[4..]) != 0) // commit frame
            {
                foreach (var kv in pending) _walPages[kv.Key] = kv.Value;
                pending.Clear();
            }
        }
    }

    ReadOnlySpan<byte> Page(uint n)
    {
        if (n == 0) throw new InvalidDataException("page number 0");
        if (_walPages.TryGetValue(n, out var w)) return w;
        if (n > _pageCount) throw new InvalidDataException($"page {n} is beyond the end of the file ({_pageCount} pages)");
        return _db.AsSpan((int)((n - 1) * (long)_pageSize), _pageSize);
    }

    /// <summary>The root page of a table named <paramref name="table"/> (case-insensitive), or 0.</summary>
    public uint FindTable(string table)
    {
        uint root = 0;
        foreach (var (_, rec) in Rows(1))
        {
            var cols = DecodeRecord(rec);
            if (cols.Count >= 4 && cols[0] is string type && type == "table" && cols[1] is string name &&
                string.Equals(name, table, StringComparison.OrdinalIgnoreCase) && cols[3] is long r)
                root = (uint)r;
        }
        return root;
    }

    /// <summary>Every row of the table b-tree rooted at <paramref name="root"/>: (rowid, record bytes), in rowid order.</summary>
    public IEnumerable<(long RowId, byte[] Record)> Rows(uint root)
    {
        var stack = new Stack<uint>();
        stack.Push(root);
        var visited = new HashSet<uint>();
        while (stack.Count > 0)
        {
            var pg = stack.Pop();
            if (!visited.Add(pg)) throw new InvalidDataException($"b-tree loop at page {pg}");
            var results = new List<(long, byte[])>();
            var children = new List<uint>();
            ReadPage(pg, results, children);
            foreach (var r in results) yield return r;
            for (var i = children.Count - 1; i >= 0; i--) stack.Push(children[i]);
        }
    }

    void ReadPage(uint pg, List<(long, byte[])> rows, List<uint> children)
    {
        var page = Page(pg);
        var hdr = pg == 1 ? 100 : 0;
        var type = page[hdr];
        var cells = BinaryPrimitives.ReadUInt16BigEndian(page[(hdr + 3)..]);
        var ptrs = hdr + (type == 0x05 ? 12 : 8);
        if (type is not (0x05 or 0x0D)) throw new InvalidDataException($"page {pg} is not a table b-tree page (type {type})");
        for (var i = 0; i < cells; i++)
        {
            int cell = BinaryPrimitives.ReadUInt16BigEndian(page[(ptrs + 2 * i)..]);
            if (type == 0x05)
            {
                children.Add(BinaryPrimitives.ReadUInt32BigEndian(page[cell..]));
                continue;
            }
            var p = cell;
            var payload = (long)ReadVarint(page, ref p);
            var rowid = (long)ReadVarint(page, ref p);
            rows.Add((rowid, ReadPayload(page, p, payload)));
        }
        if (type == 0x05) children.Add(BinaryPrimitives.ReadUInt32BigEndian(page[(hdr + 8)..]));
    }

    byte[] ReadPayload(ReadOnlySpan<byte> page, int at, long size)
    {
        if (size > 1L << 30) throw new InvalidDataException("record larger than 1 GiB");
        var u = _usable;
        var x = u - 35;
        int local;
        if (size <= x) local = (int)size;
        else
        {
            var m = (u - 12) * 32 / 255 - 23;
            var k = (int)(m + (size - m) % (u - 4));
            local = k <= x ? k : m;
        }
        var result = new byte[size];
        page.Slice(at, local).CopyTo(result);
        if (local == size) return result;
        var next = BinaryPrimitives.ReadUInt32BigEndian(page[(at + local)..]);
        var done = local;
        var guard = 0;
        while (done < size)
        {
            if (next == 0 || ++guard > _pageCount + _walPages.Count + 1) throw new InvalidDataException("overflow chain ends early");
            var op = Page(next);
            var n = (int)Math.Min(u - 4, size - done);
            op.Slice(4, n).CopyTo(result.AsSpan(done));
            done += n;
            next = BinaryPrimitives.ReadUInt32BigEndian(op);
        }
        return result;
    }

    static ulong ReadVarint(ReadOnlySpan<byte> b, ref int p)
    {
        ulong v = 0;
        for (var i = 0; i < 8; i++)
        {
            var c = b[p++];
            v = (v << 7) | (uint)(c & 0x7f);
            if ((c & 0x80) == 0) return v;
        }
        return (v << 8) | b[p++];
    }

    /// <summary>The values of a record: null, long, double, string or byte[].</summary>
    public static List<object?> DecodeRecord(byte[] rec)
    {
        var p = 0;
        var hsize = (int)ReadVarint(rec, ref p);
        var types = new List<ulong>();
        while (p < hsize) types.Add(ReadVarint(rec, ref p));
        var d = hsize;
        var vals = new List<object?>(types.Count);
        foreach (var t in types)
        {
            switch (t)
            {
                case 0: vals.Add(null); break;
                case >= 1 and <= 6:
                    var len = t switch { 5 => 6, 6 => 8, _ => (int)t };
                    long v = (sbyte)rec[d];
                    for (var i = 1; i < len; i++) v = (v << 8) | rec[d + i];
                    vals.Add(v);
                    d += len;
                    break;
                case 7: vals.Add(BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(rec.AsSpan(d)))); d += 8; break;
                case 8: vals.Add(0L); break;
                case 9: vals.Add(1L); break;
                case >= 12:
                    var n = (int)((t - (t % 2 == 0 ? 12UL : 13UL)) / 2);
                    vals.Add(t % 2 == 0 ? rec.AsSpan(d, n).ToArray() : Encoding.UTF8.GetString(rec, d, n));
                    d += n;
                    break;
                default: vals.Add(null); break;
            }
        }
        return vals;
    }
}
