namespace DockOpt.Engine.Images;

/// <summary>Where an image reference says the image is (skopeo's transport names).</summary>
public enum ImageTransport
{
    /// <summary>The Docker engine (<c>docker-daemon:name</c>, or a bare name).</summary>
    Engine,
    /// <summary>A registry, read over the distribution API without a pull (<c>docker://host/repo:tag[@digest]</c>).</summary>
    Registry,
    /// <summary>A <c>docker save</c> tar (<c>docker-archive:path</c>).</summary>
    DockerArchive,
    /// <summary>An OCI archive tar (<c>oci-archive:path</c>).</summary>
    OciArchive,
    /// <summary>An OCI image layout directory (<c>oci:dir[:ref]</c>).</summary>
    OciLayout,
    /// <summary>A skopeo <c>dir:</c> directory (manifest.json and blobs named by digest).</summary>
    Directory,
}

/// <summary>
/// One image reference in skopeo's transport syntax: <c>docker://registry/repo:tag[@digest]</c>, <c>docker-daemon:name</c>,
/// <c>docker-archive:path</c>, <c>oci-archive:path</c>, <c>oci:dir[:ref]</c>, <c>dir:path</c>; a text without a known
/// transport prefix is an engine image name (so <c>app:1</c> and <c>localhost:5000/app:1</c> stay engine names). The
/// transport prefix wins: a local image literally named <c>oci</c> is written <c>docker-daemon:oci:1</c>.
/// </summary>
public sealed class ImageSourceReference
{
    static readonly (string Prefix, ImageTransport Transport)[] Prefixes =
    {
        ("docker://", ImageTransport.Registry),
        ("docker-daemon:", ImageTransport.Engine),
        ("docker-archive:", ImageTransport.DockerArchive),
        ("oci-archive:", ImageTransport.OciArchive),
        ("oci:", ImageTransport.OciLayout),
        ("dir:", ImageTransport.Directory),
    };

    /// <summary>skopeo transports DockOpt knows by name but does not read.</summary>
    static readonly string[] Unsupported = { "containers-storage:", "ostree:", "sif:", "tarball:", "docker-daemon://" };

    ImageSourceReference(ImageTransport transport, string value, string? ociRef, ImageReference? registry, string original)
    {
        Transport = transport;
        Value = value;
        OciRef = ociRef;
        Registry = registry;
        Original = original;
    }

    /// <summary>The transport.</summary>
    public ImageTransport Transport { get; }

    /// <summary>The part after the transport prefix: the engine name, the archive path, the layout directory, or the registry reference.</summary>
    public string Value { get; }

    /// <summary>For <c>oci:dir:ref</c>, the <c>org.opencontainers.image.ref.name</c> to pick; else null.</summary>
    public string? OciRef { get; }

    /// <summary>For <see cref="ImageTransport.Registry"/>, the parsed reference (normalised: docker.io when no host).</summary>
    public ImageReference? Registry { get; }

    /// <summary>The text as given.</summary>
    public string Original { get; }

    /// <summary>True for the transports that read a file or directory.</summary>
    public bool IsPath => Transport is ImageTransport.DockerArchive or ImageTransport.OciArchive or ImageTransport.OciLayout or ImageTransport.Directory;

    /// <summary>The skopeo transport name.</summary>
    public string TransportName => Transport switch
    {
        ImageTransport.Registry => "docker",
        ImageTransport.Engine => "docker-daemon",
        ImageTransport.DockerArchive => "docker-archive",
        ImageTransport.OciArchive => "oci-archive",
        ImageTransport.OciLayout => "oci",
        _ => "dir",
    };

    /// <summary>The transport-qualified reference (what results carry in <c>Source</c>).</summary>
    public string Qualified => Transport switch
    {
        ImageTransport.Registry => "docker://" + Value,
        ImageTransport.OciLayout when OciRef != null => $"oci:{Value}:{OciRef}",
        _ => TransportName + ":" + Value,
    };

