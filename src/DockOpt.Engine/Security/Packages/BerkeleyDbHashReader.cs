using System.Buffers.Binary;

namespace DockOpt.Engine.Security.Packages;

/// <summary>
/// Reads the values of a Berkeley DB hash database (the rpm "Packages" file of RHEL/CentOS 7–8 and Amazon Linux 2):
/// the metadata page gives the byte order, page size and last page; every hash page holds key/data pairs, where a data
/// item is either inline (H_KEYDATA) or on a chain of overflow pages (H_OFFPAGE). Read-only, no native library.
/// </summary>
public static class BerkeleyDbHashReader
{
    const uint HashMagic = 0x00061561;
    const byte PHashUnsorted = 2, POverflow = 7, PHashMeta = 8, PHash = 13;
    const byte HKeyData = 1, HOffPage = 3;
    const int PageOverhead = 26;

    public static bool IsHashDb(ReadOnlySpan<byte> head) =>
        head.Length >= 512 && (BinaryPrimitives.ReadUInt32LittleEndian(head[12..]) == HashMagic || BinaryPrimitives.ReadUInt32BigEndian(head[12..]) == HashMagic);

    /// <summary>Every data item of the database, in page order.</summary>
    public static List<byte[]> Values(byte[] db)
    {
        var values = new List<byte[]>();
        if (!IsHashDb(db)) throw new InvalidDataException("not a Berkeley DB hash database (magic 0x061561 not found)");
        var le = BinaryPrimitives.ReadUInt32LittleEndian(db.AsSpan(12)) == HashMagic;
        var pageSize = (int)U32(le, db.AsSpan(20));
        if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) != 0) throw new InvalidDataException($"invalid page size {pageSize}");
        if (db[25] != PHashMeta) throw new InvalidDataException($"metadata page type {db[25]} is not a hash database");
        var pages = db.Length / pageSize;
        var lastPage = Math.Min((long)U32(le, db.AsSpan(32)), pages - 1);

        for (var pg = 1L; pg <= lastPage; pg++)
        {
            var page = db.AsSpan((int)(pg * pageSize), pageSize);
            var type = page[25];
            if (type is not (PHash or PHashUnsorted)) continue;
            int entries = U16(le, page[20..]);
            for (var i = 1; i < entries; i += 2) // odd indexes are the data items
            {
                var s = page;
                int off = U16(le, s[(PageOverhead + 2 * i)..]);
                int prev = U16(le, s[(PageOverhead + 2 * (i - 1))..]);
                if (off <= 0 || off >= pageSize) continue;
                var itemType = s[off];
                if (itemType == HKeyData)
                {
                    var len = prev - off;
                    if (len > 1 && off + len <= pageSize) values.Add(s.Slice(off + 1, len - 1).ToArray());
                }
                else if (itemType == HOffPage && off + 12 <= pageSize)
                {
                    var next = U32(le, s[(off + 4)..]);
                    var total = U32(le, s[(off + 8)..]);
                    values.Add(ReadOverflow(db, pageSize, next, total, le));
                }
            }
        }
        return values;
    }

    static uint U32(bool le, ReadOnlySpan<byte> s) => le ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s);

    static ushort U16(bool le, ReadOnlySpan<byte> s) => le ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s);

    static byte[] ReadOverflow(byte[] db, int pageSize, uint pgno, uint total, bool le)
    {
        if (total > 256u * 1024 * 1024) throw new InvalidDataException("overflow item larger than 256 MiB");
        var result = new byte[total];
        var done = 0;
        var guard = 0;
        var pages = db.Length / pageSize;
        while (done < total)
        {
            if (pgno == 0 || pgno >= pages || ++guard > pages) throw new InvalidDataException("overflow chain ends early");
            var page = db.AsSpan((int)(pgno * (long)pageSize), pageSize);
            if (page[25] != POverflow) throw new InvalidDataException($"page {pgno} is not an overflow page");
            int len = U16(le, page[22..]);
            len = Math.Min(len, Math.Min(pageSize - PageOverhead, (int)total - done));
            page.Slice(PageOverhead, len).CopyTo(result.AsSpan(done));
            done += len;
            pgno = U32(le, page[16..]);
            if (len == 0) throw new InvalidDataException($"empty overflow page {pgno}");
        }
        return result;
    }
}
