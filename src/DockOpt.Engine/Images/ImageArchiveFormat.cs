namespace DockOpt.Engine.Images;

/// <summary>How the archive was laid out.</summary>
public enum ImageArchiveFormat { DockerSave, OciLayout }
