using System.Text.Json;

namespace DockOpt.Engine.Registry;

/// <summary>One content descriptor of a manifest or index: media type, digest, size and (in an index) platform.</summary>
public sealed record RegistryDescriptor(string MediaType, string Digest, long Size, RegistryPlatform? Platform = null);

/// <summary>
/// A Docker v2 schema 2 or OCI image manifest or image index / manifest list, parsed from the bytes the registry sent.
/// An index lists <see cref="Manifests"/>; an image manifest has a <see cref="Config"/> and <see cref="Layers"/>.
/// </summary>
public sealed class RegistryManifest
{
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";

    public string MediaType { get; private init; } = "";
    public bool IsIndex { get; private init; }
    public RegistryDescriptor? Config { get; private init; }
    public IReadOnlyList<RegistryDescriptor> Layers { get; private init; } = Array.Empty<RegistryDescriptor>();
    public IReadOnlyList<RegistryDescriptor> Manifests { get; private init; } = Array.Empty<RegistryDescriptor>();

    /// <summary>Sum of the layer blob sizes (the compressed bytes a pull transfers for the layers).</summary>
    public long LayerBytes => Layers.Sum(l => l.Size);

    /// <summary>
    /// Parses a manifest or index. <paramref name="contentType"/> is the registry's Content-Type (the body's own
    /// mediaType wins when present; an OCI body may omit it, then the shape decides). Schema 1 is refused.
    /// </summary>
    public static RegistryManifest Parse(ReadOnlySpan<byte> json, string? contentType, string description)
    {
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray());
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Invalid(description, "it is not a JSON object");
            var mediaType = root.TryGetProperty("mediaType", out var mt) && mt.ValueKind == JsonValueKind.String ? mt.GetString() ?? "" : "";
            if (mediaType.Length == 0) mediaType = contentType ?? "";
            if (root.TryGetProperty("schemaVersion", out var sv) && sv.ValueKind == JsonValueKind.Number && sv.GetInt32() == 1
                || mediaType.Contains("manifest.v1+", StringComparison.Ordinal) && mediaType.Contains("docker", StringComparison.Ordinal))
                throw Invalid(description, "it is a Docker schema 1 manifest, which is deprecated and not read");
            if (root.TryGetProperty("manifests", out var ms) && ms.ValueKind == JsonValueKind.Array)
            {
                var list = new List<RegistryDescriptor>();
                foreach (var m in ms.EnumerateArray())
                {
                    RegistryPlatform? p = null;
                    if (m.TryGetProperty("platform", out var pe) && pe.ValueKind == JsonValueKind.Object)
                        p = RegistryPlatform.Normalize(Str(pe, "os"), Str(pe, "architecture"), Str(pe, "variant"));
                    list.Add(Descriptor(m, p, description));
                }
                return new RegistryManifest { MediaType = mediaType.Length > 0 ? mediaType : OciIndex, IsIndex = true, Manifests = list };
            }
            if (!root.TryGetProperty("config", out var cfg) || cfg.ValueKind != JsonValueKind.Object)
                throw Invalid(description, "it has neither manifests (an index) nor a config (an image manifest)");
            var layers = new List<RegistryDescriptor>();
            if (root.TryGetProperty("layers", out var ls) && ls.ValueKind == JsonValueKind.Array)
                foreach (var l in ls.EnumerateArray()) layers.Add(Descriptor(l, null, description));
            return new RegistryManifest
            {
                MediaType = mediaType.Length > 0 ? mediaType : OciManifest,
                Config = Descriptor(cfg, null, description),
                Layers = layers,
            };
        }
        catch (JsonException e)
        {
            throw Invalid(description, "it is not valid JSON", e);
        }
        catch (InvalidOperationException e)
        {
            throw Invalid(description, e.Message, e);
        }
    }

    /// <summary>
    /// The index entry for <paramref name="wanted"/>; PlatformNotFound listing the platforms the index offers otherwise.
    /// Attestation entries (platform unknown/unknown, as BuildKit writes them) are never picked.
    /// </summary>
    public RegistryDescriptor Pick(RegistryPlatform wanted, string description)
    {
        var images = Manifests.Where(m => m.Platform is { } p && p.Os != "unknown").ToList();
        var hit = images.FirstOrDefault(m => m.Platform!.Matches(wanted));
        if (hit != null) return hit;
        // An index without platforms (rare) with one entry: that entry is the image.
        if (images.Count == 0 && Manifests.Count == 1 && Manifests[0].Platform == null) return Manifests[0];
        var offered = images.Select(m => m.Platform!.ToString()).Distinct().ToArray();
        throw new DockOptException(ErrorIds.PlatformNotFound, DockOptErrorCategory.ObjectNotFound,
            $"'{description}' offers no image for {wanted}; it offers {(offered.Length == 0 ? "no platform" : string.Join(", ", offered))}.",
            description, offered.Length == 0
                ? "Pick one of the platforms the image offers with -Platform os/arch[/variant]."
                : $"Pick one of the platforms the image offers with -Platform, e.g. -Platform {offered[0]}.");
    }

    static RegistryDescriptor Descriptor(JsonElement e, RegistryPlatform? p, string description)
    {
        var digest = Str(e, "digest");
        if (!digest.StartsWith("sha256:", StringComparison.Ordinal) && !digest.StartsWith("sha512:", StringComparison.Ordinal))
            throw Invalid(description, $"a descriptor has the digest '{digest}'");
        var size = e.TryGetProperty("size", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt64(out var v) ? v : -1;
        if (size < 0) throw Invalid(description, $"the descriptor {digest} has no size");
        return new RegistryDescriptor(Str(e, "mediaType"), digest, size, p);
    }

    static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";

    static DockOptException Invalid(string description, string why, Exception? inner = null) =>
        new(ErrorIds.RegistryManifestInvalid, DockOptErrorCategory.InvalidData, $"The manifest of '{description}' cannot be read: {why}.", description,
            "The registry sent a manifest DockOpt cannot read (a Docker v2 schema 2 or OCI manifest or index is needed; schema 1 is deprecated).", inner);
}
