namespace DockOpt.Engine.Dockerfiles.Rules;

/// <summary>A finding before suppression and configuration are applied.</summary>
public sealed class RawFinding
{
    public RuleInfo Rule { get; init; } = null!;
    public string Message { get; init; } = "";
    public SourceRange Range { get; init; }
    public Instruction? Instruction { get; init; }
    public int StageIndex { get; init; } = -1;
    public string Fix { get; init; } = "";
    /// <summary>The hadolint id of this finding when the rule maps to several (DL3019 for apk, …).</summary>
    public string? Hadolint { get; init; }
    public List<TextEdit> Edits { get; } = new();
}
