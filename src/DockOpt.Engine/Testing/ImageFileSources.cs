using DockOpt.Engine.DockerApi;

namespace DockOpt.Engine.Testing;

/// <summary>Chooses how file checks read the image's layers.</summary>
public static class ImageFileSources
{
    /// <summary>
    /// The engine's archive API on a created, never-started container (reads only the asked paths); the streaming layer
    /// reader over the image export when the engine can't create the container.
    /// </summary>
    public static IImageFileSource? Create(DockerEngine engine) => new ArchiveFileSource(engine, new LayerFileSource(engine));
}
