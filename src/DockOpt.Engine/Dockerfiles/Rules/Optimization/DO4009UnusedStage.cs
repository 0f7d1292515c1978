namespace DockOpt.Engine.Dockerfiles.Rules.Optimization;

/// <summary>A stage before the final one that the final stage does not use (the classic builder builds it for nothing).</summary>
public sealed class DO4009UnusedStage : Rule
{
    public override RuleInfo Info { get; } = new("DO4009", "UnusedStage", Severity.Low, "A stage that the final stage does not use (built for nothing by the classic builder).");

    public override void Check(LintContext ctx)
    {
        var model = ctx.Model;
        if (model.Final is not { } final) return;
        foreach (var st in model.Stages.Where(s => !model.FeedsFinal.Contains(s.Index) && s.Index < final.Index))
            Report(ctx, $"Stage '{st.DisplayName}' is not used by the final stage '{final.DisplayName}'.", st.From.Range, st.From,
                "Remove it, or build it with --target when it is a separate image (test, dev).");
    }
}
