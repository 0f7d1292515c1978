using DockOpt.Engine.DockerApi;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis;

/// <summary>One side of a comparison: what the user gave, resolved lazily to a local image.</summary>
public sealed class ComparisonSide
{
    /// <summary>A name, ID, digest reference or single-match wildcard.</summary>
    public string Reference { get; init; } = "";

    /// <summary>The name to report (a BuildResult's first tag, an ImageInfo's name); null: the name the catalog finds.</summary>
    public string? DisplayName { get; init; }

    /// <summary>Build time, when the side came from a BuildResult.</summary>
    public TimeSpan? BuildDuration { get; init; }

    public static ComparisonSide FromBuild(BuildResult b) => new()
    {
        Reference = string.IsNullOrEmpty(b.ImageId) ? b.Name : b.ImageId,
        DisplayName = b.Name,
        BuildDuration = b.Duration,
    };

    public static ComparisonSide FromImage(ImageInfo i) => new() { Reference = string.IsNullOrEmpty(i.Id) ? i.Name : i.Id, DisplayName = i.Name };

    public static ComparisonSide FromName(string name) => new() { Reference = name.Trim() };

    /// <summary>A side with a transport (docker://, docker-archive:, oci:…; paths already resolved), read without the engine.</summary>
    public ImageSourceReference? Transport { get; init; }

    public override string ToString() => DisplayName ?? Reference;
}
