namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>MAINTAINER is deprecated (hadolint DL4000).</summary>
public sealed class DO2011MaintainerDeprecated : Rule
{
    public override RuleInfo Info { get; } = new("DO2011", "MaintainerDeprecated", Severity.High, "MAINTAINER is deprecated; use LABEL org.opencontainers.image.authors.", "DL4000", "MaintainerDeprecated");

    public override void Check(LintContext ctx)
    {
        foreach (var ins in ctx.Document.Instructions.Where(i => i.Keyword == "MAINTAINER"))
            Report(ctx, "MAINTAINER is deprecated.", ins.Range, ins, "Use LABEL org.opencontainers.image.authors=\"" + ins.Arguments.Text.Replace("\"", "") + "\".");
    }
}
