namespace DockOpt.Engine.Dockerfiles;

/// <summary>A 1-based physical position in the file.</summary>
public readonly record struct SourcePosition(int Line, int Column);
