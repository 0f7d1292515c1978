namespace DockOpt.Engine.Images;

/// <summary>Receives an image from <see cref="ImageReader"/>. Called on the reader's thread, one call at a time.</summary>
public interface IImageVisitor
{
    /// <summary>
    /// A layer blob begins (in archive order, which for <c>docker save</c> is NOT layer order). Return a visitor for its
    /// entries, or null to skip them (the reader still reads the blob to compute its diff ID).
    /// </summary>
    ILayerVisitor? BeginLayer(LayerBlob blob);

    /// <summary>The blob was read to its end; called for visited and skipped layers alike.</summary>
    void EndLayer(LayerBlob blob, LayerDigest digest);

    /// <summary>Called once, after every layer, with the config and the layer order.</summary>
    void EndImage(ImageContents image);
}
