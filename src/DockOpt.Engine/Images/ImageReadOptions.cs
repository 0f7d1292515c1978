using System.Formats.Tar;
using System.Text.Json;
using DockOpt.Engine.DockerApi;

namespace DockOpt.Engine.Images;

/// <summary>How <see cref="ImageReader"/> reads.</summary>
public sealed class ImageReadOptions
{
    public static readonly ImageReadOptions Default = new();

    /// <summary>
    /// Compute each layer's SHA-256 and check it against the config's diff IDs (default). When false (a trusted source
    /// such as the local engine), layers get their diff IDs from the config at the end and
    /// <see cref="LayerDigest.DiffId"/> is "" in <see cref="IImageVisitor.EndLayer"/>; it saves one SHA-256 pass.
    /// </summary>
    public bool VerifyDiffIds { get; init; } = true;

    /// <summary>
    /// The platform to pick from a multi-platform index (<c>os/arch[/variant]</c>, e.g. <c>linux/arm64/v8</c>); null means the
    /// host's platform. A reader that meets an index without a matching entry fails with PlatformNotFound listing what it offers.
    /// </summary>
    public string? Platform { get; init; }
}
