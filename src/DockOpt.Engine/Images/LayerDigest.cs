namespace DockOpt.Engine.Images;

/// <summary>What the reader learnt from reading a layer blob to its end.</summary>
public sealed class LayerDigest
{
    /// <summary>SHA-256 of the uncompressed tar (<c>sha256:…</c>), i.e. the layer's diff ID.</summary>
    public string DiffId { get; internal set; } = "";

    /// <summary>Bytes of the uncompressed tar.</summary>
    public long TarLength { get; internal set; }

    /// <summary>Number of tar entries (0 when the layer was skipped).</summary>
    public int EntryCount { get; internal set; }

    /// <summary>True when the visitor read the entries; false when it skipped the layer.</summary>
    public bool Visited { get; internal set; }
}
