namespace DockOpt.Engine.Dockerfiles;

/// <summary>One comment line.</summary>
public sealed record CommentLine(int Line, int Column, string Text);
