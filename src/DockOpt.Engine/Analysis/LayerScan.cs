using System.Collections.Concurrent;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis;

/// <summary>Compact metadata of one entry of a layer (what the accounting needs; no content).</summary>
public readonly struct FileRecord
{
    public FileRecord(string path, LayerEntryKind kind, long size, int mode, int uid, int gid, ulong hash, string? link)
    {
        Path = path;
        Kind = kind;
        Size = size;
        Mode = mode;
        Uid = uid;
        Gid = gid;
        Hash = hash;
        Link = link;
    }

    public string Path { get; }
    public LayerEntryKind Kind { get; }
    /// <summary>Content size of regular files; 0 otherwise.</summary>
    public long Size { get; }
    public int Mode { get; }
    public int Uid { get; }
    public int Gid { get; }
    /// <summary>XxHash3 of the content (regular files), else 0.</summary>
    public ulong Hash { get; }
    /// <summary>Symlink target as stored, or the normalised hard link target.</summary>
    public string? Link { get; }

    /// <summary>Bytes overlay2 accounts for this entry: file size, symlink target length, 0 otherwise.</summary>
    public long StoredSize => Kind switch
    {
        LayerEntryKind.RegularFile => Size,
        LayerEntryKind.Symlink => System.Text.Encoding.UTF8.GetByteCount(Link ?? ""),
        _ => 0,
    };

    public bool IsDirectory => Kind == LayerEntryKind.Directory;
    public bool IsDeletion => Kind is LayerEntryKind.Whiteout or LayerEntryKind.OpaqueWhiteout;
}

/// <summary>The result of scanning one layer: position-independent, so it is cached by diff ID and reused by any image.</summary>
public sealed class LayerScan
{
    public string DiffId { get; internal set; } = "";
    public long TarLength { get; internal set; }

    /// <summary>Entries in tar order, one per path (a path written twice in one tar keeps the last).</summary>
    public FileRecord[] Entries { get; internal set; } = Array.Empty<FileRecord>();

    /// <summary>Bytes as overlay2 (docker history) accounts for the layer.</summary>
    public long Size { get; internal set; }

    /// <summary>Odd entries (escapes, unknown types), at most 50.</summary>
    public string[] Problems { get; internal set; } = Array.Empty<string>();

    internal long ApproximateBytes => 64 + Entries.Length * 96L + Entries.Sum(e => (long)e.Path.Length * 2 + (e.Link?.Length ?? 0) * 2);
}

/// <summary>An <see cref="ILayerVisitor"/> that keeps <see cref="FileRecord"/>s and hashes every regular file's content.</summary>
internal sealed class LayerScanner : ILayerVisitor
{
    readonly List<FileRecord> _entries = new();
    readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    readonly List<string> _problems = new();
    readonly Action<long>? _progress;
    long _bytes;

    public LayerScanner(Action<long>? progress = null) => _progress = progress;

    public void OnEntry(LayerEntry e)
    {
        if (e.Problem != null && _problems.Count < 50) _problems.Add($"{e.Name}: {e.Problem}");
        if (e.Escapes || e.Kind == LayerEntryKind.Other) return; // reported, never applied
        if (e.Path.Length == 0 && e.Kind == LayerEntryKind.Directory) return; // the root itself
        ulong hash = 0;
        if (e.Kind == LayerEntryKind.RegularFile)
        {
            hash = e.Content.GetContentHash();
            _bytes += e.Size;
            _progress?.Invoke(e.Size);
        }
        // Whiteouts and additions of the same path in one tar are different operations: key them apart.
        var key = e.Kind is LayerEntryKind.Whiteout ? "\0wh:" + e.Path : e.Kind is LayerEntryKind.OpaqueWhiteout ? "\0opq:" + e.Path : e.Path;
        var rec = new FileRecord(e.Path, e.Kind, e.Kind == LayerEntryKind.RegularFile ? e.Size : 0, e.Mode, e.Uid, e.Gid, hash, e.LinkTarget);
        if (_index.TryGetValue(key, out var i)) _entries[i] = rec;
        else
        {
            _index[key] = _entries.Count;
            _entries.Add(rec);
        }
    }

    public LayerScan Finish(LayerDigest digest)
    {
        var entries = _entries.ToArray();
        return new LayerScan
        {
            DiffId = digest.DiffId,
            TarLength = digest.TarLength,
            Entries = entries,
            Size = OverlaySize(entries),
            Problems = _problems.ToArray(),
        };
    }

    /// <summary>
    /// The size overlay2 records for a layer (moby pkg/directory.Size over the layer's diff directory): st_size of every
    /// non-directory, counting each inode once (hard links are free) and skipping zero sizes; a symlink's st_size is the
    /// length of its target; whiteouts are 0/0 character devices and opaque markers are xattrs.
    /// </summary>
    internal static long OverlaySize(IEnumerable<FileRecord> entries)
    {
        long size = 0;
        foreach (var e in entries) size += e.StoredSize;
        return size;
    }
}

/// <summary>
/// Per-session cache of <see cref="LayerScan"/>s by diff ID (a second image that shares layers skips parsing them), with
/// a fingerprint index that lets the reader recognise a layer of a <c>docker save</c> stream before its diff ID is known.
/// Bounded: the oldest scans are dropped beyond <see cref="MaxBytes"/>.
/// </summary>
public sealed class LayerScanCache
{
    public static readonly LayerScanCache Shared = new();

    readonly ConcurrentDictionary<string, LayerScan> _byDiffId = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, string> _byFingerprint = new(StringComparer.Ordinal);
    readonly ConcurrentQueue<string> _order = new();
    readonly ConcurrentDictionary<string, CachedImage> _images = new(StringComparer.Ordinal);
    long _bytes;

    /// <summary>Upper bound of the approximate memory the cache may hold (default 256 MB).</summary>
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;

    public int Count => _byDiffId.Count;

    public bool TryGet(string diffId, out LayerScan scan) => _byDiffId.TryGetValue(diffId, out scan!);

    public string? DiffIdForFingerprint(string fingerprint) =>
        fingerprint.Length > 0 && _byFingerprint.TryGetValue(fingerprint, out var d) && _byDiffId.ContainsKey(d) ? d : null;

    public void Add(LayerScan scan, string? fingerprint)
    {
        if (_byDiffId.TryAdd(scan.DiffId, scan))
        {
            _order.Enqueue(scan.DiffId);
            Interlocked.Add(ref _bytes, scan.ApproximateBytes);
        }
        if (!string.IsNullOrEmpty(fingerprint)) _byFingerprint[fingerprint] = scan.DiffId;
        while (Interlocked.Read(ref _bytes) > MaxBytes && _order.TryDequeue(out var old))
            if (_byDiffId.TryRemove(old, out var removed)) Interlocked.Add(ref _bytes, -removed.ApproximateBytes);
    }

    internal bool TryGetImage(string imageId, out CachedImage image) => _images.TryGetValue(imageId, out image!);
    internal void AddImage(string imageId, CachedImage image) => _images[imageId] = image;

    public void Clear()
    {
        _byDiffId.Clear();
        _byFingerprint.Clear();
        _images.Clear();
        while (_order.TryDequeue(out _)) { }
        Interlocked.Exchange(ref _bytes, 0);
    }
}

/// <summary>What is kept of an image's manifest so that a repeat analysis needs no export when all its layers are cached.</summary>
internal sealed class CachedImage
{
    public ImageConfigSummary Config { get; init; } = new();
    public string[] DiffIds { get; init; } = Array.Empty<string>();
    public ImageArchiveFormat Format { get; init; }
}
