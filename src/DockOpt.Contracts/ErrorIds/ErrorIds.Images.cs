namespace DockOpt;

public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.InvalidArgument,
        "Give an image reference as docker accepts it: [host[:port]/]path[:tag][@sha256:<64 hex>], path in lower case.")]
    public const string InvalidImageReference = nameof(InvalidImageReference);

    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Give the path of a 'docker save' tar, an OCI archive tar, or an OCI layout directory.")]
    public const string ImageArchiveNotFound = nameof(ImageArchiveNotFound);

    [ErrorId(DockOptErrorCategory.InvalidData, "The archive is damaged or was altered. Save the image again.")]
    public const string ImageLayerDigestMismatch = nameof(ImageLayerDigestMismatch);

    [ErrorId(DockOptErrorCategory.InvalidData, "The image archive is damaged or not an image. Save it again (docker save) or check the source.")]
    public const string ImageLayerInvalid = nameof(ImageLayerInvalid);

    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Check that the engine answers 'docker image ls'; then run the command again.")]
    public const string ImageListFailed = nameof(ImageListFailed);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "Give a full repository:tag or an image ID.")]
    public const string AmbiguousImage = nameof(AmbiguousImage);

    [ErrorId(DockOptErrorCategory.InvalidData, "Give an OCI layout directory (oci-layout, index.json, blobs/sha256/...) or a 'docker save' tar.")]
    public const string ImageArchiveInvalid = nameof(ImageArchiveInvalid);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "Give an image name, an ImageInfo from Get-DockOptImage or a BuildResult from Invoke-DockOptBuild.")]
    public const string ImageNameEmpty = nameof(ImageNameEmpty);

    [ErrorId(DockOptErrorCategory.ObjectNotFound, "List local images with Get-DockOptImage.")]
    public const string ImageNotFound = nameof(ImageNotFound);
}
