namespace DockOpt.Engine.Images;

/// <summary>Receives the entries of one layer in tar order.</summary>
public interface ILayerVisitor
{
    /// <summary>One entry; <paramref name="entry"/> and its content are valid only during this call.</summary>
    void OnEntry(LayerEntry entry);
}
