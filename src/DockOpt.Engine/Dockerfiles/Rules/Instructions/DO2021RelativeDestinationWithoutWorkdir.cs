namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>COPY/ADD to a relative destination before any WORKDIR of the stage or its bases (hadolint DL3045).</summary>
public sealed class DO2021RelativeDestinationWithoutWorkdir : Rule
{
    public override RuleInfo Info { get; } = new("DO2021", "RelativeDestinationWithoutWorkdir", Severity.Medium, "COPY/ADD to a relative destination before any WORKDIR.", "DL3045");

    public override void Check(LintContext ctx)
    {
        foreach (var ins in ctx.Document.Instructions.Where(i => i.Keyword is "COPY" or "ADD"))
        {
            var (_, dest, destRange) = CopyArguments.Of(ctx, ins);
            if (dest != null && CopyArguments.IsRelative(dest) && ctx.Model.StageOf(ins) is { } st && !StagePaths.HasWorkdirBefore(ctx, st, ins))
                Report(ctx, $"{ins.Keyword} to relative '{dest}' with no WORKDIR set.", destRange, ins, "Set WORKDIR first or use an absolute destination.");
        }
    }
}
