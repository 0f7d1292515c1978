namespace DockOpt.Engine.Dockerfiles.Rules.Optimization;

/// <summary>Consecutive RUN instructions with the same flags could be one layer (hadolint DL3059).</summary>
public sealed class DO4003ConsecutiveRun : Rule
{
    public override RuleInfo Info { get; } = new("DO4003", "ConsecutiveRun", Severity.Low, "Consecutive RUN instructions with the same flags could be merged into one layer.", "DL3059");

    public override void Check(LintContext ctx)
    {
        foreach (var st in ctx.Model.Stages)
        {
            Instruction? prev = null;
            foreach (var ins in st.Instructions)
            {
                if (ins.Keyword == "RUN" && prev?.Keyword == "RUN" && ins.Heredocs.Count == 0 && prev.Heredocs.Count == 0 && FlagsOf(prev) == FlagsOf(ins))
                    Report(ctx, $"RUN right after the RUN on line {prev.Range.Start.Line}: each RUN is a layer.", ins.KeywordRange, ins, "Join them with && in one RUN.");
                prev = ins;
            }
        }
    }

    static string FlagsOf(Instruction run) => string.Join(" ", run.Flags.Select(x => x.ToString()).Order());
}
