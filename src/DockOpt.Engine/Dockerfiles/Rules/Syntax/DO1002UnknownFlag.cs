namespace DockOpt.Engine.Dockerfiles.Rules.Syntax;

/// <summary>Unknown flag for the instruction (hadolint fails the whole file here). Found by the parser.</summary>
public sealed class DO1002UnknownFlag : ParserIssueRule
{
    public override RuleInfo Info { get; } = new("DO1002", "UnknownFlag", Severity.Medium, "Unknown flag for the instruction (hadolint fails the whole file here).");
}
