using System.Text.RegularExpressions;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis;

/// <summary>
/// Stacks scanned layers bottom-up, exactly as overlay2 would (whiteouts and opaque directories apply to lower layers
/// only), and accounts every stored copy: visible in the final filesystem, or hidden (with the cause and the layer that
/// hid it). Memory is one node per visible path plus one small record per stored copy.
/// </summary>
public sealed class ImageAccounting
{
    sealed class Copy
    {
        public string Path = "";
        public int Layer;
        public long Stored;
        public long ContentSize;
        public ulong Hash;
        public bool IsRegular;
        public int HiddenBy = -1;
        public WasteCause Cause;
    }

    readonly Dictionary<string, FsNode> _nodes = new(StringComparer.Ordinal);
    readonly Dictionary<string, HashSet<string>> _children = new(StringComparer.Ordinal);
    readonly List<Copy> _copies = new();

    // dive's per-path accounting: cumulative, minimum, count.
    readonly Dictionary<string, (long C, long M, int K)> _dive = new(StringComparer.Ordinal);

    /// <summary>The visible paths after all layers (directories included).</summary>
    public IReadOnlyDictionary<string, FsNode> Nodes => _nodes;

    /// <summary>
    /// Builds the analysis figures for an image. <paramref name="history"/> is the config history (empty entries
    /// included); <paramref name="diffIds"/> the layers in order; <paramref name="scan"/> gives each layer's scan.
    /// </summary>
    public static (ImageAnalysis Analysis, ImageAccounting Fs) Compute(ImageConfigSummary config, IReadOnlyList<string> diffIds,
        Func<string, LayerScan> scan, int baseLayerCount, IReadOnlyList<string>? ignorePaths,
        ISet<string>? cachedDiffIds = null)
    {
        var acc = new ImageAccounting();
        var layers = MapHistory(config, diffIds);
        var rows = new List<LayerAnalysis>();
        foreach (var (hist, layerIndex, createdBy) in layers)
        {
            var row = new LayerAnalysis { Index = hist, LayerIndex = layerIndex, CreatedBy = createdBy, IsEmpty = layerIndex < 0 };
            if (layerIndex >= 0)
            {
                var s = scan(diffIds[layerIndex]);
                row.DiffId = diffIds[layerIndex];
                row.Size = s.Size;
                row.IsBaseLayer = layerIndex < baseLayerCount;
                row.FromCache = cachedDiffIds != null && cachedDiffIds.Contains(row.DiffId);
                acc.Apply(s, hist, row);
            }
            rows.Add(row);
        }
        var a = acc.Summarize(rows, ignorePaths);
        a.LayerCount = diffIds.Count;
        return (a, acc);
    }

    /// <summary>Pairs history entries with layers: each non-empty history entry takes the next diff ID.</summary>
    internal static List<(int History, int Layer, string CreatedBy)> MapHistory(ImageConfigSummary config, IReadOnlyList<string> diffIds)
    {
        var result = new List<(int, int, string)>();
        var nonEmpty = config.History.Count(h => !h.EmptyLayer);
        if (config.History.Length == 0 || nonEmpty != diffIds.Count)
        {
            for (var i = 0; i < diffIds.Count; i++) result.Add((i, i, i < config.History.Length ? config.History[i].CreatedBy : ""));
            return result;
        }
        var layer = 0;
        for (var h = 0; h < config.History.Length; h++)
        {
            var e = config.History[h];
            result.Add((h, e.EmptyLayer ? -1 : layer++, e.CreatedBy));
        }
        return result;
    }

    static string Parent(string path)
    {
        var i = path.LastIndexOf('/');
        return i < 0 ? "" : path.Substring(0, i);
    }

    void Link(string path)
    {
        // Register path under its parent, creating implicit parent directories up to the root.
        while (path.Length > 0)
        {
            var parent = Parent(path);
            if (!_children.TryGetValue(parent, out var set)) _children[parent] = set = new HashSet<string>(StringComparer.Ordinal);
            if (!set.Add(path)) return;
            if (parent.Length == 0) return;
            if (!_nodes.ContainsKey(parent)) _nodes[parent] = new FsNode { Path = parent, Kind = LayerEntryKind.Directory };
            path = parent;
        }
    }

    void Unlink(string path)
    {
        if (_children.TryGetValue(Parent(path), out var set)) set.Remove(path);
    }

