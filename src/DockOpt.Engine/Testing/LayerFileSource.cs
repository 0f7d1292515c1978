using DockOpt.Engine.Engine;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Testing;

/// <summary>
/// Reads paths from an image's layers with the streaming <see cref="ImageReader"/> (the engine's image export): no
/// container, no shell. Applies layers in order with whiteouts and opaque directories. A path under a symlinked
/// directory (Debian's /bin → usr/bin), or a symlink whose content is checked, is resolved with another read pass (at
/// most <see cref="MaxPasses"/>).
/// </summary>
public sealed class LayerFileSource : IImageFileSource
{
    /// <summary>Content kept per file for regex checks; SHA-256 always covers the whole file.</summary>
    public const int MaxContentBytes = 8 * 1024 * 1024;
    const int MaxPasses = 4;

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
        var result = new Dictionary<string, ImageFileEntry?>(StringComparer.Ordinal);
        // original path -> the path to look up now (changes when a symlinked directory is resolved)
        var pending = paths.Distinct(StringComparer.Ordinal).ToDictionary(p => p, p => Rel(p), StringComparer.Ordinal);
        var wantContent = new HashSet<string>(contentPaths, StringComparer.Ordinal);
        var links = new Dictionary<string, Captured>(StringComparer.Ordinal);
        for (var pass = 0; pass < MaxPasses && pending.Count > 0; pass++)
        {
            var lookup = new HashSet<string>(pending.Values, StringComparer.Ordinal);
            var ancestors = new HashSet<string>(lookup.SelectMany(Ancestors), StringComparer.Ordinal);
            var contentRel = new HashSet<string>(pending.Where(kv => wantContent.Contains(kv.Key)).Select(kv => kv.Value), StringComparer.Ordinal);
            var state = await ReadPassAsync(imageId, lookup, ancestors, contentRel, ct).ConfigureAwait(false);
            var next = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (orig, rel) in pending)
            {
                // A symlinked ancestor: rewrite the path through it and look again.
                string? rewritten = null;
                foreach (var a in Ancestors(rel))
                    if (state.TryGetValue(a, out var ae) && ae?.Kind == LayerEntryKind.Symlink && ae.LinkTarget != null)
                    {
                        rewritten = Rel(Join(Parent(a), ae.LinkTarget) + rel.Substring(a.Length));
                        break;
                    }
                    else if (state.TryGetValue(a, out var ad) && ad != null && ad.Kind != LayerEntryKind.Directory)
                    {
                        rewritten = null; // a file where a directory should be: the path cannot exist
                        state[rel] = null;
                        break;
                    }
                if (rewritten != null && rewritten != rel) { next[orig] = rewritten; continue; }
                state.TryGetValue(rel, out var e);
                if (e?.Kind == LayerEntryKind.Symlink && e.LinkTarget != null && wantContent.Contains(orig))
                {
                    // Content checks read through a symlink (like cat); type, mode and owner stay the link's own.
                    links.TryAdd(orig, e);
                    next[orig] = Rel(Join(Parent(rel), e.LinkTarget));
                    continue;
                }
                if (links.TryGetValue(orig, out var link))
                {
                    result[orig] = new ImageFileEntry
                    {
                        Path = orig, Type = "symlink", Mode = link.Mode, Uid = link.Uid, Gid = link.Gid, LinkTarget = link.LinkTarget,
                        Size = e?.Size ?? 0, Content = e?.Kind == LayerEntryKind.RegularFile ? e.Content : null, Sha256 = e?.Sha256,
                    };
                    continue;
                }
                result[orig] = e == null ? null : new ImageFileEntry
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
            pending = next;
        }
        foreach (var orig in pending.Keys) result[orig] = null; // symlink loop or too deep
        return result;
    }

    async Task<Dictionary<string, Captured?>> ReadPassAsync(string imageId, HashSet<string> lookup, HashSet<string> ancestors,
        HashSet<string> contentRel, CancellationToken ct)
    {
        var byLayer = new Dictionary<string, LayerCapture>(StringComparer.Ordinal);
        IReadOnlyList<ImageLayerRef>? order = null;
        bool Interesting(string p) => lookup.Contains(p) || ancestors.Contains(p);
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
                        if (Interesting(p)) cap.Whiteouts.Add(p);
                        return;
                    case LayerEntryKind.OpaqueWhiteout:
                        if (ancestors.Contains(p) || p.Length == 0) cap.Opaque.Add(p);
                        return;
                }
                if (!Interesting(p)) return;
                var c = new Captured { Kind = entry.Kind, Mode = entry.Mode, Uid = entry.Uid, Gid = entry.Gid, Size = entry.Size, LinkTarget = entry.LinkTarget };
                if (entry.Kind == LayerEntryKind.RegularFile && contentRel.Contains(p))
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
        catch (DockOptException e) when (e.ErrorId != "ImageNotFound")
        {
            throw new DockOptException("ImageFilesUnreadable", DockOptErrorCategory.ReadError,
                $"The files of image '{imageId}' could not be read from its layers: {e.Message}", imageId, e.RecommendedAction, e);
        }
        if (order == null)
            throw new DockOptException("ImageFilesUnreadable", DockOptErrorCategory.ReadError,
                $"The export of image '{imageId}' had no manifest.", imageId, "Check the image with 'docker image inspect'.");

        // Apply layers bottom-up: opaque dirs and whiteouts hide lower entries, then this layer's entries win.
        var state = new Dictionary<string, Captured?>(StringComparer.Ordinal);
        foreach (var layer in order)
        {
            if (!byLayer.TryGetValue(layer.Key, out var cap)) continue;
            foreach (var dir in cap.Opaque)
                foreach (var k in state.Keys.ToList())
                    if (IsUnder(k, dir)) state[k] = null;
            foreach (var w in cap.Whiteouts)
                foreach (var k in state.Keys.ToList())
                    if (k == w || IsUnder(k, w)) state[k] = null;
            foreach (var (p, c) in cap.Entries)
            {
                // A non-directory replacing a directory hides what was below it.
                if (c.Kind != LayerEntryKind.Directory)
                    foreach (var k in state.Keys.ToList())
                        if (IsUnder(k, p)) state[k] = null;
                state[p] = c;
            }
        }
        return state;
    }

    static bool IsUnder(string path, string dir) => dir.Length == 0 ? path.Length > 0 : path.StartsWith(dir + "/", StringComparison.Ordinal);

    /// <summary>"/etc/passwd" → "etc/passwd" (the reader's form); "/" → "".</summary>
    static string Rel(string path) => FileChecks.Normalize(path).TrimStart('/');

    static IEnumerable<string> Ancestors(string rel)
    {
        for (var i = rel.IndexOf('/'); i >= 0; i = rel.IndexOf('/', i + 1)) yield return rel.Substring(0, i);
    }

    static string Parent(string rel) => rel.Contains('/') ? rel.Substring(0, rel.LastIndexOf('/')) : "";

    static string Join(string parentRel, string target) => target.StartsWith('/') ? target : "/" + parentRel + "/" + target;
}
