using System.Text;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis;

/// <summary>
/// The layer scans of <see cref="LayerScanCache.Shared"/> on disk, so that a new session (the next CI step, the next demo
/// run) measures an image it measured before without exporting it again. A scan is keyed by the layer's diff ID (the
/// SHA-256 of its content, so it can never be stale), an image by its ID (the SHA-256 of its config), which is kept with
/// its diff IDs and config. Folder: <c>scans/</c> in DOCKOPT_LAYER_CACHE (a path, shared with the registry's
/// <see cref="Registry.LayerBlobCache"/>; <c>off</c> disables both), else
/// $XDG_CACHE_HOME/dockopt/layer-scans, else ~/.cache/dockopt/layer-scans. Files are written to a temporary name and
/// renamed, so parallel sessions share the folder safely; an unreadable or foreign file is a miss, never an error.
/// The oldest files go when the folder grows past <see cref="MaxBytes"/>.
/// </summary>
public sealed class LayerScanStore
{
    const string Magic = "DOLS";
    const int Version = 1;

    public LayerScanStore(string folder) => Folder = folder;

    public string Folder { get; }

    /// <summary>Upper bound of the folder's size (default 1 GiB).</summary>
    public long MaxBytes { get; set; } = 1L << 30;

    /// <summary>The store of this user, or null when DOCKOPT_LAYER_CACHE is <c>off</c> or no folder can be named.</summary>
    public static LayerScanStore? Default()
    {
        var env = Environment.GetEnvironmentVariable("DOCKOPT_LAYER_CACHE");
        if (string.Equals(env, "off", StringComparison.OrdinalIgnoreCase)) return null;
        if (!string.IsNullOrWhiteSpace(env)) return new LayerScanStore(Path.Combine(Path.GetFullPath(env.Trim()), "scans"));
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var root = !string.IsNullOrWhiteSpace(xdg) ? xdg : home.Length > 0 ? Path.Combine(home, ".cache") : null;
        return root == null ? null : new LayerScanStore(Path.Combine(root, "dockopt", "layer-scans"));
    }

    static string Hex(string digest) => digest.StartsWith("sha256:", StringComparison.Ordinal) && digest.Length == 71 && digest[7..].All(Uri.IsHexDigit)
        ? digest[7..] : "";

    string ScanPath(string diffId) => Path.Combine(Folder, Hex(diffId) + ".scan");
    string ImagePath(string imageId) => Path.Combine(Folder, "image-" + Hex(imageId) + ".bin");

    public LayerScan? TryLoad(string diffId)
    {
        if (Hex(diffId).Length == 0) return null;
        try
        {
            using var r = new BinaryReader(File.OpenRead(ScanPath(diffId)), Encoding.UTF8);
            if (r.ReadString() != Magic || r.ReadInt32() != Version || r.ReadString() != diffId) return null;
            var scan = new LayerScan { DiffId = diffId, TarLength = r.ReadInt64(), Size = r.ReadInt64() };
            var problems = new string[r.ReadInt32()];
            for (var i = 0; i < problems.Length; i++) problems[i] = r.ReadString();
            var entries = new FileRecord[r.ReadInt32()];
            for (var i = 0; i < entries.Length; i++)
            {
                var path = r.ReadString();
                var kind = (LayerEntryKind)r.ReadByte();
                var size = r.ReadInt64();
                var mode = r.ReadInt32();
                var uid = r.ReadInt32();
                var gid = r.ReadInt32();
                var hash = r.ReadUInt64();
                var link = r.ReadBoolean() ? r.ReadString() : null;
                entries[i] = new FileRecord(path, kind, size, mode, uid, gid, hash, link);
            }
            scan.Problems = problems;
            scan.Entries = entries;
            return scan;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or EndOfStreamException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    public void Save(LayerScan scan)
    {
        if (Hex(scan.DiffId).Length == 0 || File.Exists(ScanPath(scan.DiffId))) return;
        Write(ScanPath(scan.DiffId), w =>
        {
            w.Write(Magic);
            w.Write(Version);
            w.Write(scan.DiffId);
            w.Write(scan.TarLength);
            w.Write(scan.Size);
            w.Write(scan.Problems.Length);
            foreach (var p in scan.Problems) w.Write(p);
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
        });
    }

    /// <summary>An image measured before: its config (parsed again from the stored JSON), diff IDs and archive format.</summary>
    internal CachedImage? TryLoadImage(string imageId)
    {
        if (Hex(imageId).Length == 0) return null;
        try
        {
            using var r = new BinaryReader(File.OpenRead(ImagePath(imageId)), Encoding.UTF8);
            if (r.ReadString() != Magic || r.ReadInt32() != Version || r.ReadString() != imageId) return null;
            var format = (ImageArchiveFormat)r.ReadInt32();
            var diffIds = new string[r.ReadInt32()];
            for (var i = 0; i < diffIds.Length; i++) diffIds[i] = r.ReadString();
            var json = r.ReadBytes(r.ReadInt32());
            return new CachedImage { Config = ImageReader.ParseConfig(json, imageId), ConfigJson = json, DiffIds = diffIds, Format = format };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or EndOfStreamException or FormatException or ArgumentException or DockOptException)
        {
            return null;
        }
    }

    internal void SaveImage(string imageId, CachedImage image)
    {
        if (Hex(imageId).Length == 0 || image.ConfigJson.Length == 0 || File.Exists(ImagePath(imageId))) return;
        Write(ImagePath(imageId), w =>
        {
            w.Write(Magic);
            w.Write(Version);
            w.Write(imageId);
            w.Write((int)image.Format);
            w.Write(image.DiffIds.Length);
            foreach (var d in image.DiffIds) w.Write(d);
            w.Write(image.ConfigJson.Length);
            w.Write(image.ConfigJson);
        });
    }

    /// <summary>Writes through a temporary file and a rename; a failure leaves no file and is not an error (the cache is an optimisation).</summary>
    void Write(string path, Action<BinaryWriter> write)
    {
        if (IO.AtomicFile.TryWriteCacheEntry(path, stream =>
            {
                using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
                write(w);
            }))
            Trim();
    }

    /// <summary>Removes the least recently written files beyond <see cref="MaxBytes"/>.</summary>
    void Trim()
    {
        var files = new DirectoryInfo(Folder).GetFiles().Where(f => !f.Name.EndsWith(".part", StringComparison.Ordinal)).ToList();
        var total = files.Sum(f => f.Length);
        foreach (var f in files.OrderBy(f => f.LastWriteTimeUtc))
        {
            if (total <= MaxBytes) break;
            total -= f.Length;
            try { f.Delete(); } catch (IOException) { }
        }
    }
}
