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
            if (dest == null || CopyArguments.RawDestination(ins) is not { } raw) continue;
            // A variable without a known value is never guessed at; a Windows path (c:\dir, as written) is absolute.
            if (!ctx.Model.Expand(ins, raw).Resolved || WindowsPaths.IsDriveAbsolute(raw)) continue;
            if (CopyArguments.IsRelative(dest) && !StagePaths.HasWorkdirBefore(ctx, ctx.Model.StageOf(ins), ins))
                Report(ctx, $"{ins.Keyword} to relative '{dest}' with no WORKDIR set.", destRange, ins, "Set WORKDIR first or use an absolute destination.");
        }
    }
}
