using DockOpt.Engine.DockerApi;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Testing;

/// <summary>
/// Reads paths from an image's layers with the streaming <see cref="ImageReader"/> (the engine's image export): no
/// container, no shell. One pass keeps every entry's metadata (not its content), the whiteouts and opaque directories
/// of each layer; paths are then resolved over the layers in order, through symlinked directories (Debian's /bin →
/// usr/bin) and, for content checks, through a symlinked file. Content is kept only for the asked paths and for the
/// targets of symlinks met on the way to them; a target that only became known after its file went by in the stream
/// costs one more pass (at most <see cref="MaxPasses"/> in all).
/// </summary>
public sealed class LayerFileSource : IImageFileSource
{
    /// <summary>Content kept per file for regex checks; SHA-256 always covers the whole file.</summary>
    public const int MaxContentBytes = 8 * 1024 * 1024;
    const int MaxPasses = 2;
    const int MaxLinkHops = 40; // as Linux's MAXSYMLINKS

    readonly Func<string, ImageSource> _source;

    public LayerFileSource(DockerEngine engine) => _source = id => ImageSource.FromEngine(engine, id);

    /// <summary>For tests: any image source (a docker save tar, an OCI layout).</summary>
    public LayerFileSource(Func<string, ImageSource> source) => _source = source;

    sealed class Captured
    {
        public LayerEntryKind Kind;
        public int Mode, Uid, Gid;
        public long Size;
        public string? LinkTarget;
        public byte[]? Content;
        public string? Sha256;
    }

    sealed class LayerCapture
    {
        public readonly Dictionary<string, Captured> Entries = new(StringComparer.Ordinal);
        public readonly HashSet<string> Whiteouts = new(StringComparer.Ordinal);
        public readonly HashSet<string> Opaque = new(StringComparer.Ordinal);
    }

    public async Task<IReadOnlyDictionary<string, ImageFileEntry?>> ReadAsync(string imageId, IReadOnlyCollection<string> paths,
        IReadOnlyCollection<string> contentPaths, CancellationToken ct)
    {
        var wanted = paths.Distinct(StringComparer.Ordinal).ToList();
        var wantContent = new HashSet<string>(contentPaths, StringComparer.Ordinal);
        var contentRoots = wanted.Where(wantContent.Contains).Select(Rel).ToList();
        var contentRel = new HashSet<string>(contentRoots, StringComparer.Ordinal);
        var result = new Dictionary<string, ImageFileEntry?>(StringComparer.Ordinal);
        for (var pass = 0; pass < MaxPasses; pass++)
        {
            var layers = await ReadPassAsync(imageId, contentRoots, contentRel, ct).ConfigureAwait(false);
            var missing = new HashSet<string>(StringComparer.Ordinal);
            foreach (var orig in wanted)
                result[orig] = Resolve(layers, orig, wantContent.Contains(orig), missing);
            if (missing.Count == 0) break;
            contentRel.UnionWith(missing);
        }
        return result;
    }

    public async Task<IReadOnlyDictionary<string, ImageFileEntry>> ReadDirectoryAsync(string imageId, string directory, CancellationToken ct)
    {
        var dirRel = Rel(directory);
        var layers = await ReadPassAsync(imageId, new List<string>(), new HashSet<string>(StringComparer.Ordinal), ct, dirRel).ConfigureAwait(false);
        var result = new Dictionary<string, ImageFileEntry>(StringComparer.Ordinal);
        var names = layers.SelectMany(l => l.Entries.Keys).Where(k => Parent(k) == dirRel && k.Length > dirRel.Length).Distinct(StringComparer.Ordinal).OrderBy(k => k, StringComparer.Ordinal);
        foreach (var rel in names)
        {
            var e = Resolve(layers, "/" + rel, false, new HashSet<string>(StringComparer.Ordinal));
            if (e?.Type == "file" && e.Content != null) result["/" + rel] = e;
        }
        return result;
    }

