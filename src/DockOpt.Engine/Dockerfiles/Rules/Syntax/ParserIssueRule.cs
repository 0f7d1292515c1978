namespace DockOpt.Engine.Dockerfiles.Rules.Syntax;

/// <summary>
/// A rule whose check is done by the tolerant parser while it reads the file (<see cref="DockerfileDocument.Issues"/>):
/// the rule reports the issues the parser recorded under its id.
/// </summary>
public abstract class ParserIssueRule : Rule
{
    public override void Check(LintContext ctx)
    {
        foreach (var issue in ctx.Document.Issues.Where(i => i.RuleId == Info.Id))
            Report(ctx, issue.Message, issue.Range, issue.Instruction, issue.Fix);
    }
}
