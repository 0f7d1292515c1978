namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>FROM uses an ARG that no ARG before the first FROM declares (build check UndefinedArgInFrom).</summary>
public sealed class DO2014UndefinedArgInFrom : Rule
{
    public override RuleInfo Info { get; } = new("DO2014", "UndefinedArgInFrom", Severity.Medium, "FROM uses an ARG that is not declared before the first FROM.", "", "UndefinedArgInFrom");

    public override void Check(LintContext ctx)
    {
        foreach (var st in ctx.Model.Stages)
            foreach (var u in ctx.Model.Expand(st.From, st.BaseRaw).Undefined.Distinct())
                Report(ctx, $"FROM uses ${u}, which no ARG before the first FROM declares.", VariableReferences.RangeOf(st.From, u), st.From, $"Add 'ARG {u}=<default>' before the first FROM.");
    }
}