    /// <summary>The transport-qualified reference of an engine image.</summary>
    public static string ForEngine(string name) => "docker-daemon:" + name;

    /// <summary>The transport-qualified reference of a path read by <see cref="ImageSource.FromPath"/> (directory: oci, file: docker-archive).</summary>
    public static string ForPath(string path) => Directory.Exists(path) ? "oci:" + path : "docker-archive:" + path;

    public override string ToString() => Qualified;

    /// <summary>True when <paramref name="text"/> starts with a transport prefix (so it is not an engine name to check or expand).</summary>
    public static bool HasTransport(string? text) =>
        text != null && (Prefixes.Any(p => text.StartsWith(p.Prefix, StringComparison.Ordinal)) ||
                         Unsupported.Any(u => text.StartsWith(u, StringComparison.Ordinal)));

    /// <summary>Parses a reference; InvalidImageSource when the transport is unknown or its value is malformed.</summary>
    public static ImageSourceReference Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw Invalid(text ?? "", "it is empty");
        text = text.Trim();
        foreach (var u in Unsupported)
            if (text.StartsWith(u, StringComparison.Ordinal))
                throw new DockOptException(ErrorIds.ImageTransportUnsupported, DockOptErrorCategory.NotImplemented,
                    $"'{text}': the transport '{u.TrimEnd(':', '/')}' is not one DockOpt reads.", text,
                    "Use docker://, docker-daemon:, docker-archive:, oci-archive:, oci: or dir: (skopeo copy can convert the image into one of them).");
        foreach (var (prefix, transport) in Prefixes)
        {
            if (!text.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var value = text.Substring(prefix.Length);
            if (value.Length == 0) throw Invalid(text, $"nothing follows '{prefix}'");
            switch (transport)
            {
                case ImageTransport.Registry:
                {
                    if (value.StartsWith("//", StringComparison.Ordinal)) value = value.TrimStart('/');
                    if (!ImageReference.TryParse(value, out var r, out var error))
                        throw Invalid(text, error ?? "it is not an image reference", "Give docker://host[:port]/repository[:tag][@sha256:<64 hex>].");
                    return new ImageSourceReference(transport, r!.Original, null, r, text);
                }
                case ImageTransport.Engine:
                    if (value.StartsWith("//", StringComparison.Ordinal)) throw Invalid(text, "docker-daemon: takes a name, not a URL", "Give docker-daemon:name[:tag] or an image ID.");
                    return new ImageSourceReference(transport, value, null, null, text);
                case ImageTransport.OciLayout:
                {
                    // oci:dir[:ref] — the directory wins when it exists as written; else the last ':' separates a ref
                    // (a ref has no '/'), as skopeo splits it.
                    string dir = value;
                    string? ociRef = null;
                    var colon = value.LastIndexOf(':');
                    if (!Directory.Exists(value) && colon > 0 && colon < value.Length - 1 && value.IndexOf('/', colon) < 0
                        && !(colon == 1 && char.IsAsciiLetter(value[0]))) // C:\dir on Windows
                    {
                        dir = value.Substring(0, colon);
                        ociRef = value.Substring(colon + 1);
                    }
                    return new ImageSourceReference(transport, dir, ociRef, null, text);
                }
                default:
                    return new ImageSourceReference(transport, value, null, null, text);
            }
        }
        return new ImageSourceReference(ImageTransport.Engine, text, null, null, text);
    }

    /// <summary>The same reference with a path made absolute (the cmdlets resolve it against the current location).</summary>
    public ImageSourceReference WithPath(string resolved) =>
        IsPath ? new ImageSourceReference(Transport, resolved, OciRef, null, Original) : this;

    static DockOptException Invalid(string text, string why, string? hint = null) =>
        new(ErrorIds.InvalidImageSource, DockOptErrorCategory.InvalidArgument, $"'{text}' is not a valid image source: {why}.", text,
            hint ?? "Give docker://host/repo:tag, docker-daemon:name, docker-archive:path, oci-archive:path, oci:dir[:ref] or a local image name.");
}
