namespace DockOpt;

public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.ObjectNotFound, "The test container went away (removed or never created): check 'docker ps -a' and the engine's log.")]
    public const string ContainerNotFound = nameof(ContainerNotFound);

    [ErrorId(DockOptErrorCategory.ReadError, "Check the image with 'docker image inspect'.")]
    public const string ImageFilesUnreadable = nameof(ImageFilesUnreadable);

    [ErrorId(DockOptErrorCategory.ParserError, "Fix the PowerShell data file syntax.")]
    public const string InvalidTestSpec = nameof(InvalidTestSpec);

    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Check -SpecPath; see Get-Help about_DockOptImageTestSpec for the format.")]
    public const string TestSpecNotFound = nameof(TestSpecNotFound);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "Use a .yaml or .psd1 spec.")]
    public const string UnsupportedTestSpecFormat = nameof(UnsupportedTestSpecFormat);
}
