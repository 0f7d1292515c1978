namespace DockOpt;

public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Pick one of the platforms the image offers with -Platform os/arch[/variant].")]
    public const string PlatformNotFound = nameof(PlatformNotFound);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "Give docker://host/repo:tag, docker-daemon:name, docker-archive:path, oci-archive:path, oci:dir[:ref] or a local image name.")]
    public const string InvalidImageSource = nameof(InvalidImageSource);

    [ErrorId(DockOptErrorCategory.NotImplemented, "Use docker://, docker-daemon:, docker-archive:, oci-archive:, oci: or dir: (skopeo copy can convert the image into one of them).")]
    public const string ImageTransportUnsupported = nameof(ImageTransportUnsupported);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "Give -Platform as os/arch[/variant], for example linux/amd64 or linux/arm64/v8.")]
    public const string InvalidPlatform = nameof(InvalidPlatform);

    [ErrorId(DockOptErrorCategory.NotImplemented, "Layers compressed with gzip, zstd or not at all are read; re-push the image with one of them (skopeo copy --dest-compress-format gzip).")]
    public const string LayerCompressionUnsupported = nameof(LayerCompressionUnsupported);

    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Check the repository and tag (or digest) in the registry; list its tags with 'skopeo list-tags docker://host/repo'.")]
    public const string RegistryImageNotFound = nameof(RegistryImageNotFound);

    [ErrorId(DockOptErrorCategory.InvalidData, "The registry sent a manifest DockOpt cannot read (a Docker v2 schema 2 or OCI manifest or index is needed; schema 1 is deprecated).")]
    public const string RegistryManifestInvalid = nameof(RegistryManifestInvalid);
}
