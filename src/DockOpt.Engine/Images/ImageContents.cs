namespace DockOpt.Engine.Images;

/// <summary>The manifest side of an image, given to <see cref="IImageVisitor.EndImage"/> after all layers.</summary>
public sealed class ImageContents
{
    public ImageArchiveFormat Format { get; internal set; }
    public string? ConfigDigest { get; internal set; }
    /// <summary>The raw image config JSON.</summary>
    public byte[] ConfigJson { get; internal set; } = Array.Empty<byte>();
    public ImageConfigSummary Config { get; internal set; } = new();
    /// <summary>Layers bottom-up, each with its verified diff ID.</summary>
    public IReadOnlyList<ImageLayerRef> Layers { get; internal set; } = Array.Empty<ImageLayerRef>();
    public string[] RepoTags { get; internal set; } = Array.Empty<string>();
    /// <summary>Sum of the stored (compressed) layer blob sizes when the source knows them (a registry manifest), else null.</summary>
    public long? CompressedSize { get; internal set; }
}
