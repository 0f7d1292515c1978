namespace DockOpt.Engine.Images;

/// <summary>How a layer blob was stored.</summary>
public enum LayerCompression { None, Gzip, Zstd }
