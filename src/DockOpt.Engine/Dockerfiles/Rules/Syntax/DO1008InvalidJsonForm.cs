namespace DockOpt.Engine.Dockerfiles.Rules.Syntax;

/// <summary>Arguments look like JSON but are not (single quotes); Docker runs them through a shell. Found by the parser.</summary>
public sealed class DO1008InvalidJsonForm : ParserIssueRule
{
    public override RuleInfo Info { get; } = new("DO1008", "InvalidJsonForm", Severity.Medium, "Arguments look like JSON but are not (single quotes); Docker runs them through a shell.");
}
