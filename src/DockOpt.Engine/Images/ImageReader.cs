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
/// tar, legacy or Docker 25+ OCI, or an OCI archive), <see cref="ImageSource.FromOciLayout"/> (a directory).</para>
/// <para>The reader calls, on one thread: <see cref="IImageVisitor.BeginLayer"/> for each layer blob in ARCHIVE order
/// (a <c>docker save</c> tar stores layers in random order with the manifest last, so the layer index is usually not
/// known yet: <see cref="LayerBlob.ExpectedIndex"/> is -1 then); the returned <see cref="ILayerVisitor"/> gets every tar
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
    public static void ReadArchiveStream(Stream archive, string description, IImageVisitor visitor, ImageReadOptions options, CancellationToken ct)
    {
        var contents = new ArchiveContents();
        using var reg = ct.Register(() => { try { archive.Dispose(); } catch { /* cancel */ } });
        try
        {
            using var tar = new TarReader(archive, leaveOpen: true);
            while (tar.GetNextEntry(copyData: false) is { } e)
            {
                ct.ThrowIfCancellationRequested();
                ReadArchiveEntry(e, contents, visitor, options, ct);
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
        ImageContents image;
        try
        {
            image = AssembleArchive(contents, description);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            // A malformed manifest.json / index.json (not JSON, a missing Config or Layers key, a number where a string belongs).
            throw Invalid(description, $"its manifest is malformed ({e.GetType().Name}: {e.Message})", e);
        }
        visitor.EndImage(image);
    }

    /// <summary>What an archive's entries left for the end: its JSON files, its link aliases and the digests of the layers read.</summary>
    sealed class ArchiveContents
    {
        public Dictionary<string, byte[]> Jsons { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, string> Aliases { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, LayerDigest> Digests { get; } = new(StringComparer.Ordinal);

        /// <summary>Follows link aliases (a few hops at most).</summary>
        public string Resolve(string key)
        {
            for (var i = 0; i < 8 && Aliases.TryGetValue(key, out var t); i++) key = t;
            return key;
        }
    }

    /// <summary>One entry of the archive: a link alias, a layer (read and given to the visitor now), or a JSON file kept for the end.</summary>
    static void ReadArchiveEntry(TarEntry e, ArchiveContents contents, IImageVisitor visitor, ImageReadOptions options, CancellationToken ct)
    {
        var (name, escapes) = LayerTarReader.NormalizePath(e.Name);
        if (escapes) return;
        if (e.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink)
        {
            // docker save stores a layer shared by two v1 IDs once and links the other: "<v1>/layer.tar -> ../<v2>/layer.tar".
            var target = e.EntryType == TarEntryType.SymbolicLink && !e.LinkName.StartsWith('/')
                ? (name.Contains('/') ? name.Substring(0, name.LastIndexOf('/') + 1) : "") + e.LinkName
                : e.LinkName;
            contents.Aliases[name] = LayerTarReader.NormalizePath(target).Path;
            return;
        }
        if (e.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || e.DataStream == null) return;
        var isBlob = name.StartsWith("blobs/", StringComparison.Ordinal);
        var isLegacyLayer = name.EndsWith("/layer.tar", StringComparison.Ordinal) || name.EndsWith("/layer.tar.gz", StringComparison.Ordinal);
        if (isBlob || isLegacyLayer)
        {
            var peek = new PeekableStream(e.DataStream);
            if (isLegacyLayer || LooksLikeLayer(peek.Peek(512), e.Length))
            {
                var blob = new LayerBlob { Key = name, BlobDigest = isBlob ? DigestFromBlobKey(name) : null, StoredLength = e.Length };
                var d = LayerTarReader.Read(peek, blob, visitor.BeginLayer, ct, options.VerifyDiffIds);
                contents.Digests[name] = d;
                visitor.EndLayer(blob, d);
                return;
            }
            if (e.Length <= MaxJsonBytes) contents.Jsons[name] = ReadAll(peek, e.Length);
            return;
        }
        if ((name.EndsWith(".json", StringComparison.Ordinal) || name == "repositories") && e.Length <= MaxJsonBytes)
            contents.Jsons[name] = ReadAll(e.DataStream, e.Length);
    }

    /// <summary>The image of an archive from its manifest.json (docker save, legacy and Docker 25+) or its index.json (OCI).</summary>
    static ImageContents AssembleArchive(ArchiveContents contents, string description)
    {
        var jsons = contents.Jsons;
        if (jsons.TryGetValue("manifest.json", out var manifestBytes))
        {
            using var doc = JsonDocument.Parse(manifestBytes);
            if (doc.RootElement.ValueKind != JsonValueKind.Array || doc.RootElement.GetArrayLength() == 0)
                throw Invalid(description, "manifest.json holds no image");
            var m = doc.RootElement[0];
            var configKey = LayerTarReader.NormalizePath(m.GetProperty("Config").GetString() ?? "").Path;
            var layerKeys = new List<string>();
            foreach (var l in m.GetProperty("Layers").EnumerateArray())
                layerKeys.Add(contents.Resolve(LayerTarReader.NormalizePath(l.GetString() ?? "").Path));
            var tags = m.TryGetProperty("RepoTags", out var rt) && rt.ValueKind == JsonValueKind.Array
                ? rt.EnumerateArray().Select(x => x.GetString() ?? "").ToArray() : Array.Empty<string>();
            if (!jsons.TryGetValue(configKey, out var config)) throw Invalid(description, $"the config {configKey} is missing");
            var summary = ParseConfig(config, description);
            var format = configKey.StartsWith("blobs/", StringComparison.Ordinal) ? ImageArchiveFormat.OciLayout : ImageArchiveFormat.DockerSave;
            return Assemble(format, configKey, config, summary, layerKeys, null, contents.Digests, tags, description);
        }
        if (jsons.ContainsKey("index.json"))
        {
            var (configKey, layerKeys, mediaTypes) = ResolveOci(jsons, k => jsons.TryGetValue(k, out var b) ? b : null, description);
            if (!jsons.TryGetValue(configKey, out var config)) throw Invalid(description, $"the config blob {configKey} is missing");
            var summary = ParseConfig(config, description);
            return Assemble(ImageArchiveFormat.OciLayout, configKey, config, summary, layerKeys.Select(contents.Resolve).ToList(), mediaTypes,
                contents.Digests, Array.Empty<string>(), description);
        }
        throw Invalid(description, "it has neither manifest.json (docker save) nor index.json (OCI layout)");
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

    static string BlobKey(string digest) => "blobs/" + digest.Replace(':', '/');

    internal static DockOptException Invalid(string description, string detail, Exception? inner = null) =>
        new(ErrorIds.ImageArchiveInvalid, DockOptErrorCategory.InvalidData, $"'{description}' is not a readable image archive: {detail}.",
            description, "Give a 'docker save' tar, an OCI archive tar or an OCI layout directory, and check that it is complete.", inner);

    /// <summary>index.json → (nested index →) manifest → config and layer blob keys. Picks linux/amd64, else the first manifest.</summary>
    internal static (string ConfigKey, List<string> LayerKeys, List<string?> MediaTypes) ResolveOci(
        Dictionary<string, byte[]> jsons, Func<string, byte[]?> blob, string description)
    {
        var current = jsons["index.json"];
        for (var depth = 0; depth < 4; depth++)
        {
            using var doc = JsonDocument.Parse(current);
            var root = doc.RootElement;
            if (root.TryGetProperty("layers", out var layers) && root.TryGetProperty("config", out var cfg))
            {
                var configKey = BlobKey(cfg.GetProperty("digest").GetString() ?? "");
                var keys = new List<string>();
                var types = new List<string?>();
                foreach (var l in layers.EnumerateArray())
                {
                    keys.Add(BlobKey(l.GetProperty("digest").GetString() ?? ""));
                    types.Add(l.TryGetProperty("mediaType", out var mt) ? mt.GetString() : null);
                }
                return (configKey, keys, types);
            }
            if (!root.TryGetProperty("manifests", out var manifests) || manifests.GetArrayLength() == 0)
                throw Invalid(description, "the index lists no manifest");
            JsonElement pick = manifests[0];
            foreach (var m in manifests.EnumerateArray())
            {
                if (m.TryGetProperty("platform", out var p)
                    && p.TryGetProperty("os", out var os) && os.GetString() == "linux"
                    && p.TryGetProperty("architecture", out var arch) && arch.GetString() == "amd64")
                {
                    pick = m;
                    break;
                }
            }
            var key = BlobKey(pick.GetProperty("digest").GetString() ?? "");
            current = blob(key) ?? throw Invalid(description, $"the manifest blob {key} is missing");
        }
        throw Invalid(description, "image indexes nest too deeply");
    }

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

    internal static ImageContents Assemble(ImageArchiveFormat format, string configKey, byte[] config, ImageConfigSummary summary,
        List<string> layerKeys, List<string?>? mediaTypes, Dictionary<string, LayerDigest> digests, string[] tags, string description)
    {
        var layers = new List<ImageLayerRef>();
        for (var i = 0; i < layerKeys.Count; i++)
        {
            if (!digests.TryGetValue(layerKeys[i], out var d))
                throw Invalid(description, $"layer {i} ({layerKeys[i]}) is listed in the manifest but not stored");
            if (d.DiffId.Length > 0 && i < summary.DiffIds.Length && !string.Equals(summary.DiffIds[i], d.DiffId, StringComparison.Ordinal))
                throw new DockOptException(ErrorIds.ImageLayerDigestMismatch, DockOptErrorCategory.InvalidData,
                    $"Layer {i} of '{description}' has diff ID {d.DiffId}, but the image config says {summary.DiffIds[i]}.", description,
                    "The archive is damaged or was altered. Save the image again.");
            layers.Add(new ImageLayerRef
            {
                Index = i,
                Key = layerKeys[i],
                DiffId = d.DiffId.Length > 0 ? d.DiffId : i < summary.DiffIds.Length ? summary.DiffIds[i] : "",
                BlobDigest = DigestFromBlobKey(layerKeys[i]),
                MediaType = mediaTypes != null && i < mediaTypes.Count ? mediaTypes[i] : null,
            });
        }
        if (summary.DiffIds.Length != layers.Count)
            throw Invalid(description, $"the config lists {summary.DiffIds.Length} layers but the manifest {layers.Count}");
        return new ImageContents
        {
            Format = format,
            ConfigDigest = configKey.StartsWith("blobs/", StringComparison.Ordinal) ? DigestFromBlobKey(configKey)
                : "sha256:" + Path.GetFileNameWithoutExtension(configKey),
            ConfigJson = config,
            Config = summary,
            Layers = layers,
            RepoTags = tags,
        };
    }
}
