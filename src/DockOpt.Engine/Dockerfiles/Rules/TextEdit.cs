namespace DockOpt.Engine.Dockerfiles.Rules;

/// <summary>A replacement on one physical line (1-based column; Length characters replaced).</summary>
public sealed record TextEdit(int Line, int Column, int Length, string NewText);
