namespace DockOpt.Engine.Dockerfiles.Rules.Security;

/// <summary>The shipped image has no HEALTHCHECK (hadolint DL3057).</summary>
public sealed class DO5003MissingHealthcheck : Rule
{
    public override RuleInfo Info { get; } = new("DO5003", "MissingHealthcheck", Severity.Low, "The shipped image has no HEALTHCHECK.", "DL3057", "", true, true);

    public override void Check(LintContext ctx)
    {
        if (ctx.Model.Final is { } final && !ShippedImage.Instructions(ctx.Model).Any(i => i.Keyword == "HEALTHCHECK"))
            Report(ctx, $"The shipped stage '{final.DisplayName}' has no HEALTHCHECK.", final.From.Range, final.From,
                "HEALTHCHECK --interval=30s --timeout=3s CMD [\"/app/healthcheck\"] (or HEALTHCHECK NONE to state there is none).");
    }
}
