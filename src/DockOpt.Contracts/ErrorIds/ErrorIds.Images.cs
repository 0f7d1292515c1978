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

    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Check the name or path in the message; list what exists (Get-DockOptImage, Get-ChildItem) and try again.")]
    public const string ImageListFailed = nameof(ImageListFailed);
}
