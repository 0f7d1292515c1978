namespace DockOpt.Engine.Images;

/// <summary>One layer of the image in order, known once the manifest and config are read.</summary>
public sealed class ImageLayerRef
{
    public int Index { get; internal set; }
    /// <summary>The blob key (see <see cref="LayerBlob.Key"/>) the layer was read from.</summary>
    public string Key { get; internal set; } = "";
    public string DiffId { get; internal set; } = "";
    public string? BlobDigest { get; internal set; }
    public string? MediaType { get; internal set; }
    public override string ToString() => $"{Index} {DiffId}";
}
