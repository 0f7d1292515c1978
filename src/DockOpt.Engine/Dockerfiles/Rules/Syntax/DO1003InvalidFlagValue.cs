namespace DockOpt.Engine.Dockerfiles.Rules.Syntax;

/// <summary>Invalid flag value, mount type or mount option. Found by the parser.</summary>
public sealed class DO1003InvalidFlagValue : ParserIssueRule
{
    public override RuleInfo Info { get; } = new("DO1003", "InvalidFlagValue", Severity.Medium, "Invalid flag value, mount type or mount option.");
}
