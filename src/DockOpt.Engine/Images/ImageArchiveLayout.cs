using System.Text.Json;

namespace DockOpt.Engine.Images;

/// <summary>The image an archive holds, resolved from its manifest before (or after) its layers are read.</summary>
internal sealed class ResolvedArchiveImage
{
    public ImageArchiveFormat Format { get; init; }
    /// <summary>The stored key of the config.</summary>
    public string ConfigKey { get; init; } = "";
    public byte[] Config { get; init; } = Array.Empty<byte>();
    public ImageConfigSummary Summary { get; init; } = new();
    /// <summary>The layer keys bottom-up as the manifest names them (normalised; links not yet followed).</summary>
    public List<string> LayerKeys { get; } = new();
    public List<string?> MediaTypes { get; } = new();
    /// <summary>The stored blob digest of each layer when the manifest gives it (OCI and registry manifests), else null.</summary>
    public List<string?> BlobDigests { get; } = new();
    public string[] Tags { get; init; } = Array.Empty<string>();
    /// <summary>The platform of the config (<c>os/arch[/variant]</c>).</summary>
    public string Platform { get; init; } = "";
}

/// <summary>
/// Finds the image in an archive or directory, whichever writer made it:
/// <list type="bullet">
/// <item><c>manifest.json</c> as a list: <c>docker save</c> (legacy <c>&lt;v1&gt;/layer.tar</c>, Docker 25+ <c>blobs/sha256/…</c>),
/// podman and skopeo <c>docker-archive</c> (<c>&lt;hex&gt;.tar</c> layers, <c>&lt;hex&gt;.json</c> config), crane/ggcr and
/// kaniko tarballs (<c>sha256:&lt;hex&gt;</c> config, <c>&lt;hex&gt;.tar.gz</c> layers); several images: picked by reference or platform;</item>
/// <item><c>manifest.json</c> as a registry manifest or index: a skopeo/podman <c>dir:</c> directory (blobs named by hex digest,
/// instance manifests <c>&lt;hex&gt;.manifest.json</c>);</item>
/// <item><c>index.json</c>: an OCI layout or archive (skopeo, podman, buildah, buildkit, Docker 25+), nested indexes followed.</item>
/// </list>
/// A multi-platform index yields the manifest for <see cref="ImageReadOptions.Platform"/> (the host's platform when null);
/// none matching is PlatformNotFound listing what the index offers.
/// </summary>
internal static class ImageArchiveLayout
{
    const string RefNameAnnotation = "org.opencontainers.image.ref.name";
    const string ContainerdNameAnnotation = "io.containerd.image.name";

