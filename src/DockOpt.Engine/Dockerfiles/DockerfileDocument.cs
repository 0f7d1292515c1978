namespace DockOpt.Engine.Dockerfiles;

/// <summary>The result of parsing one Dockerfile.</summary>
public sealed class DockerfileDocument
{
    public string Text { get; init; } = "";
    public string[] Lines { get; init; } = Array.Empty<string>();
    public char EscapeChar { get; init; } = '\\';
    /// <summary>Parser directives (lower-case keys).</summary>
    public Dictionary<string, (string Value, int Line)> Directives { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<Instruction> Instructions { get; } = new();
    public List<CommentLine> Comments { get; } = new();
    public List<ParseIssue> Issues { get; } = new();
}
