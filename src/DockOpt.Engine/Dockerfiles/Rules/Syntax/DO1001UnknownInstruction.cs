namespace DockOpt.Engine.Dockerfiles.Rules.Syntax;

/// <summary>Unknown instruction. Found by the parser.</summary>
public sealed class DO1001UnknownInstruction : ParserIssueRule
{
    public override RuleInfo Info { get; } = new("DO1001", "UnknownInstruction", Severity.High, "Unknown instruction.", "DL1000");
}
