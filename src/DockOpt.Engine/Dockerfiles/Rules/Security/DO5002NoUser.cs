namespace DockOpt.Engine.Dockerfiles.Rules.Security;

/// <summary>The shipped image never sets USER, so it runs as the base image's user (usually root).</summary>
public sealed class DO5002NoUser : Rule
{
    public override RuleInfo Info { get; } = new("DO5002", "NoUser", Severity.Low, "The shipped image never sets USER, so it runs as the base image's user (usually root).", "", "", true, true);

    public override void Check(LintContext ctx)
    {
        var model = ctx.Model;
        if (model.Final is not { } final || ShippedImage.Instructions(model).Any(i => i.Keyword == "USER")) return;
        var baseName = ShippedImage.Stages(model)[0].BaseResolved ?? "";
        if (!baseName.Contains("nonroot") && !baseName.Contains("rootless"))
            Report(ctx, $"The shipped stage '{final.DisplayName}' never sets USER: it runs as the base image's user, usually root.", final.From.Range, final.From,
                "RUN useradd -r -u 10001 app, then USER app.");
    }
}
