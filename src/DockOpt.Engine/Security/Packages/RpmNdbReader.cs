using System.Buffers.Binary;

namespace DockOpt.Engine.Security.Packages;

/// <summary>
/// Reads the header blobs of rpm's "ndb" database (Packages.db, SUSE): a 32-byte header ('RpmP', version, generation,
/// slot page count), slot pages of 16-byte slots ('Slot', package index, block offset, block count), and blobs at
/// block offset × 16 ('BlbS', package index, checksum, length, then the header blob). Little-endian.
/// </summary>
public static class RpmNdbReader
{
    const uint HeaderMagic = 'R' | ('p' << 8) | ('m' << 16) | ((uint)'P' << 24);
    const uint SlotMagic = 'S' | ('l' << 8) | ('o' << 16) | ((uint)'t' << 24);
    const uint BlobMagic = 'B' | ('l' << 8) | ('b' << 16) | ((uint)'S' << 24);
    const int PageSize = 4096, BlockSize = 16;

    public static bool IsNdb(ReadOnlySpan<byte> head) => head.Length >= 32 && BinaryPrimitives.ReadUInt32LittleEndian(head) == HeaderMagic;

    /// <summary>The header blobs in slot order.</summary>
    public static List<byte[]> Blobs(byte[] db)
    {
        var blobs = new List<byte[]>();
        if (!IsNdb(db)) throw new InvalidDataException("not an rpm ndb database (no 'RpmP' magic)");
        var version = BinaryPrimitives.ReadUInt32LittleEndian(db.AsSpan(4));
        if (version != 0) throw new InvalidDataException($"unsupported ndb version {version}");
        var slotPages = BinaryPrimitives.ReadUInt32LittleEndian(db.AsSpan(12));
        var end = (long)slotPages * PageSize;
        if (slotPages == 0 || end > db.Length) throw new InvalidDataException($"slot page count {slotPages} does not fit the file");
        for (var off = 32; off + 16 <= end; off += 16)
        {
            var s = db.AsSpan(off, 16);
            if (BinaryPrimitives.ReadUInt32LittleEndian(s) != SlotMagic) continue;
            var pkgIdx = BinaryPrimitives.ReadUInt32LittleEndian(s[4..]);
            if (pkgIdx == 0) continue; // free slot
            var blk = (long)BinaryPrimitives.ReadUInt32LittleEndian(s[8..]) * BlockSize;
            if (blk + 16 > db.Length) throw new InvalidDataException($"package {pkgIdx}: blob offset beyond the end of the file");
            var b = db.AsSpan((int)blk, 16);
            if (BinaryPrimitives.ReadUInt32LittleEndian(b) != BlobMagic || BinaryPrimitives.ReadUInt32LittleEndian(b[4..]) != pkgIdx)
                throw new InvalidDataException($"package {pkgIdx}: no blob header at offset {blk}");
            var len = BinaryPrimitives.ReadUInt32LittleEndian(b[12..]);
            if (blk + 16 + len > db.Length) throw new InvalidDataException($"package {pkgIdx}: blob runs past the end of the file");
            blobs.Add(db.AsSpan((int)blk + 16, (int)len).ToArray());
        }
        return blobs;
    }
}
