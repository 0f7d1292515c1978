namespace DockOpt.Engine.Images;

/// <summary>One history entry of the image config.</summary>
public sealed class ImageConfigHistory
{
    public string CreatedBy { get; internal set; } = "";
    public bool EmptyLayer { get; internal set; }
    public DateTime? Created { get; internal set; }
    public string? Comment { get; internal set; }
}
