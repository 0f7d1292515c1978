namespace DockOpt;

public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Pass a Dockerfile or a directory that contains one.")]
    public const string DockerfileNotFound = nameof(DockerfileNotFound);

    [ErrorId(DockOptErrorCategory.ParserError, "Pass a Dockerfile (text with FROM and other instructions).")]
    public const string DockerfileUnparseable = nameof(DockerfileUnparseable);

    [ErrorId(DockOptErrorCategory.ReadError, "Check the file permissions.")]
    public const string DockerfileUnreadable = nameof(DockerfileUnreadable);

    [ErrorId(DockOptErrorCategory.WriteError, "Check that the file is writable.")]
    public const string DockerfileWriteFailed = nameof(DockerfileWriteFailed);

    [ErrorId(DockOptErrorCategory.InvalidData, "Fix the YAML syntax.")]
    public const string LintConfigInvalid = nameof(LintConfigInvalid);

    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Check -ConfigPath.")]
    public const string LintConfigNotFound = nameof(LintConfigNotFound);

    [ErrorId(DockOptErrorCategory.ReadError, "Check the path and permissions of the configuration file.")]
    public const string LintConfigUnreadable = nameof(LintConfigUnreadable);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "Use , .")]
    public const string LintFormatUnknown = nameof(LintFormatUnknown);
}