    /// <summary>Removes a path and everything below it; reports each removed non-directory node.</summary>
    void RemoveTree(string path, bool includeSelf, Action<FsNode> removed)
    {
        if (_children.Remove(path, out var kids))
            foreach (var k in kids.ToArray()) RemoveTree(k, true, removed);
        if (!includeSelf) return;
        if (_nodes.Remove(path, out var node))
        {
            Unlink(path);
            if (node.Kind != LayerEntryKind.Directory) removed(node);
        }
    }

    long SubtreeRegularBytes(string path)
    {
        long sum = 0;
        if (_nodes.TryGetValue(path, out var n) && n.Kind == LayerEntryKind.RegularFile) sum += n.Size;
        if (_children.TryGetValue(path, out var kids))
            foreach (var k in kids) sum += SubtreeRegularBytes(k);
        return sum;
    }

    void Hide(FsNode node, int layer, WasteCause cause)
    {
        if (node.CopyId < 0) return;
        var c = _copies[node.CopyId];
        if (c.HiddenBy >= 0 || !string.Equals(c.Path, node.Path, StringComparison.Ordinal)) return; // hard link to a copy stored elsewhere
        c.HiddenBy = layer;
        c.Cause = cause;
    }

    static long StoredOf(FsNode n) => n.Kind switch
    {
        LayerEntryKind.RegularFile => n.Size,
        LayerEntryKind.Symlink => System.Text.Encoding.UTF8.GetByteCount(n.Link ?? ""),
        _ => 0,
    };

    void DiveAdd(string path, long s)
    {
        if (path.Length == 0) return;
        if (_dive.TryGetValue(path, out var v)) _dive[path] = (v.C + s, Math.Min(v.M, s), v.K + 1);
        else _dive[path] = (s, s, 1);
    }

