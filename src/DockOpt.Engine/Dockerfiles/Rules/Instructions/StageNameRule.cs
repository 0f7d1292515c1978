namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>Base of the rules on stage names (<c>FROM image AS name</c>): visits each named stage with the name's range.</summary>
public abstract class StageNameRule : Rule
{
    public override void Check(LintContext ctx)
    {
        foreach (var st in ctx.Model.Stages.Where(s => s.Name != null))
        {
            var words = DockerfileParser.Words(st.From.Arguments.Text).ToList();
            Check(ctx, st, st.Name!, st.From.Arguments.RangeOf(words[2].Start, words[2].End));
        }
    }

    protected abstract void Check(LintContext ctx, Stage stage, string name, SourceRange nameRange);
}
