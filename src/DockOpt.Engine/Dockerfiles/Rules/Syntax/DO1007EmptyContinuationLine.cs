namespace DockOpt.Engine.Dockerfiles.Rules.Syntax;

/// <summary>Empty line inside a line continuation. Found by the parser.</summary>
public sealed class DO1007EmptyContinuationLine : ParserIssueRule
{
    public override RuleInfo Info { get; } = new("DO1007", "EmptyContinuationLine", Severity.Medium, "Empty line inside a line continuation.", "", "NoEmptyContinuation");
}
