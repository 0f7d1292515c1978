namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>Base of the rules on instructions of which only the last one per stage takes effect.</summary>
public abstract class SingleInstructionRule : Rule
{
    protected abstract string Keyword { get; }

    public override void Check(LintContext ctx)
    {
        foreach (var section in ctx.Sections)
        {
            var list = section.Where(i => i.Keyword == Keyword).ToList();
            var where = ctx.Model.StageOf(list.FirstOrDefault() ?? section[0]) is { } st ? $"Stage '{st.DisplayName}'" : "Before the first FROM, the file";
            foreach (var extra in list.Take(list.Count - 1))
                Report(ctx, $"{where} has {list.Count} {Keyword} instructions; only the last takes effect.", extra.Range, extra, $"Keep one {Keyword}.");
        }
    }
}
