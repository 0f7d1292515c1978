namespace DockOpt.Engine.Dockerfiles.Rules.Security;

/// <summary>Base image without a tag (hadolint DL3006) or with :latest (DL3007).</summary>
public sealed class DO5005UnpinnedBaseImage : BaseImageRule
{
    public override RuleInfo Info { get; } = new("DO5005", "UnpinnedBaseImage", Severity.Medium, "Base image without a tag or with :latest.", "DL3006");

    protected override void Check(LintContext ctx, Stage stage, string image, (string Repo, string Tag, string Registry, bool HasDigest) parts, SourceRange range)
    {
        if (parts.HasDigest) return;
        if (parts.Tag.Length == 0)
            Report(ctx, $"Base image '{image}' has no tag: it floats to :latest.", range, stage.From, $"FROM {image}:<version>", "DL3006");
        else if (parts.Tag == "latest")
            Report(ctx, $"Base image '{image}' uses :latest.", range, stage.From, "Pin a release tag.", "DL3007");
    }
}
