namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary><c>COPY --from=stage / /</c> copies a whole filesystem (hadolint DL3067).</summary>
public sealed class DO2022CopyWholeFilesystem : Rule
{
    public override RuleInfo Info { get; } = new("DO2022", "CopyWholeFilesystem", Severity.Medium, "COPY --from=stage / / copies a whole filesystem.", "DL3067");

    public override void Check(LintContext ctx)
    {
        foreach (var ins in ctx.Document.Instructions.Where(i => i.Keyword is "COPY" or "ADD" && i.HasFlag("from")))
        {
            var (sources, dest, _) = CopyArguments.Of(ctx, ins);
            if (dest == "/" && sources.Count == 1 && sources[0].Value == "/")
                Report(ctx, "COPY --from=… / / copies the whole filesystem of the stage.", ins.Arguments.RangeOf(0, ins.Arguments.Length), ins, "Copy only the files you need, or build FROM that stage.");
        }
    }
}
