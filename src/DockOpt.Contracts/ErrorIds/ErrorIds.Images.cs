namespace DockOpt;

public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.InvalidArgument,
        "Give an image reference as docker accepts it: [host[:port]/]path[:tag][@sha256:<64 hex>], path in lower case.")]
    public const string InvalidImageReference = nameof(InvalidImageReference);
}
