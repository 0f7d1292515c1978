namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>Base of the rules on instructions of which only the last one per stage takes effect.</summary>
public abstract class SingleInstructionRule : Rule
{
    protected abstract string Keyword { get; }

    public override void Check(LintContext ctx)
    {
        foreach (var st in ctx.Model.Stages)
        {
            var list = st.Instructions.Where(i => i.Keyword == Keyword).ToList();
            foreach (var extra in list.Take(list.Count - 1))
                Report(ctx, $"Stage '{st.DisplayName}' has {list.Count} {Keyword} instructions; only the last takes effect.", extra.Range, extra, $"Keep one {Keyword}.");
        }
    }
}
