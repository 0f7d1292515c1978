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
}
