using DockOpt.Engine.DockerApi;

namespace DockOpt.Engine.Testing;

/// <summary>Chooses how file checks read the image's layers.</summary>
public static class ImageFileSources
{
    /// <summary>The streaming layer reader over the engine's image export.</summary>
    public static IImageFileSource? Create(DockerEngine engine) => new LayerFileSource(engine);
}
