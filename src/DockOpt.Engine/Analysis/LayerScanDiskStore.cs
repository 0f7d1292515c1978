using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis;

/// <summary>
/// Per-layer analyses (<see cref="LayerScan"/>) kept on disk by diff ID, next to the registry layer cache
/// (<c>&lt;cache&gt;/scans/&lt;hex&gt;</c>): a base layer shared by many registry images is fetched and parsed once, in any
/// session. Each file is a small binary record (format version, diff ID, sizes, entries) written to a temporary file and
/// renamed; an unreadable or foreign-version file is ignored and replaced. Bounded by <see cref="MaxBytes"/> (LRU by write time).
/// </summary>
public sealed class LayerScanDiskStore
{
    const int FormatVersion = 1;

    public LayerScanDiskStore(string directory, long maxBytes = 1L * 1000 * 1000 * 1000)
    {
        Directory = directory;
        MaxBytes = maxBytes;
    }

    public string Directory { get; }
    public long MaxBytes { get; }

    /// <summary>The store under the registry layer cache's directory, or null when that cache is off.</summary>
    public static LayerScanDiskStore? FromEnvironment() =>
        Registry.LayerBlobCache.DefaultDirectory() is { } d ? new LayerScanDiskStore(Path.Combine(d, "scans")) : null;

    string PathOf(string diffId)
    {
        var hex = diffId.StartsWith("sha256:", StringComparison.Ordinal) ? diffId.Substring(7) : "";
        return hex.Length == 64 && hex.All(char.IsAsciiHexDigitLower) ? Path.Combine(Directory, hex) : "";
    }

    public LayerScan? TryLoad(string diffId)
    {
        var p = PathOf(diffId);
        if (p.Length == 0 || !File.Exists(p)) return null;
        try
        {
            using var fs = new FileStream(p, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16);
            using var r = new BinaryReader(new System.IO.Compression.BrotliStream(fs, System.IO.Compression.CompressionMode.Decompress));
            if (r.ReadInt32() != FormatVersion || r.ReadString() != diffId) return null;
            var tarLength = r.ReadInt64();
            var size = r.ReadInt64();
            var problems = new string[r.ReadInt32()];
            for (var i = 0; i < problems.Length; i++) problems[i] = r.ReadString();
            var entries = new FileRecord[r.ReadInt32()];
            for (var i = 0; i < entries.Length; i++)
            {
                var path = r.ReadString();
                var kind = (LayerEntryKind)r.ReadByte();
                var fsize = r.ReadInt64();
                var mode = r.ReadInt32();
                var uid = r.ReadInt32();
                var gid = r.ReadInt32();
                var hash = r.ReadUInt64();
                var link = r.ReadBoolean() ? r.ReadString() : null;
                entries[i] = new FileRecord(path, kind, fsize, mode, uid, gid, hash, link);
            }
            File.SetLastWriteTimeUtc(p, DateTime.UtcNow);
            return new LayerScan { DiffId = diffId, TarLength = tarLength, Size = size, Problems = problems, Entries = entries };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    public void Save(LayerScan scan)
    {
        var p = PathOf(scan.DiffId);
        if (p.Length == 0 || File.Exists(p)) return;
        var tmp = p + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".part";
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            using (var w = new BinaryWriter(new System.IO.Compression.BrotliStream(fs, System.IO.Compression.CompressionLevel.Fastest)))
            {
                w.Write(FormatVersion);
                w.Write(scan.DiffId);
                w.Write(scan.TarLength);
                w.Write(scan.Size);
                w.Write(scan.Problems.Length);
                foreach (var pr in scan.Problems) w.Write(pr);
                w.Write(scan.Entries.Length);
                foreach (var e in scan.Entries)
                {
                    w.Write(e.Path);
                    w.Write((byte)e.Kind);
                    w.Write(e.Size);
                    w.Write(e.Mode);
                    w.Write(e.Uid);
                    w.Write(e.Gid);
                    w.Write(e.Hash);
                    w.Write(e.Link != null);
                    if (e.Link != null) w.Write(e.Link);
                }
            }
            File.Move(tmp, p, overwrite: true);
            Evict(p);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(tmp); } catch (Exception x) when (x is IOException or UnauthorizedAccessException) { }
        }
    }

    void Evict(string keep)
    {
        var files = new DirectoryInfo(Directory).EnumerateFiles().Where(f => !f.Name.EndsWith(".part", StringComparison.Ordinal)).ToList();
        var total = files.Sum(f => f.Length);
        foreach (var f in files.OrderBy(f => f.LastWriteTimeUtc))
        {
            if (total <= MaxBytes) break;
            if (f.FullName == keep) continue;
            total -= f.Length;
            try { f.Delete(); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }
}
