namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>COPY --from cannot name its own stage (hadolint DL3023).</summary>
public sealed class DO2007CopyFromOwnStage : CopyFromRule
{
    public override RuleInfo Info { get; } = new("DO2007", "CopyFromOwnStage", Severity.High, "COPY --from cannot name its own stage.", "DL3023");

    protected override void Check(LintContext ctx, Instruction ins, Stage stage, string value, InstructionFlag flag)
    {
        if (IsOwnStage(stage, value))
            Report(ctx, $"COPY --from={value} names its own stage.", flag.Range, ins, "Copy from an earlier stage.");
    }
}
