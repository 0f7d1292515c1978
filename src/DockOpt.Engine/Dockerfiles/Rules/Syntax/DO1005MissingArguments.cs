namespace DockOpt.Engine.Dockerfiles.Rules.Syntax;

/// <summary>The instruction lacks required arguments (found by the parser), or FROM has words other than <c>&lt;image&gt; [AS &lt;name&gt;]</c>.</summary>
public sealed class DO1005MissingArguments : ParserIssueRule
{
    public override RuleInfo Info { get; } = new("DO1005", "MissingArguments", Severity.High, "The instruction lacks required arguments.");

    public override void Check(LintContext ctx)
    {
        base.Check(ctx);
        foreach (var st in ctx.Model.Stages)
        {
            var words = DockerfileParser.Words(st.From.Arguments.Text).ToList();
            if (words.Count >= 2 && (!words[1].Value.Equals("AS", StringComparison.OrdinalIgnoreCase) || words.Count != 3))
                Report(ctx, "FROM takes <image> [AS <name>].", st.From.Arguments.RangeOf(words[1].Start, words[^1].End), st.From);
        }
    }
}
