namespace DockOpt.Engine.Dockerfiles;

/// <summary>A finding produced while parsing (the parse goes on).</summary>
public sealed record ParseIssue(string RuleId, string Message, SourceRange Range, Instruction? Instruction = null, string Fix = "");
