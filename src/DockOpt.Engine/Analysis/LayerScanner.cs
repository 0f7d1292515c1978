using System.Collections.Concurrent;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis;

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