    /// <summary>The entry <paramref name="orig"/> names in the final filesystem; adds to <paramref name="missing"/> a regular file whose content was wanted but not kept.</summary>
    static ImageFileEntry? Resolve(List<LayerCapture> layers, string orig, bool content, HashSet<string> missing)
    {
        var rel = Rel(orig);
        var e = Lookup(layers, ref rel);
        if (e == null) return null;
        if (e.Kind == LayerEntryKind.Symlink && e.LinkTarget != null && content)
        {
            // Content checks read through a symlink (like cat); type, mode and owner stay the link's own.
            var link = e;
            Captured? t = e;
            var hops = 0;
            while (t?.Kind == LayerEntryKind.Symlink && t.LinkTarget != null && hops++ < MaxLinkHops)
            {
                rel = Rel(Join(Parent(rel), t.LinkTarget));
                t = Lookup(layers, ref rel);
            }
            if (t?.Kind == LayerEntryKind.Symlink) t = null; // a loop or too deep
            if (t?.Kind == LayerEntryKind.RegularFile && t.Content == null) missing.Add(rel);
            return new ImageFileEntry
            {
                Path = orig, Type = "symlink", Mode = link.Mode, Uid = link.Uid, Gid = link.Gid, LinkTarget = link.LinkTarget,
                Size = t?.Size ?? 0, Content = t?.Kind == LayerEntryKind.RegularFile ? t.Content : null, Sha256 = t?.Sha256,
            };
        }
        if (content && e.Kind == LayerEntryKind.RegularFile && e.Content == null) missing.Add(rel);
        return new ImageFileEntry
        {
            Path = orig,
            Type = e.Kind switch
            {
                LayerEntryKind.RegularFile => "file",
                LayerEntryKind.Directory => "directory",
                LayerEntryKind.Symlink => "symlink",
                LayerEntryKind.Hardlink => "hardlink",
                _ => "other",
            },
            Mode = e.Mode, Uid = e.Uid, Gid = e.Gid, Size = e.Size, LinkTarget = e.LinkTarget, Content = e.Content, Sha256 = e.Sha256,
        };
    }

    /// <summary>
    /// Looks <paramref name="rel"/> up in the final filesystem, rewriting it through symlinked ancestors (the final
    /// component is not followed). Null when absent, hidden, under a non-directory, or in a symlink loop.
    /// </summary>
    static Captured? Lookup(List<LayerCapture> layers, ref string rel)
    {
        for (var hops = 0; hops <= MaxLinkHops; hops++)
        {
            string? rewritten = null;
            foreach (var a in Ancestors(rel))
            {
                var ae = Visible(layers, a);
                if (ae == null) continue; // no entry for the directory itself: the tar may omit it
                if (ae.Kind == LayerEntryKind.Symlink && ae.LinkTarget != null)
                {
                    rewritten = Rel(Join(Parent(a), ae.LinkTarget) + rel.Substring(a.Length));
                    break;
                }
                if (ae.Kind != LayerEntryKind.Directory) return null; // a file where a directory should be
            }
            if (rewritten == null || rewritten == rel) return Visible(layers, rel);
            rel = rewritten;
        }
        return null;
    }

    /// <summary>The topmost entry for <paramref name="rel"/> not hidden by a whiteout, an opaque directory or a non-directory above it.</summary>
    static Captured? Visible(List<LayerCapture> layers, string rel)
    {
        for (var i = layers.Count - 1; i >= 0; i--)
        {
            var l = layers[i];
            if (l.Entries.TryGetValue(rel, out var c)) return c;
            if (l.Whiteouts.Contains(rel) || l.Opaque.Contains("")) return null;
            foreach (var a in Ancestors(rel))
                if (l.Whiteouts.Contains(a) || l.Opaque.Contains(a)
                    || (l.Entries.TryGetValue(a, out var ac) && ac.Kind != LayerEntryKind.Directory))
                    return null;
        }
        return null;
    }

