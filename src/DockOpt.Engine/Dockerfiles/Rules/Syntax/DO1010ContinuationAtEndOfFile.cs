namespace DockOpt.Engine.Dockerfiles.Rules.Syntax;

/// <summary>The file ends with a line continuation. Found by the parser.</summary>
public sealed class DO1010ContinuationAtEndOfFile : ParserIssueRule
{
    public override RuleInfo Info { get; } = new("DO1010", "ContinuationAtEndOfFile", Severity.Medium, "The file ends with a line continuation.");
}
