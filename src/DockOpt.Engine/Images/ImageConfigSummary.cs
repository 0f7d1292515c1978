namespace DockOpt.Engine.Images;

/// <summary>The parts of the image config the analysers use; <see cref="ImageContents.ConfigJson"/> has all of it.</summary>
public sealed class ImageConfigSummary
{
    public string Os { get; internal set; } = "";
    public string Architecture { get; internal set; } = "";
    public string User { get; internal set; } = "";
    public string[] DiffIds { get; internal set; } = Array.Empty<string>();
    public ImageConfigHistory[] History { get; internal set; } = Array.Empty<ImageConfigHistory>();
    public bool HasHealthcheck { get; internal set; }
    public string[] EnvNames { get; internal set; } = Array.Empty<string>();
    public string[] Entrypoint { get; internal set; } = Array.Empty<string>();
    public string[] Cmd { get; internal set; } = Array.Empty<string>();
    public Dictionary<string, string> Labels { get; internal set; } = new(StringComparer.Ordinal);
}
