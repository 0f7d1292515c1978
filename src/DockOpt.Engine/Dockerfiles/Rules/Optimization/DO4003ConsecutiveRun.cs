namespace DockOpt.Engine.Dockerfiles.Rules.Optimization;

/// <summary>Consecutive RUN instructions with the same flags could be one layer (hadolint DL3059).</summary>
public sealed class DO4003ConsecutiveRun : Rule
{
    public override RuleInfo Info { get; } = new("DO4003", "ConsecutiveRun", Severity.Low, "Consecutive RUN instructions with the same flags could be merged into one layer.", "DL3059");

    public override void Check(LintContext ctx)
    {
        foreach (var section in ctx.Sections)
        {
            Instruction? prev = null;
            foreach (var ins in section)
            {
                if (ins.Keyword == "RUN" && prev?.Keyword == "RUN" && ins.HeredocCount == 0 && prev.HeredocCount == 0 && SameFlags(prev, ins)
                    && !Chains(ctx, prev) && !Chains(ctx, ins))
                    Report(ctx, $"RUN right after the RUN on line {prev.Range.Start.Line}: each RUN is a layer.", ins.KeywordRange, ins, "Join them with && in one RUN.");
                prev = ins;
            }
        }
    }

    /// <summary>A RUN that already chains several commands (with &amp;&amp;, ;, …) was split on purpose, as hadolint reads it.</summary>
    static bool Chains(LintContext ctx, Instruction run) => ctx.IsPosixShell(run) && ctx.Commands(run).Count > 1;

    static bool SameFlags(Instruction a, Instruction b) => (a.FlagCount == 0 && b.FlagCount == 0) || FlagsOf(a) == FlagsOf(b);

    static string FlagsOf(Instruction run) => string.Join(" ", run.Flags.Select(x => x.ToString()).Order());
}
