namespace DockOpt;

public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.PermissionDenied, "Run as a user allowed to use the Docker socket (the docker group, or rootless Docker's DOCKER_HOST), or check the engine's authorization plugin.")]
    public const string EngineAccessDenied = nameof(EngineAccessDenied);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "The engine rejected the request as invalid: check the parameter values named in the message (image names, platforms, build arguments).")]
    public const string EngineBadRequest = nameof(EngineBadRequest);

    [ErrorId(DockOptErrorCategory.ResourceExists, "Remove or rename the conflicting object named in the message (container, image or tag in use), then run the command again.")]
    public const string EngineConflict = nameof(EngineConflict);

    [ErrorId(DockOptErrorCategory.InvalidResult, "Check the engine with 'docker info' and its log (journalctl -u docker); run the command again when the engine is healthy.")]
    public const string EngineError = nameof(EngineError);

    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Check that the object named in the message exists on this engine ('docker image ls', 'docker ps -a').")]
    public const string EngineObjectNotFound = nameof(EngineObjectNotFound);

    [ErrorId(DockOptErrorCategory.InvalidData, "Point DOCKER_CERT_PATH at the folder with the engine's ca.pem, cert.pem and key.pem.")]
    public const string EngineTlsInvalid = nameof(EngineTlsInvalid);

    [ErrorId(DockOptErrorCategory.InvalidData, "Fix or remove the file, or pass -Engine.", Terminating = true)]
    public const string DockerConfigInvalid = nameof(DockerConfigInvalid);

    [ErrorId(DockOptErrorCategory.InvalidData, "Recreate the context with 'docker context create NAME --docker host=…'.", Terminating = true)]
    public const string DockerContextInvalid = nameof(DockerContextInvalid);

    [ErrorId(DockOptErrorCategory.ObjectNotFound, "List contexts with 'docker context ls', create one with 'docker context create', or pass -Engine with an endpoint URI.", Terminating = true)]
    public const string DockerContextNotFound = nameof(DockerContextNotFound);

    [ErrorId(DockOptErrorCategory.ConnectionError, "Check that the engine is running (docker info), that -Engine, DOCKER_HOST or the docker context points at it, and that you may use its socket.", Terminating = true)]
    public const string EngineUnreachable = nameof(EngineUnreachable);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "Use unix:///path/to/docker.sock, tcp://host:port, npipe:////./pipe/docker_engine, or the name of a docker context.", Terminating = true)]
    public const string InvalidEngineEndpoint = nameof(InvalidEngineEndpoint);
}
