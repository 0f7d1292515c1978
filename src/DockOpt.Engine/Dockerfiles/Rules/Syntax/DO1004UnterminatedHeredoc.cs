namespace DockOpt.Engine.Dockerfiles.Rules.Syntax;

/// <summary>A heredoc has no terminating delimiter line. Found by the parser.</summary>
public sealed class DO1004UnterminatedHeredoc : ParserIssueRule
{
    public override RuleInfo Info { get; } = new("DO1004", "UnterminatedHeredoc", Severity.High, "A heredoc has no terminating delimiter line.", "DL1000");
}
