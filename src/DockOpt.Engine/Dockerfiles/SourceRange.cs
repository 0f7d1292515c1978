namespace DockOpt.Engine.Dockerfiles;

/// <summary>A range of the file: Start inclusive, End = position just after the last character.</summary>
public readonly record struct SourceRange(SourcePosition Start, SourcePosition End)
{
    public static SourceRange Of(int line, int col, int endLine, int endCol) => new(new(line, col), new(endLine, endCol));
}
