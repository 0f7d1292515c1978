namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>COPY/ADD with several sources needs a destination ending in / (hadolint DL3021).</summary>
public sealed class DO2019CopyDestinationNotDirectory : Rule
{
    public override RuleInfo Info { get; } = new("DO2019", "CopyDestinationNotDirectory", Severity.High, "COPY/ADD with several sources needs a destination ending in /.", "DL3021");

    public override void Check(LintContext ctx)
    {
        foreach (var ins in ctx.Document.Instructions.Where(i => i.Keyword is "COPY" or "ADD" && i.Heredocs.Count == 0))
        {
            var (sources, dest, destRange) = CopyArguments.Of(ctx, ins);
            if (dest != null && sources.Count > 1 && !dest.EndsWith('/') && !dest.EndsWith('\\') && !dest.Contains('$'))
                Report(ctx, $"{ins.Keyword} with {sources.Count} sources needs a destination ending in '/' ('{dest}').", destRange, ins, $"Write {dest}/.");
        }
    }
}