    /// <summary>Stacks one layer onto the filesystem: its deletions first (they apply to the lower layers only), then its additions and rewrites in tar order.</summary>
    internal void Apply(LayerScan scan, int layer, LayerAnalysis row)
    {
        var ancestors = LeafAncestors(scan);
        ApplyDeletions(scan, layer, row, ancestors);
        var localCopies = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in scan.Entries)
        {
            if (e.IsDeletion) continue;
            if (!ancestors.Contains(e.Path)) DiveAdd(e.Path, e.Kind == LayerEntryKind.RegularFile ? e.Size : 0);
            _nodes.TryGetValue(e.Path, out var old);
            if (e.Kind == LayerEntryKind.Directory) ApplyDirectory(e, old, layer, row);
            else Place(e, NewNode(e, layer, localCopies), old, layer, row);
        }
    }

    /// <summary>dive counts leaf nodes only: the paths that are an ancestor of another entry of the same layer are not leaves.</summary>
    static HashSet<string> LeafAncestors(LayerScan scan)
    {
        var ancestors = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in scan.Entries)
        {
            var p = Parent(e.Path);
            while (p.Length > 0 && ancestors.Add(p)) p = Parent(p);
        }
        return ancestors;
    }

    /// <summary>Whiteouts and opaque directories hide lower paths.</summary>
    void ApplyDeletions(LayerScan scan, int layer, LayerAnalysis row, HashSet<string> ancestors)
    {
        foreach (var e in scan.Entries)
        {
            if (e.Kind == LayerEntryKind.Whiteout)
            {
                // dive: a whiteout of a directory weighs the directory's lower subtree, of a file 0.
                if (!ancestors.Contains(e.Path))
                    DiveAdd(e.Path, _nodes.TryGetValue(e.Path, out var lower) && lower.Kind == LayerEntryKind.Directory ? SubtreeRegularBytes(e.Path) : 0);
                RemoveTree(e.Path, true, n => Removed(n, layer, row, WasteCause.DeletedLater));
            }
            else if (e.Kind == LayerEntryKind.OpaqueWhiteout)
                RemoveTree(e.Path, false, n => Removed(n, layer, row, WasteCause.HiddenByOpaqueDirectory));
        }
    }

    void Removed(FsNode n, int layer, LayerAnalysis row, WasteCause cause)
    {
        row.FilesRemoved++;
        row.BytesDeleted += OwnedStored(n);
        Hide(n, layer, cause);
    }

    /// <summary>A directory entry: replaces a non-directory, or updates the metadata of the directory already there.</summary>
    void ApplyDirectory(in FileRecord e, FsNode? old, int layer, LayerAnalysis row)
    {
        if (old != null && old.Kind != LayerEntryKind.Directory)
        {
            Removed(old, layer, row, WasteCause.Overwritten);
            _nodes.Remove(e.Path);
        }
        if (old == null || old.Kind != LayerEntryKind.Directory)
        {
            _nodes[e.Path] = new FsNode { Path = e.Path, Kind = LayerEntryKind.Directory, Mode = e.Mode, Uid = e.Uid, Gid = e.Gid, Layer = layer };
            Link(e.Path);
        }
        else
        {
            old.Mode = e.Mode;
            old.Uid = e.Uid;
            old.Gid = e.Gid;
            old.Layer = layer;
        }
    }

    /// <summary>The node of a non-directory entry; files and symlinks are new stored copies, hard links share their target's.</summary>
    FsNode NewNode(in FileRecord e, int layer, Dictionary<string, int> localCopies)
    {
        var node = new FsNode
        {
            Path = e.Path, Kind = e.Kind, Size = e.Size, Mode = e.Mode, Uid = e.Uid, Gid = e.Gid, Hash = e.Hash, Link = e.Link, Layer = layer,
        };
        if (e.Kind is LayerEntryKind.RegularFile or LayerEntryKind.Symlink)
        {
            node.CopyId = _copies.Count;
            _copies.Add(new Copy
            {
                Path = e.Path, Layer = layer, Stored = e.StoredSize, ContentSize = e.Size, Hash = e.Hash,
                IsRegular = e.Kind == LayerEntryKind.RegularFile,
            });
            localCopies[e.Path] = node.CopyId;
        }
        else if (e.Kind == LayerEntryKind.Hardlink && e.Link != null)
        {
            // Same inode as its target: in this layer, or (rarely) a visible lower file.
            if (localCopies.TryGetValue(e.Link, out var cid)) node.CopyId = cid;
            else if (_nodes.TryGetValue(e.Link, out var target)) node.CopyId = target.CopyId;
            if (node.CopyId >= 0)
            {
                var c = _copies[node.CopyId];
                node.Size = c.ContentSize;
                node.Hash = c.Hash;
            }
        }
        return node;
    }

    /// <summary>Puts a non-directory node at its path: an addition, a replaced directory tree, or a rewrite classified by what changed.</summary>
    void Place(in FileRecord e, FsNode node, FsNode? old, int layer, LayerAnalysis row)
    {
        if (old == null || old.Kind == LayerEntryKind.Directory)
        {
            if (old != null) RemoveTree(e.Path, true, n => Removed(n, layer, row, WasteCause.DeletedLater));
            row.FilesAdded++;
            row.BytesAdded += e.StoredSize;
        }
        else
        {
            row.FilesModified++;
            row.BytesOverwritten += OwnedStored(old);
            var sameContent = old.Kind == e.Kind && old.Size == node.Size && old.Hash == node.Hash
                && string.Equals(old.Link, e.Link, StringComparison.Ordinal);
            var sameMeta = old.Mode == e.Mode && old.Uid == e.Uid && old.Gid == e.Gid;
            Hide(old, layer, !sameContent ? WasteCause.Overwritten
                : sameMeta ? WasteCause.OverwrittenWithIdenticalContent : WasteCause.MetadataOnlyRewrite);
            _nodes.Remove(e.Path);
        }
        _nodes[e.Path] = node;
        Link(e.Path);
    }

    long OwnedStored(FsNode n)
    {
        if (n.CopyId < 0) return 0;
        var c = _copies[n.CopyId];
        return string.Equals(c.Path, n.Path, StringComparison.Ordinal) ? c.Stored : 0;
    }

    /// <summary>Files the engine's init layer replaces with empty files in every container.</summary>
    public static readonly string[] InitLayerFiles = { "etc/hostname", "etc/hosts", "etc/resolv.conf" };

    ImageAnalysis Summarize(List<LayerAnalysis> rows, IReadOnlyList<string>? ignorePaths)
    {
        var a = new ImageAnalysis { Layers = rows.ToArray() };
        a.TotalSize = rows.Sum(r => r.Size);

        var visibleCopies = new HashSet<int>();
        var fileCount = 0;
        foreach (var n in _nodes.Values)
        {
            if (n.Kind == LayerEntryKind.Directory) continue;
            fileCount++;
            if (n.CopyId >= 0) visibleCopies.Add(n.CopyId);
        }
        a.FileCount = fileCount;
        a.FinalSize = visibleCopies.Sum(id => _copies[id].IsRegular ? _copies[id].ContentSize : 0);
        // The engine's init layer (moby daemon/initlayer) puts empty /etc/hostname, /etc/hosts and /etc/resolv.conf over
        // the image's in every container, so a container (and docker export) never shows their bytes.
        foreach (var p in InitLayerFiles)
            if (_nodes.TryGetValue(p, out var n) && n.Kind == LayerEntryKind.RegularFile && n.CopyId >= 0
                && string.Equals(_copies[n.CopyId].Path, p, StringComparison.Ordinal))
                a.FinalSize -= n.Size;

        var ignore = GlobSet.Create(ignorePaths);
        var waste = new List<WasteEntry>();
        var byLayer = rows.Where(r => !r.IsEmpty).ToDictionary(r => r.Index);
        for (var id = 0; id < _copies.Count; id++)
        {
            var c = _copies[id];
            if (visibleCopies.Contains(id)) continue;
            if (c.Stored == 0) continue;
            var row = byLayer[c.Layer];
            row.ReclaimableBytes += c.Stored;
            var w = new WasteEntry
            {
                Path = "/" + c.Path, Layer = c.Layer, HiddenByLayer = c.HiddenBy, Bytes = c.Stored, Cause = c.Cause, InBaseLayer = row.IsBaseLayer,
            };
            if (ignore.IsMatch(w.Path))
            {
                a.IgnoredReclaimableBytes += c.Stored;
                continue;
            }
            waste.Add(w);
        }
        a.Waste = waste.OrderByDescending(w => w.Bytes).ThenBy(w => w.Path, StringComparer.Ordinal).ToArray();
        a.ReclaimableBytes = waste.Sum(w => w.Bytes);
        a.Efficiency = a.TotalSize == 0 ? 1.0 : Math.Round(1.0 - (double)a.ReclaimableBytes / a.TotalSize, 6);

        AddDuplicates(a, visibleCopies, ignore);
        AddDiveFigures(a);

        var own = rows.Where(r => !r.IsEmpty && !r.IsBaseLayer).ToList();
        a.BaseLayerCount = rows.Count(r => !r.IsEmpty && r.IsBaseLayer);
        a.OwnSize = own.Sum(r => r.Size);
        a.OwnReclaimableBytes = a.Waste.Where(w => !w.InBaseLayer).Sum(w => w.Bytes);
        a.UserWastedPercent = a.OwnSize == 0 ? 0 : Math.Round(100.0 * a.OwnReclaimableBytes / a.OwnSize, 4);
        return a;
    }

    /// <summary>Duplicates: distinct stored copies of the final filesystem with equal size and content hash.</summary>
    void AddDuplicates(ImageAnalysis a, HashSet<int> visibleCopies, GlobSet ignore)
    {
        var groups = new Dictionary<(ulong, long), List<string>>();
        foreach (var id in visibleCopies)
        {
            var c = _copies[id];
            if (!c.IsRegular || c.ContentSize == 0) continue;
            var key = (c.Hash, c.ContentSize);
            if (!groups.TryGetValue(key, out var list)) groups[key] = list = new List<string>(2);
            list.Add("/" + c.Path);
        }
        var dups = groups.Where(g => g.Value.Count > 1 && !g.Value.All(ignore.IsMatch))
            .Select(g => new DuplicateGroup
            {
                ContentHash = g.Key.Item1.ToString("x16"),
                Size = g.Key.Item2,
                Count = g.Value.Count,
                DuplicateBytes = g.Key.Item2 * (g.Value.Count - 1),
                Paths = g.Value.OrderBy(p => p, StringComparer.Ordinal).ToArray(),
            })
            .OrderByDescending(d => d.DuplicateBytes).ThenBy(d => d.Paths[0], StringComparer.Ordinal).ToList();
        a.DuplicateBytes = dups.Sum(d => d.DuplicateBytes);
        a.Duplicates = dups.Take(100).ToArray();
    }

    /// <summary>dive's own efficiency and wasted bytes, computed its way for comparison.</summary>
    void AddDiveFigures(ImageAnalysis a)
    {
        long sumC = 0, sumM = 0, wasted = 0;
        foreach (var v in _dive.Values)
        {
            sumC += v.C;
            sumM += v.M;
            if (v.K >= 2) wasted += v.C;
        }
        a.DiveEfficiency = sumC == 0 ? 1.0 : Math.Round((double)sumM / sumC, 6);
        a.DiveWastedBytes = wasted;
    }
}
