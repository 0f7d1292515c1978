using DockOpt.Engine.Dockerfiles.Rules;

namespace DockOpt.Engine.Dockerfiles;

/// <summary>The result of linting one Dockerfile.</summary>
public sealed class DockerfileLintResult
{
    public string Path { get; init; } = "";
    public string Text { get; init; } = "";
    public DockerfileDocument Document { get; init; } = null!;
    public DockerfileModel Model { get; init; } = null!;
    public List<LintFinding> Findings { get; } = new();
    /// <summary>Safe rewrites of the reported (not suppressed) findings.</summary>
    public List<(LintFinding Finding, IReadOnlyList<TextEdit> Edits)> Fixes { get; } = new();
}
