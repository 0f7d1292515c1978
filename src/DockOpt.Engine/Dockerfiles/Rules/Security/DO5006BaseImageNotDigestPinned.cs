namespace DockOpt.Engine.Dockerfiles.Rules.Security;

/// <summary>Base image not pinned by digest (opt-in policy).</summary>
public sealed class DO5006BaseImageNotDigestPinned : BaseImageRule
{
    public override RuleInfo Info { get; } = new("DO5006", "BaseImageNotDigestPinned", Severity.Low, "Base image is not pinned by digest (opt-in policy).", "", "", EnabledByDefault: false);

    protected override void Check(LintContext ctx, Stage stage, string image, (string Repo, string Tag, string Registry, bool HasDigest) parts, SourceRange range)
    {
        if (!parts.HasDigest)
            Report(ctx, $"Base image '{image}' is not pinned by digest.", range, stage.From, $"FROM {image}@sha256:<digest>");
    }
}