    /// <summary>Resolves the image; throws ImageArchiveInvalid, PlatformNotFound or ImageNotFound (a reference not held).</summary>
    public static ResolvedArchiveImage Resolve(ImageArchiveStore store, ImageReadOptions options, string? reference, string description)
    {
        var want = Want(options, description);
        if (store.ReadSmall("manifest.json") is { } manifestBytes)
        {
            using var doc = JsonDocument.Parse(manifestBytes);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                if (root.GetArrayLength() == 0) throw ImageReader.Invalid(description, "manifest.json holds no image");
                var (found, miss) = FromDockerManifest(root, store, want, reference, description);
                if (found != null) return found;
                // Docker 25+ saves an OCI index beside manifest.json: the index may list the platform manifest.json lacks.
                if (store.Find("index.json") != null && store.ReadSmall("index.json") is { } idx)
                    return FromIndex(idx, store, want, reference, description, OciKey, OciKey, ImageArchiveFormat.OciLayout);
                throw miss!;
            }
            if (root.ValueKind == JsonValueKind.Object)
                return FromIndex(manifestBytes, store, want, reference, description, DirKey, DirManifestKey, ImageArchiveFormat.SkopeoDir);
            throw ImageReader.Invalid(description, "manifest.json holds no image");
        }
        if (store.ReadSmall("index.json") is { } index)
            return FromIndex(index, store, want, reference, description, OciKey, OciKey, ImageArchiveFormat.OciLayout);
        throw ImageReader.Invalid(description,
            "it has neither manifest.json (docker save, podman, skopeo, crane, kaniko) nor index.json (OCI layout)");
    }

    /// <summary>The requested platform: <see cref="ImageReadOptions.Platform"/> parsed, or null for the host's.</summary>
    static Wanted? Want(ImageReadOptions options, string description)
    {
        if (options.Platform == null) return null;
        var p = ImagePlatformMatch.TryParse(options.Platform) ?? throw new DockOptException(ErrorIds.PlatformNotFound,
            DockOptErrorCategory.ObjectNotFound, $"'{options.Platform}' is not a platform: give it as os/arch[/variant] to read '{description}'.",
            options.Platform, "Pick one of the platforms the image offers with -Platform os/arch[/variant], for example linux/arm64/v8.");
        return new Wanted(p, options.Platform.Trim().Split('/').Length == 3);
    }

    readonly record struct Wanted(ImagePlatformMatch Platform, bool ExplicitVariant)
    {
        public bool Accepts(ImagePlatformMatch p) => Platform.Matches(p) || (!ExplicitVariant && Platform.MatchesIgnoringVariant(p));
        public override string ToString() => Platform.ToString();
    }

    static string OciKey(string digest)
    {
        var i = digest.IndexOf(':');
        return i <= 0 ? "" : "blobs/" + digest.Substring(0, i) + "/" + digest.Substring(i + 1);
    }

    /// <summary>A skopeo <c>dir:</c> blob: the hex digest for sha256 (transport version 1.1), else <c>alg-hex</c>.</summary>
    static string DirKey(string digest)
    {
        var i = digest.IndexOf(':');
        if (i <= 0) return "";
        var alg = digest.Substring(0, i);
        return alg == "sha256" ? digest.Substring(i + 1) : alg + "-" + digest.Substring(i + 1);
    }

    static string DirManifestKey(string digest) => DirKey(digest) + ".manifest.json";

    // ---- docker save manifest.json ----

    static (ResolvedArchiveImage? Found, DockOptException? Miss) FromDockerManifest(JsonElement root, ImageArchiveStore store, Wanted? want,
        string? reference, string description)
    {
        var entries = new List<(string ConfigKey, List<string> Layers, string[] Tags)>();
        foreach (var m in root.EnumerateArray())
        {
            var configKey = ImageArchiveStore.Normalize(m.GetProperty("Config").GetString())
                            ?? throw ImageReader.Invalid(description, "manifest.json names no config");
            var layers = new List<string>();
            foreach (var l in m.GetProperty("Layers").EnumerateArray())
                layers.Add(ImageArchiveStore.Normalize(l.GetString()) ?? throw ImageReader.Invalid(description, $"manifest.json names a layer '{l.GetString()}' outside the archive"));
            var tags = m.TryGetProperty("RepoTags", out var rt) && rt.ValueKind == JsonValueKind.Array
                ? rt.EnumerateArray().Select(x => x.GetString() ?? "").ToArray() : Array.Empty<string>();
            entries.Add((configKey, layers, tags));
        }
        if (reference != null)
        {
            var all = entries.SelectMany(e => e.Tags).ToArray();
            if (reference.StartsWith('@') && int.TryParse(reference.AsSpan(1), out var n))
                entries = n >= 0 && n < entries.Count ? new() { entries[n] } : new();
            else
                entries = entries.Where(e => e.Tags.Any(t => TagMatches(t, reference))).ToList();
            if (entries.Count == 0) throw NoSuchReference(description, reference, all);
        }
        var candidates = new List<(int Index, byte[] Config, ImagePlatformMatch Platform)>();
        for (var i = 0; i < entries.Count; i++)
        {
            var key = store.Find(entries[i].ConfigKey) ?? throw ImageReader.Invalid(description, $"the config {entries[i].ConfigKey} is missing");
            var config = store.ReadSmall(key) ?? throw ImageReader.Invalid(description, $"the config {entries[i].ConfigKey} is too large");
            candidates.Add((i, config, ConfigPlatform(config, description)));
        }
        int pick;
        if (want is { } w)
        {
            pick = candidates.FindIndex(c => w.Platform.Matches(c.Platform));
            if (pick < 0 && !w.ExplicitVariant) pick = candidates.FindIndex(c => w.Accepts(c.Platform));
            if (pick < 0) return (null, PlatformNotFound(description, w.ToString(), candidates.Select(c => c.Platform.ToString())));
        }
        else
        {
            // Without -Platform: the host's platform when one of several images has it, else the first (a docker save
            // of one image is read whatever its platform: it is the image asked for).
            var host = ImagePlatformMatch.Host;
            pick = Math.Max(0, candidates.FindIndex(c => host.MatchesIgnoringVariant(c.Platform)));
        }
        var chosen = entries[candidates[pick].Index];
        var config2 = candidates[pick].Config;
        var r = new ResolvedArchiveImage
        {
            Format = chosen.ConfigKey.StartsWith("blobs/", StringComparison.Ordinal) ? ImageArchiveFormat.OciLayout : ImageArchiveFormat.DockerSave,
            ConfigKey = store.Find(chosen.ConfigKey)!,
            Config = config2,
            Summary = ImageReader.ParseConfig(config2, description),
            Tags = chosen.Tags,
            Platform = candidates[pick].Platform.ToString(),
        };
        foreach (var l in chosen.Layers)
        {
            r.LayerKeys.Add(l);
            r.MediaTypes.Add(null);
            r.BlobDigests.Add(ImageReader.DigestFromBlobKey(l));
        }
        return (r, null);
    }

    static bool TagMatches(string tag, string reference) =>
        tag == reference || tag == reference + ":latest" || tag.EndsWith("/" + reference, StringComparison.Ordinal)
        || tag.EndsWith("/" + reference + ":latest", StringComparison.Ordinal);

    // ---- OCI index.json, skopeo dir: manifest.json ----

    static ResolvedArchiveImage FromIndex(byte[] top, ImageArchiveStore store, Wanted? want, string? reference, string description,
        Func<string, string> blobKey, Func<string, string> manifestKey, ImageArchiveFormat format)
    {
        var current = top;
        var tags = Array.Empty<string>();
        var platformFromIndex = (ImagePlatformMatch?)null;
        for (var depth = 0; depth < 4; depth++)
        {
            using var doc = JsonDocument.Parse(current);
            var root = doc.RootElement;
            if (root.TryGetProperty("layers", out var layers) && root.TryGetProperty("config", out var cfg))
                return FromManifest(root, layers, cfg, store, want, blobKey, format, tags, platformFromIndex, description);
            if (root.TryGetProperty("fsLayers", out _))
                throw ImageReader.Invalid(description, "its manifest is Docker schema 1, which is deprecated and not read; copy the image again with skopeo or docker");
            if (!root.TryGetProperty("manifests", out var manifests) || manifests.ValueKind != JsonValueKind.Array || manifests.GetArrayLength() == 0)
                throw ImageReader.Invalid(description, "the index lists no manifest");
            var entries = manifests.EnumerateArray().Where(m => !IsAttestation(m)).ToList();
            if (depth == 0 && reference != null)
            {
                var names = entries.Select(m => RefNames(m).FirstOrDefault()).Where(n => n != null).Select(n => n!).ToArray();
                entries = entries.Where(m => RefNames(m).Any(n => n == reference || TagMatches(n, reference))).ToList();
                if (entries.Count == 0) throw NoSuchReference(description, reference, names);
            }
            if (depth == 0) tags = entries.Select(m => RefNames(m).FirstOrDefault()).Where(n => n != null).Select(n => n!).Take(1).ToArray();
            string? FindManifest(string digest) => store.Find(manifestKey(digest)) ?? store.Find(blobKey(digest));
            var (pick, picked) = PickFromIndex(entries, want, description, FindManifest);
            if (picked != null) platformFromIndex = picked;
            var digest = pick.GetProperty("digest").GetString() ?? "";
            current = (FindManifest(digest) is { } k ? store.ReadSmall(k) : null)
                ?? throw ImageReader.Invalid(description, $"the manifest blob {manifestKey(digest)} is missing");
        }
        throw ImageReader.Invalid(description, "image indexes nest too deeply");
    }

    /// <summary>The names an index entry carries: the containerd image name (full, as docker save writes it) and the OCI ref name.</summary>
    static IEnumerable<string> RefNames(JsonElement m)
    {
        if (!m.TryGetProperty("annotations", out var a) || a.ValueKind != JsonValueKind.Object) yield break;
        if (a.TryGetProperty(ContainerdNameAnnotation, out var c) && c.ValueKind == JsonValueKind.String && c.GetString() is { Length: > 0 } cn) yield return cn;
        if (a.TryGetProperty(RefNameAnnotation, out var r) && r.ValueKind == JsonValueKind.String && r.GetString() is { Length: > 0 } rn) yield return rn;
    }

    /// <summary>BuildKit's provenance/SBOM manifests (platform unknown/unknown) are not images.</summary>
    static bool IsAttestation(JsonElement m) =>
        (m.TryGetProperty("annotations", out var a) && a.ValueKind == JsonValueKind.Object
            && a.TryGetProperty("vnd.docker.reference.type", out var t) && t.GetString() == "attestation-manifest")
        || (m.TryGetProperty("platform", out var p) && p.ValueKind == JsonValueKind.Object
            && p.TryGetProperty("os", out var os) && os.GetString() == "unknown");

    static ImagePlatformMatch? EntryPlatform(JsonElement m) =>
        m.TryGetProperty("platform", out var p) && p.ValueKind == JsonValueKind.Object
            ? ImagePlatformMatch.Normalize(Str(p, "os"), Str(p, "architecture"), Str(p, "variant"))
            : null;

    /// <summary>
    /// The entry for the wanted platform (the host's when null): exact match, then the same os/arch when no variant was
    /// asked for, then an entry that states no platform (a nested index, or a tag of an OCI layout, checked against its
    /// config later). Without -Platform, an index of one image gives that image whatever its platform.
    /// </summary>
    static (JsonElement Pick, ImagePlatformMatch? Platform) PickFromIndex(List<JsonElement> entries, Wanted? want, string description,
        Func<string, string?> findManifest)
    {
        if (entries.Count == 0) throw ImageReader.Invalid(description, "the index lists no image manifest");
        var w = want ?? new Wanted(ImagePlatformMatch.Host, false);
        // A docker save of one platform keeps only that platform's blobs although its index lists them all.
        bool Stored(JsonElement m) => findManifest(m.GetProperty("digest").GetString() ?? "") != null;
        foreach (var pass in new[] { 0, 1 })
            foreach (var m in entries)
                if (EntryPlatform(m) is { } p && (pass == 0 ? w.Platform.Matches(p) : w.Accepts(p)) && Stored(m))
                    return (m, p);
        var unstated = entries.FirstOrDefault(m => EntryPlatform(m) == null);
        if (unstated.ValueKind != JsonValueKind.Undefined) return (unstated, null);
        if (want == null && entries.Count == 1) return (entries[0], EntryPlatform(entries[0]));
        throw PlatformNotFound(description, want?.ToString() ?? w + " (the host's platform)",
            entries.Where(Stored).Select(m => EntryPlatform(m)!.Value.ToString()));
    }

    static ResolvedArchiveImage FromManifest(JsonElement root, JsonElement layers, JsonElement cfg, ImageArchiveStore store, Wanted? want,
        Func<string, string> blobKey, ImageArchiveFormat format, string[] tags, ImagePlatformMatch? platformFromIndex, string description)
    {
        var configDigest = cfg.GetProperty("digest").GetString() ?? "";
        var configKey = blobKey(configDigest);
        var stored = store.Find(configKey) ?? throw ImageReader.Invalid(description, $"the config blob {configKey} is missing");
        var config = store.ReadSmall(stored) ?? throw ImageReader.Invalid(description, $"the config blob {configKey} is too large");
        var platform = ConfigPlatform(config, description);
        // An entry that stated no platform (one tag of an OCI layout) is checked against the platform its config states.
        if (want is { } w && platformFromIndex == null && !w.Accepts(platform))
            throw PlatformNotFound(description, w.ToString(), new[] { platform.ToString() });
        var r = new ResolvedArchiveImage
        {
            Format = format,
            ConfigKey = stored,
            Config = config,
            Summary = ImageReader.ParseConfig(config, description),
            Tags = tags,
            Platform = (platformFromIndex ?? platform).ToString(),
        };
        foreach (var l in layers.EnumerateArray())
        {
            var d = l.GetProperty("digest").GetString() ?? "";
            r.LayerKeys.Add(blobKey(d));
            r.MediaTypes.Add(l.TryGetProperty("mediaType", out var mt) ? mt.GetString() : null);
            r.BlobDigests.Add(d);
        }
        return r;
    }

    /// <summary>The platform an image config states (os, architecture, variant).</summary>
    static ImagePlatformMatch ConfigPlatform(byte[] config, string description)
    {
        try
        {
            using var doc = JsonDocument.Parse(config);
            var r = doc.RootElement;
            return r.ValueKind == JsonValueKind.Object
                ? ImagePlatformMatch.Normalize(Str(r, "os"), Str(r, "architecture"), Str(r, "variant"))
                : throw ImageReader.Invalid(description, "the image config is not a JSON object");
        }
        catch (JsonException e)
        {
            throw ImageReader.Invalid(description, "the image config is not valid JSON", e);
        }
    }

    static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";

    internal static DockOptException PlatformNotFound(string description, string wanted, IEnumerable<string> offered)
    {
        var list = offered.Distinct().ToArray();
        return new DockOptException(ErrorIds.PlatformNotFound, DockOptErrorCategory.ObjectNotFound,
            $"'{description}' has no image for {wanted}; it offers {(list.Length == 0 ? "no platform it stores" : string.Join(", ", list))}.",
            description, "Pick one of the platforms the image offers with -Platform os/arch[/variant]"
                         + (list.Length > 0 ? $" ({string.Join(", ", list)})." : "."));
    }

    static DockOptException NoSuchReference(string description, string reference, IEnumerable<string> held)
    {
        var list = held.Distinct().ToArray();
        return new DockOptException(ErrorIds.ImageNotFound, DockOptErrorCategory.ObjectNotFound,
            $"'{description}' holds no image named '{reference}'; it holds {(list.Length == 0 ? "no named image" : string.Join(", ", list))}.",
            description, "Name one of the images the archive holds after the path (oci:dir:ref, docker-archive:path:name:tag), or none to read the first.");
    }
}
