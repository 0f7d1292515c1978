namespace DockOpt;

/// <summary>Parameters and inputs shared by every cmdlet (the vocabulary of about_DockOpt_Conventions).</summary>
public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.InvalidArgument, "Give the images: names, IDs or wildcards with -Name, DockOpt objects from the pipeline, or archives with -Path.")]
    public const string ImageNameRequired = nameof(ImageNameRequired);

    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Check -Path (wildcards are resolved; use -LiteralPath for names with [ or ]).")]
    public const string PathNotFound = nameof(PathNotFound);
}
