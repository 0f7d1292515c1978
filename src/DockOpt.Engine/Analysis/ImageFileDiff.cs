using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis;

/// <summary>
/// File-level differences between the final filesystems of two images (from <see cref="ImageAnalyzer"/>): files added,
/// removed and modified (content hash, mode, owner, link target) with size deltas, plus per-directory roll-ups.
/// </summary>
public static class ImageFileDiff
{
    /// <summary>
    /// Reads two local images from the engine (layers they share are parsed once, through <paramref name="cache"/>)
    /// and compares their final filesystems. This is what Compare-DockOptImage -Detailed calls.
    /// </summary>
    public static async Task<List<FileChange>> CompareAsync(DockOpt.Engine.DockerApi.DockerEngine engine, string oldImage, string newImage,
        IDockOptSink sink, CancellationToken ct, LayerScanCache? cache = null, int rollupDepth = 2)
    {
        cache ??= LayerScanCache.Shared;
        var analyzer = new ImageAnalyzer(sink, cache);
        var a = await analyzer.AnalyzeAsync(new ImageAnalyzer.Request { Source = ImageSource.FromEngine(engine, oldImage), Name = oldImage, ProgressId = 41 }, ct)
            .ConfigureAwait(false);
        var b = await analyzer.AnalyzeAsync(new ImageAnalyzer.Request { Source = ImageSource.FromEngine(engine, newImage), Name = newImage, ProgressId = 42 }, ct)
            .ConfigureAwait(false);
        return Compare(a.FileSystem, b.FileSystem, rollupDepth);
    }

    /// <summary>
    /// Compares <paramref name="oldFs"/> with <paramref name="newFs"/>. File rows first (sorted by path), then, when
    /// <paramref name="rollupDepth"/> &gt; 0, one roll-up row per changed directory up to that depth (e.g. 2:
    /// <c>/usr</c>, <c>/usr/lib</c>), sorted by the absolute size delta.
    /// </summary>
    public static List<FileChange> Compare(IReadOnlyDictionary<string, FsNode> oldFs, IReadOnlyDictionary<string, FsNode> newFs, int rollupDepth = 2)
    {
        var changes = new List<FileChange>();
        foreach (var (path, n) in newFs)
        {
            if (n.Kind == LayerEntryKind.Directory) continue;
            if (!oldFs.TryGetValue(path, out var o) || o.Kind == LayerEntryKind.Directory)
            {
                changes.Add(Row(path, "Added", null, n));
                continue;
            }
            var content = o.Kind != n.Kind || o.Size != n.Size || o.Hash != n.Hash || !string.Equals(o.Link, n.Link, StringComparison.Ordinal);
            var mode = o.Mode != n.Mode;
            var owner = o.Uid != n.Uid || o.Gid != n.Gid;
            if (content || mode || owner)
            {
                var r = Row(path, "Modified", o, n);
                r.ContentChanged = content;
                r.ModeChanged = mode;
                r.OwnerChanged = owner;
                changes.Add(r);
            }
        }
        foreach (var (path, o) in oldFs)
        {
            if (o.Kind == LayerEntryKind.Directory) continue;
            if (!newFs.TryGetValue(path, out var n) || n.Kind == LayerEntryKind.Directory) changes.Add(Row(path, "Removed", o, null));
        }
        changes.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        if (rollupDepth <= 0) return changes;

        var dirs = new Dictionary<string, FileChange>(StringComparer.Ordinal);
        foreach (var c in changes)
        {
            var parts = c.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            for (var d = 1; d <= Math.Min(rollupDepth, parts.Length - 1); d++)
            {
                var dir = "/" + string.Join('/', parts.Take(d));
                if (!dirs.TryGetValue(dir, out var r))
                    dirs[dir] = r = new FileChange { Path = dir, Kind = "Directory", IsRollup = true, Change = "Modified" };
                r.OldSize += c.OldSize;
                r.NewSize += c.NewSize;
                r.SizeDelta += c.SizeDelta;
                switch (c.Change)
                {
                    case "Added": r.FilesAdded++; break;
                    case "Removed": r.FilesRemoved++; break;
                    default: r.FilesModified++; break;
                }
            }
        }
        foreach (var r in dirs.Values)
        {
            if (r.FilesModified == 0 && r.FilesRemoved == 0) r.Change = "Added";
            else if (r.FilesModified == 0 && r.FilesAdded == 0) r.Change = "Removed";
        }
        changes.AddRange(dirs.Values.OrderByDescending(r => Math.Abs(r.SizeDelta)).ThenBy(r => r.Path, StringComparer.Ordinal));
        return changes;
    }

    static string KindName(LayerEntryKind k) => k switch
    {
        LayerEntryKind.RegularFile => "File",
        LayerEntryKind.CharDevice or LayerEntryKind.BlockDevice => "Device",
        _ => k.ToString(),
    };

    static FileChange Row(string path, string change, FsNode? o, FsNode? n)
    {
        long Size(FsNode? x) => x == null ? 0 : x.Kind == LayerEntryKind.RegularFile ? x.Size : 0;
        string? Hash(FsNode? x) => x == null ? null : x.Kind == LayerEntryKind.RegularFile || x.Kind == LayerEntryKind.Hardlink ? x.Hash.ToString("x16") : x.Link;
        return new FileChange
        {
            Path = "/" + path,
            Change = change,
            Kind = KindName((n ?? o)!.Kind),
            OldSize = Size(o),
            NewSize = Size(n),
            SizeDelta = Size(n) - Size(o),
            OldMode = o == null ? null : Convert.ToString(o.Mode, 8).PadLeft(4, '0'),
            NewMode = n == null ? null : Convert.ToString(n.Mode, 8).PadLeft(4, '0'),
            OldOwner = o == null ? null : $"{o.Uid}:{o.Gid}",
            NewOwner = n == null ? null : $"{n.Uid}:{n.Gid}",
            OldHash = Hash(o),
            NewHash = Hash(n),
            ContentChanged = change != "Modified",
        };
    }
}
