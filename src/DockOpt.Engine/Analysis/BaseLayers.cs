using System.Diagnostics;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis;

/// <summary>Which layers of an image belong to its base image, and how that was decided.</summary>
public sealed class BaseLayers
{
    public static readonly BaseLayers None = new();
    /// <summary>Number of layers (from the bottom) that belong to the base image.</summary>
    public int Count { get; init; }
    /// <summary><c>BaseImage</c>, <c>History</c>, <c>SharedLayers</c> or <c>None</c>.</summary>
    public string Source { get; init; } = "None";
    public string? Image { get; init; }
}
