using System.Formats.Tar;
using System.Text.Json;
using DockOpt.Engine.DockerApi;

namespace DockOpt.Engine.Images;

/// <summary>An <see cref="IImageVisitor"/> made of delegates, for callers that need only some callbacks.</summary>
public sealed class DelegateImageVisitor : IImageVisitor
{
    /// <summary>Called per entry with the blob it belongs to; null skips every layer.</summary>
    public Action<LayerBlob, LayerEntry>? OnEntry { get; init; }
    /// <summary>Decides per blob whether to read its entries (default: yes when <see cref="OnEntry"/> is set).</summary>
    public Func<LayerBlob, bool>? WantLayer { get; init; }
    public Action<LayerBlob, LayerDigest>? OnLayerEnd { get; init; }
    public Action<ImageContents>? OnImage { get; init; }

    public ILayerVisitor? BeginLayer(LayerBlob blob)
    {
        if (OnEntry == null || (WantLayer != null && !WantLayer(blob))) return null;
        return new Layer(blob, OnEntry);
    }

    public void EndLayer(LayerBlob blob, LayerDigest digest) => OnLayerEnd?.Invoke(blob, digest);
    public void EndImage(ImageContents image) => OnImage?.Invoke(image);

    sealed class Layer : ILayerVisitor
    {
        readonly LayerBlob _blob;
        readonly Action<LayerBlob, LayerEntry> _on;
        public Layer(LayerBlob blob, Action<LayerBlob, LayerEntry> on) { _blob = blob; _on = on; }
        public void OnEntry(LayerEntry entry) => _on(_blob, entry);
    }
}
