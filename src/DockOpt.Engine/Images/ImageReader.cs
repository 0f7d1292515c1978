using System.Formats.Tar;
using System.Text.Json;
using DockOpt.Engine.DockerApi;

namespace DockOpt.Engine.Images;

/// <summary>
/// The engine's single way into image contents. Reads an image ONCE, streaming, never holding a layer or the image whole
/// in memory or on disk.
/// <para>How to use it: implement <see cref="IImageVisitor"/> (or use <see cref="DelegateImageVisitor"/>) and call
/// <c>await ImageReader.ReadAsync(ImageSource.FromEngine(engine, "app:1"), visitor, ct)</c>. Sources:
/// <see cref="ImageSource.FromEngine"/> (the engine's export), <see cref="ImageSource.FromArchive"/> (a <c>docker save</c>
/// tar, legacy or Docker 25+ OCI; podman and skopeo docker-archive; crane and kaniko tarballs; an OCI archive),
/// <see cref="ImageSource.FromOciLayout"/> (an OCI layout, a skopeo <c>dir:</c> directory). The layout is found by
/// <see cref="ImageArchiveLayout"/>, the platform picked from an index by <see cref="ImageReadOptions.Platform"/>.</para>
/// <para>The reader calls, on one thread: <see cref="IImageVisitor.BeginLayer"/> for each layer blob. From a stream (the
/// engine's export) that is ARCHIVE order (a <c>docker save</c> tar stores layers in random order with the manifest last,
/// so the layer index is not known yet: <see cref="LayerBlob.ExpectedIndex"/> is -1 then); from a file or a directory
/// the manifest is read first and layers come in image order with their index and expected diff ID; the returned <see cref="ILayerVisitor"/> gets every tar
/// entry as a <see cref="LayerEntry"/> (normalised path, whiteouts and opaque directories recognised, <c>..</c> escapes
/// flagged) whose <see cref="LayerEntry.Content"/> stream can be read or hashed during the call only; then
/// <see cref="IImageVisitor.EndLayer"/> with the computed diff ID; and last <see cref="IImageVisitor.EndImage"/> with the
/// config and the layers in order. So: keep compact per-layer results keyed by <see cref="LayerBlob.Key"/> (or by the diff
/// ID from EndLayer), and do the order-dependent work in EndImage.</para>
/// </summary>
public static class ImageReader
{
    internal const long MaxJsonBytes = 32L * 1024 * 1024;

    /// <summary>Reads the image from <paramref name="source"/> into <paramref name="visitor"/>.</summary>
    public static Task ReadAsync(ImageSource source, IImageVisitor visitor, CancellationToken ct) =>
        source.ReadAsync(visitor, ImageReadOptions.Default, ct);

    /// <summary>Reads the image with <paramref name="options"/>.</summary>
    public static Task ReadAsync(ImageSource source, IImageVisitor visitor, ImageReadOptions options, CancellationToken ct) =>
        source.ReadAsync(visitor, options ?? ImageReadOptions.Default, ct);

    /// <summary>Reads a <c>docker save</c> / OCI archive tar stream (synchronously, on the caller's thread).</summary>
    public static void ReadArchiveStream(Stream archive, string description, IImageVisitor visitor, CancellationToken ct) =>
        ReadArchiveStream(archive, description, visitor, ImageReadOptions.Default, ct);

    /// <summary>Reads a <c>docker save</c> / OCI archive tar stream with <paramref name="options"/>.</summary>
    public static void ReadArchiveStream(Stream archive, string description, IImageVisitor visitor, ImageReadOptions options, CancellationToken ct) =>
        ReadArchiveStream(archive, description, visitor, options, null, ct);

