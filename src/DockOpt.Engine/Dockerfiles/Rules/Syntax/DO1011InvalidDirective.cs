namespace DockOpt.Engine.Dockerfiles.Rules.Syntax;

/// <summary>Duplicate or invalid parser directive. Found by the parser.</summary>
public sealed class DO1011InvalidDirective : ParserIssueRule
{
    public override RuleInfo Info { get; } = new("DO1011", "InvalidDirective", Severity.Medium, "Duplicate or invalid parser directive.");
}