    /// <param name="contentDirectory">Also keep the content of the regular files directly in this folder (no leading '/').</param>
    async Task<List<LayerCapture>> ReadPassAsync(string imageId, List<string> contentRoots, HashSet<string> contentRel, CancellationToken ct,
        string? contentDirectory = null)
    {
        var byLayer = new Dictionary<string, LayerCapture>(StringComparer.Ordinal);
        IReadOnlyList<ImageLayerRef>? order = null;
        // Symlinks seen so far in the stream (any layer, last wins): where a content path will likely lead, so its
        // target's content is kept when it comes by later. The layered lookup afterwards decides what is visible.
        var links = new Dictionary<string, string>(StringComparer.Ordinal);
        var visitor = new DelegateImageVisitor
        {
            WantLayer = _ => true,
            OnEntry = (blob, entry) =>
            {
                if (entry.Escapes) return;
                if (!byLayer.TryGetValue(blob.Key, out var cap)) byLayer[blob.Key] = cap = new LayerCapture();
                var p = entry.Path;
                switch (entry.Kind)
                {
                    case LayerEntryKind.Whiteout:
                        cap.Whiteouts.Add(p);
                        return;
                    case LayerEntryKind.OpaqueWhiteout:
                        cap.Opaque.Add(p);
                        return;
                }
                var c = new Captured { Kind = entry.Kind, Mode = entry.Mode, Uid = entry.Uid, Gid = entry.Gid, Size = entry.Size, LinkTarget = entry.LinkTarget };
                if (entry.Kind == LayerEntryKind.Symlink && entry.LinkTarget != null && contentRoots.Count > 0)
                {
                    links[p] = entry.LinkTarget;
                    foreach (var root in contentRoots) FollowLinks(links, root, contentRel);
                }
                if (entry.Kind == LayerEntryKind.RegularFile && (contentRel.Contains(p) || (contentDirectory != null && Parent(p) == contentDirectory)))
                {
                    entry.Content.EnableSha256();
                    var keep = (int)Math.Min(entry.Size, MaxContentBytes);
                    var buf = new byte[keep];
                    var got = 0;
                    int n;
                    while (got < keep && (n = entry.Content.Read(buf, got, keep - got)) > 0) got += n;
                    c.Content = got == keep ? buf : buf.AsSpan(0, got).ToArray();
                    c.Sha256 = entry.Content.GetSha256()?.Replace("sha256:", "");
                }
                cap.Entries[p] = c;
            },
            OnImage = img => order = img.Layers,
        };
        try
        {
            await ImageReader.ReadAsync(_source(imageId), visitor, ct).ConfigureAwait(false);
        }
        catch (DockOptException e) when (e.ErrorId != ErrorIds.ImageNotFound)
        {
            throw new DockOptException(ErrorIds.ImageFilesUnreadable, DockOptErrorCategory.ReadError,
                $"The files of image '{imageId}' could not be read from its layers: {e.Message}", imageId, e.RecommendedAction, e);
        }
        if (order == null)
            throw new DockOptException(ErrorIds.ImageFilesUnreadable, DockOptErrorCategory.ReadError,
                $"The export of image '{imageId}' had no manifest.", imageId, "Check the image with 'docker image inspect'.");
        return order.Select(l => byLayer.TryGetValue(l.Key, out var cap) ? cap : new LayerCapture()).ToList();
    }

    /// <summary>Adds to <paramref name="into"/> every path <paramref name="rel"/> leads to through the symlinks in <paramref name="links"/>.</summary>
    static void FollowLinks(Dictionary<string, string> links, string rel, HashSet<string> into)
    {
        for (var hops = 0; hops < MaxLinkHops; hops++)
        {
            string? next = null;
            foreach (var a in Ancestors(rel).Append(rel))
                if (links.TryGetValue(a, out var target))
                {
                    next = Rel(Join(Parent(a), target) + rel.Substring(a.Length));
                    break;
                }
            if (next == null || next == rel) return;
            into.Add(next);
            rel = next;
        }
    }

    /// <summary>"/etc/passwd" → "etc/passwd" (the reader's form); "/" → "".</summary>
    static string Rel(string path) => FileChecks.Normalize(path).TrimStart('/');

    static IEnumerable<string> Ancestors(string rel)
    {
        for (var i = rel.IndexOf('/'); i >= 0; i = rel.IndexOf('/', i + 1)) yield return rel.Substring(0, i);
    }

    static string Parent(string rel) => rel.Contains('/') ? rel.Substring(0, rel.LastIndexOf('/')) : "";

    static string Join(string parentRel, string target) => target.StartsWith('/') ? target : "/" + parentRel + "/" + target;
}