    /// <summary>
    /// One forward pass over an archive stream (the engine's export, a pipe, a gzip-compressed archive): layers are read
    /// and given to the visitor as they pass, whatever their name (<c>&lt;v1&gt;/layer.tar</c>, <c>&lt;hex&gt;.tar</c>,
    /// <c>&lt;hex&gt;.tar.gz</c>, <c>blobs/sha256/&lt;hex&gt;</c>: recognised by their gzip, zstd or tar magic), small JSON
    /// files are kept, and the image is resolved from manifest.json or index.json at the end, wherever they stood.
    /// </summary>
    internal static void ReadArchiveStream(Stream archive, string description, IImageVisitor visitor, ImageReadOptions options, string? reference,
        CancellationToken ct)
    {
        using var store = new StreamedArchiveStore();
        using var reg = ct.Register(() => { try { archive.Dispose(); } catch { /* cancel */ } });
        ResolvedArchiveImage resolved;
        try
        {
            using (var tar = new TarReader(archive, leaveOpen: true))
            {
                while (tar.GetNextEntry(copyData: false) is { } e)
                {
                    ct.ThrowIfCancellationRequested();
                    ReadArchiveEntry(e, store, visitor, options, ct);
                }
            }
            resolved = ResolveLayout(store, options, reference, description);
            // Entries the pass could not tell from other files and that the manifest names as layers: read from the spool.
            foreach (var key in resolved.LayerKeys.Select(store.Find).Distinct())
            {
                if (key == null || !store.IsSpooled(key) || store.Digests.ContainsKey(key)) continue;
                using var s = store.OpenSpooled(key, out var length);
                var blob = new LayerBlob { Key = key, BlobDigest = DigestFromBlobKey(key), StoredLength = length };
                var d = LayerTarReader.Read(s, blob, visitor.BeginLayer, ct, options.VerifyDiffIds);
                store.Digests[key] = d;
                visitor.EndLayer(blob, d);
            }
        }
        catch (ObjectDisposedException) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw Invalid(description, e.Message, e);
        }
        catch (IOException e) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException("Cancelled", e, ct);
        }
        visitor.EndImage(Assemble(resolved, k => store.Find(k), store.Digests, description));
    }

    /// <summary>Resolves the image of a store; a malformed manifest (not JSON, a missing or mistyped key) is ImageArchiveInvalid.</summary>
    internal static ResolvedArchiveImage ResolveLayout(ImageArchiveStore store, ImageReadOptions options, string? reference, string description)
    {
        try
        {
            return ImageArchiveLayout.Resolve(store, options, reference, description);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw Invalid(description, $"its manifest is malformed ({e.GetType().Name}: {e.Message})", e);
        }
    }

    /// <summary>
    /// Reads an image from a store whose files can be opened where they lie (a directory, an uncompressed tar on disk):
    /// the manifest first, then each layer once in image order, so <see cref="LayerBlob.ExpectedIndex"/> and
    /// <see cref="LayerBlob.ExpectedDiffId"/> are known and layers of other images or platforms are not read.
    /// </summary>
    internal static void ReadRandomAccess(RandomAccessArchiveStore store, string description, IImageVisitor visitor, ImageReadOptions options,
        string? reference, CancellationToken ct)
    {
        var resolved = ResolveLayout(store, options, reference, description);
        var digests = new Dictionary<string, LayerDigest>(StringComparer.Ordinal);
        try
        {
            for (var i = 0; i < resolved.LayerKeys.Count; i++)
            {
                ct.ThrowIfCancellationRequested();
                var key = store.Find(resolved.LayerKeys[i]);
                if (key == null)
                    throw Invalid(description, $"layer {i} ({resolved.LayerKeys[i]}) is listed in the manifest but not stored");
                if (digests.ContainsKey(key)) continue;
                using var s = store.Open(key, out var length);
                var blob = new LayerBlob
                {
                    Key = key,
                    BlobDigest = resolved.BlobDigests[i] ?? DigestFromBlobKey(key),
                    StoredLength = length,
                    ExpectedDiffId = i < resolved.Summary.DiffIds.Length ? resolved.Summary.DiffIds[i] : null,
                    ExpectedIndex = i,
                };
                var d = LayerTarReader.Read(s, blob, visitor.BeginLayer, ct, options.VerifyDiffIds);
                digests[key] = d;
                visitor.EndLayer(blob, d);
            }
        }
        catch (Exception e) when (e is EndOfStreamException)
        {
            throw Invalid(description, e.Message, e);
        }
        visitor.EndImage(Assemble(resolved, store.Find, digests, description));
    }

    /// <summary>The stored path a link entry points to (relative links resolve against the link's folder).</summary>
    internal static string LinkTarget(string name, TarEntry e)
    {
        // docker save stores a layer shared by two v1 IDs once and links the other: "<v1>/layer.tar -> ../<v2>/layer.tar";
        // skopeo and podman link "<v1>/layer.tar -> ../<hex>.tar".
        var target = e.EntryType == TarEntryType.SymbolicLink && !e.LinkName.StartsWith('/')
            ? (name.Contains('/') ? name.Substring(0, name.LastIndexOf('/') + 1) : "") + e.LinkName
            : e.LinkName;
        return LayerTarReader.NormalizePath(target).Path;
    }

    /// <summary>One entry of the archive stream: a link alias, a layer (read and given to the visitor now), a JSON file kept for the end.</summary>
    static void ReadArchiveEntry(TarEntry e, StreamedArchiveStore store, IImageVisitor visitor, ImageReadOptions options, CancellationToken ct)
    {
        var (name, escapes) = LayerTarReader.NormalizePath(e.Name);
        if (escapes || name.Length == 0) return;
        if (e.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink)
        {
            store.Aliases[name] = LinkTarget(name, e);
            return;
        }
        if (e.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || e.DataStream == null) return;
        if (IsMetadataName(name))
        {
            if (e.Length <= MaxJsonBytes) store.Jsons[name] = ReadAll(e.DataStream, e.Length);
            return;
        }
        var peek = new PeekableStream(e.DataStream);
        var head = peek.Peek(512);
        if (IsLayerName(name) || LooksLikeLayer(head, e.Length))
        {
            var blob = new LayerBlob { Key = name, BlobDigest = DigestFromBlobKey(name), StoredLength = e.Length };
            var d = LayerTarReader.Read(peek, blob, visitor.BeginLayer, ct, options.VerifyDiffIds);
            store.Digests[name] = d;
            visitor.EndLayer(blob, d);
            return;
        }
        // A config or manifest stored under its digest (blobs/sha256/<hex>, kaniko's and crane's "sha256:<hex>").
        if (LooksLikeJson(head) && e.Length <= MaxJsonBytes)
        {
            store.Jsons[name] = ReadAll(peek, e.Length);
            return;
        }
        store.Spool(name, peek, e.Length, ct);
    }

    /// <summary>Names that hold metadata in the known layouts (manifest.json, index.json, repositories, v1 json and VERSION files).</summary>
    static bool IsMetadataName(string name) =>
        name is "manifest.json" or "index.json" or "repositories" or "oci-layout"
        || name.EndsWith(".json", StringComparison.Ordinal) || name.EndsWith("/json", StringComparison.Ordinal)
        || name.EndsWith("/VERSION", StringComparison.Ordinal);

    /// <summary>Names only layers have: docker save's <c>&lt;v1&gt;/layer.tar</c>, podman's <c>&lt;hex&gt;.tar</c>, crane's <c>&lt;hex&gt;.tar.gz</c>.</summary>
    static bool IsLayerName(string name) =>
        name.EndsWith("/layer.tar", StringComparison.Ordinal) || name.EndsWith(".tar", StringComparison.Ordinal)
        || name.EndsWith(".tar.gz", StringComparison.Ordinal) || name.EndsWith(".tgz", StringComparison.Ordinal)
        || name.EndsWith(".tar.zst", StringComparison.Ordinal);

    static bool LooksLikeJson(ReadOnlySpan<byte> head)
    {
        var i = head.IndexOfAnyExcept(" \t\r\n"u8);
        return i >= 0 && head[i] is (byte)'{' or (byte)'[';
    }

    static bool LooksLikeLayer(ReadOnlySpan<byte> head, long length)
    {
        if (head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b) return true;
        if (head.Length >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd) return true;
        if (head.Length >= 262 && head.Slice(257, 5).SequenceEqual("ustar"u8)) return true;
        // An empty layer is 1024 zero bytes (two end-of-archive blocks).
        return head.Length == 512 && length % 512 == 0 && head.IndexOfAnyExcept((byte)0) < 0;
    }

    static byte[] ReadAll(Stream s, long length)
    {
        var buf = new byte[length];
        var off = 0;
        while (off < buf.Length)
        {
            var n = s.Read(buf, off, buf.Length - off);
            if (n <= 0) break;
            off += n;
        }
        return buf;
    }

    internal static string? DigestFromBlobKey(string key)
    {
        var parts = key.Split('/');
        return parts.Length == 3 && parts[0] == "blobs" ? parts[1] + ":" + parts[2] : null;
    }

    internal static DockOptException Invalid(string description, string detail, Exception? inner = null) =>
        new(ErrorIds.ImageArchiveInvalid, DockOptErrorCategory.InvalidData, $"'{description}' is not a readable image archive: {detail}.",
            description, "Give a 'docker save', podman or skopeo docker-archive, crane or kaniko tar, an OCI archive tar, an OCI layout or a skopeo dir: directory, and check that it is complete.", inner);

    internal static ImageConfigSummary ParseConfig(byte[] json, string description)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var r = doc.RootElement;
            var s = new ImageConfigSummary
            {
                Os = Str(r, "os"),
                Architecture = Str(r, "architecture"),
            };
            if (r.TryGetProperty("rootfs", out var rootfs) && rootfs.TryGetProperty("diff_ids", out var ids) && ids.ValueKind == JsonValueKind.Array)
                s.DiffIds = ids.EnumerateArray().Select(x => x.GetString() ?? "").ToArray();
            if (r.TryGetProperty("history", out var h) && h.ValueKind == JsonValueKind.Array)
                s.History = h.EnumerateArray().Select(x => new ImageConfigHistory
                {
                    CreatedBy = Str(x, "created_by"),
                    EmptyLayer = x.TryGetProperty("empty_layer", out var el) && el.ValueKind == JsonValueKind.True,
                    Created = x.TryGetProperty("created", out var c) && c.ValueKind == JsonValueKind.String && c.TryGetDateTime(out var dt) ? dt.ToUniversalTime() : null,
                    Comment = x.TryGetProperty("comment", out var cm) ? cm.GetString() : null,
                }).ToArray();
            if (r.TryGetProperty("config", out var c2) && c2.ValueKind == JsonValueKind.Object)
            {
                s.User = Str(c2, "User");
                s.HasHealthcheck = c2.TryGetProperty("Healthcheck", out var hc) && hc.ValueKind == JsonValueKind.Object
                    && hc.TryGetProperty("Test", out var t) && t.ValueKind == JsonValueKind.Array && t.GetArrayLength() > 0
                    && t[0].GetString() != "NONE";
                s.EnvNames = Arr(c2, "Env").Select(e => e.Split('=')[0]).ToArray();
                s.Entrypoint = Arr(c2, "Entrypoint");
                s.Cmd = Arr(c2, "Cmd");
                if (c2.TryGetProperty("Labels", out var lb) && lb.ValueKind == JsonValueKind.Object)
                    foreach (var p in lb.EnumerateObject()) s.Labels[p.Name] = p.Value.GetString() ?? "";
            }
            return s;
        }
        catch (JsonException e)
        {
            throw Invalid(description, "the image config is not valid JSON", e);
        }

        static string Str(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
        static string[] Arr(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(x => x.GetString() ?? "").ToArray() : Array.Empty<string>();
    }

    /// <summary>The image in order: each manifest layer with the digest read, checked against the config's diff IDs.</summary>
    internal static ImageContents Assemble(ResolvedArchiveImage r, Func<string, string?> find, Dictionary<string, LayerDigest> digests, string description)
    {
        var summary = r.Summary;
        var layers = new List<ImageLayerRef>();
        for (var i = 0; i < r.LayerKeys.Count; i++)
        {
            var key = find(r.LayerKeys[i]);
            if (key == null || !digests.TryGetValue(key, out var d))
                throw Invalid(description, $"layer {i} ({r.LayerKeys[i]}) is listed in the manifest but not stored");
            if (d.DiffId.Length > 0 && i < summary.DiffIds.Length && !string.Equals(summary.DiffIds[i], d.DiffId, StringComparison.Ordinal))
                throw new DockOptException(ErrorIds.ImageLayerDigestMismatch, DockOptErrorCategory.InvalidData,
                    $"Layer {i} of '{description}' has diff ID {d.DiffId}, but the image config says {summary.DiffIds[i]}.", description,
                    "The archive is damaged or was altered. Save the image again.");
            layers.Add(new ImageLayerRef
            {
                Index = i,
                Key = key,
                DiffId = d.DiffId.Length > 0 ? d.DiffId : i < summary.DiffIds.Length ? summary.DiffIds[i] : "",
                BlobDigest = r.BlobDigests[i] ?? DigestFromBlobKey(key),
                MediaType = r.MediaTypes[i],
            });
        }
        if (summary.DiffIds.Length != layers.Count)
            throw Invalid(description, $"the config lists {summary.DiffIds.Length} layers but the manifest {layers.Count}");
        return new ImageContents
        {
            Format = r.Format,
            // The config's digest is the image ID whatever the archive calls the file (<hex>.json, sha256:<hex>, blobs/sha256/<hex>).
            ConfigDigest = "sha256:" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(r.Config)).ToLowerInvariant(),
            ConfigJson = r.Config,
            Config = summary,
            Layers = layers,
            RepoTags = r.Tags,
        };
    }
}
