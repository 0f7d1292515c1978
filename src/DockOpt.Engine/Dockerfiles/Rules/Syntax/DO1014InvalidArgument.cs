namespace DockOpt.Engine.Dockerfiles.Rules.Syntax;

/// <summary>An argument Docker rejects (for example a STOPSIGNAL that is no signal). Found by the parser.</summary>
public sealed class DO1014InvalidArgument : ParserIssueRule
{
    public override RuleInfo Info { get; } = new("DO1014", "InvalidArgument", Severity.High, "An argument Docker rejects (for example a STOPSIGNAL that is no signal).");
}
