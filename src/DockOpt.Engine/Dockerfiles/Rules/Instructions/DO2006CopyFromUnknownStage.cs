namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>COPY --from names no earlier stage and does not look like an image (hadolint DL3022).</summary>
public sealed class DO2006CopyFromUnknownStage : CopyFromRule
{
    public override RuleInfo Info { get; } = new("DO2006", "CopyFromUnknownStage", Severity.Medium, "COPY --from names no earlier stage and does not look like an image.", "DL3022");

    protected override void Check(LintContext ctx, Instruction ins, Stage stage, string value, InstructionFlag flag)
    {
        if (!IsOwnStage(stage, value) && ctx.Model.FindStage(value, stage.Index) == null && !value.Contains(':') && !value.Contains('/') && !value.Contains('@'))
            Report(ctx, $"COPY --from={value}: no earlier stage is named '{value}' and it is not a tagged image.", flag.Range, ins,
                "Name an earlier stage (FROM … AS " + value + ") or a tagged image.");
    }
}
