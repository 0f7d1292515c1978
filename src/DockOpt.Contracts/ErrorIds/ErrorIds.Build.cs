namespace DockOpt;

public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.NotImplemented, "Use -Builder Auto or Classic, or an engine with API 1.39 or later (Docker 18.09+), which has BuildKit built in.")]
    public const string BuildKitUnavailable = nameof(BuildKitUnavailable);

    [ErrorId(DockOptErrorCategory.ConnectionError, "Check that nothing between DockOpt and the engine (a proxy or socket filter) blocks the HTTP upgrade of POST /session, or use -Builder Classic.")]
    public const string BuildKitSessionFailed = nameof(BuildKitSessionFailed);

    [ErrorId(DockOptErrorCategory.NotImplemented, "Rewrite the instruction without the feature, or add a '# syntax=docker/dockerfile:1.4' line when the engine can pull that frontend image.")]
    public const string BuildKitFeatureUnsupported = nameof(BuildKitFeatureUnsupported);

    [ErrorId(DockOptErrorCategory.ResourceUnavailable, "Remove the '# syntax=' line to use the engine's built-in Dockerfile frontend, or make the frontend image's registry reachable.")]
    public const string BuildFrontendUnavailable = nameof(BuildFrontendUnavailable);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "The engine's built-in BuildKit exports cache only inline: use -CacheTo inline (cache in the image config) and push the image.")]
    public const string BuildCacheExporterUnsupported = nameof(BuildCacheExporterUnsupported);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "Give -Secret as 'id=NAME,src=FILE', 'id=NAME,env=VARIABLE', or a hashtable @{ NAME = 'FILE' }.")]
    public const string BuildSecretInvalid = nameof(BuildSecretInvalid);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "Give -Ssh as 'default' (the agent in SSH_AUTH_SOCK) or 'ID=SOCKET' with an agent socket path.")]
    public const string BuildSshInvalid = nameof(BuildSshInvalid);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "Give the directory that holds the files the Dockerfile copies as -Path, and the Dockerfile itself as -Dockerfile.")]
    public const string BuildContextNotDirectory = nameof(BuildContextNotDirectory);

    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Check -Path; it defaults to the current directory.")]
    public const string BuildContextNotFound = nameof(BuildContextNotFound);

    [ErrorId(DockOptErrorCategory.ReadError, "Fix the file's permissions.")]
    public const string BuildContextUnreadable = nameof(BuildContextUnreadable);

    [ErrorId(DockOptErrorCategory.InvalidResult, "Run with -Verbose to see the engine's messages.")]
    public const string BuildFailed = nameof(BuildFailed);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "Give -Target the name of a stage (FROM ... AS <name>) of this Dockerfile.")]
    public const string BuildTargetNotFound = nameof(BuildTargetNotFound);

    [ErrorId(DockOptErrorCategory.ParserError, "Fix the Dockerfile syntax (Test-DockOptDockerfile shows each problem with its line).")]
    public const string DockerfileInvalid = nameof(DockerfileInvalid);

    [ErrorId(DockOptErrorCategory.InvalidData, "Fix the pattern: '[' needs a closing ']', a trailing '\\' escapes nothing, and '!' alone is not a pattern.")]
    public const string InvalidDockerignore = nameof(InvalidDockerignore);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "Image names are lower-case: [registry[:port]/]name[:tag], for example myapp:1.0 or localhost:5000/team/app:latest.")]
    public const string InvalidTag = nameof(InvalidTag);

    [ErrorId(DockOptErrorCategory.InvalidResult, "Read the step's output tail in the message: fix the failing RUN (or COPY) instruction on the Dockerfile line it names.")]
    public const string BuildStepFailed = nameof(BuildStepFailed);
}
