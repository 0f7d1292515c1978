namespace DockOpt;

/// <summary>Parameters and inputs shared by every cmdlet (the vocabulary of about_DockOpt_Conventions).</summary>
public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.InvalidArgument, "Give the images: names, IDs or wildcards with -Name, DockOpt objects from the pipeline, or archives with -Path.")]
    public const string ImageNameRequired = nameof(ImageNameRequired);

    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Check -Path (wildcards are resolved; use -LiteralPath for names with [ or ]).")]
    public const string PathNotFound = nameof(PathNotFound);

    [ErrorId(DockOptErrorCategory.InvalidData, "Fix or remove the file, or pass -Engine.")]
    public const string DockerConfigInvalid = nameof(DockerConfigInvalid);

    [ErrorId(DockOptErrorCategory.InvalidData, "Recreate the context with 'docker context create NAME --docker host=…'.")]
    public const string DockerContextInvalid = nameof(DockerContextInvalid);

    [ErrorId(DockOptErrorCategory.ObjectNotFound, "List contexts with 'docker context ls', create one with 'docker context create', or pass -Engine with an endpoint URI.")]
    public const string DockerContextNotFound = nameof(DockerContextNotFound);

    [ErrorId(DockOptErrorCategory.ConnectionError, "Check that the engine is running and has disk space for the build context.")]
    public const string EngineUnreachable = nameof(EngineUnreachable);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "Use unix:///path/to/docker.sock, tcp://host:port, npipe:////./pipe/docker_engine, or the name of a docker context.")]
    public const string InvalidEngineEndpoint = nameof(InvalidEngineEndpoint);
}
