namespace DockOpt;

public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.ParserError, "Use 'key: value' lines under 'analysis:' (see about_DockOpt_Analysis).")]
    public const string AnalysisConfigInvalid = nameof(AnalysisConfigInvalid);

    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Give the path of a .dockopt.yml file, or leave -ConfigPath out to use ./.dockopt.yml when present.")]
    public const string AnalysisConfigNotFound = nameof(AnalysisConfigNotFound);

    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Give a local image with -BaseImage (see Get-DockOptImage), or leave it out to detect the base from the history.")]
    public const string BaseImageNotFound = nameof(BaseImageNotFound);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "Give -ReferenceImage and -DifferenceImage, or pipe two BuildResult objects (reference first).")]
    public const string ComparisonNeedsTwoImages = nameof(ComparisonNeedsTwoImages);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "Pass a name such as app:multi, the output of Get-DockOptImage, or the output of Invoke-DockOptBuild.")]
    public const string InvalidImageArgument = nameof(InvalidImageArgument);
}
