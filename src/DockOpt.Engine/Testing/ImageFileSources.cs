using DockOpt.Engine.Engine;

namespace DockOpt.Engine.Testing;

/// <summary>Chooses how file checks read the image's layers.</summary>
public static class ImageFileSources
{
    /// <summary>The layer reader for this engine, or null when none is available (file checks then report Error).</summary>
    public static IImageFileSource? Create(DockerEngine engine) => null;
}
