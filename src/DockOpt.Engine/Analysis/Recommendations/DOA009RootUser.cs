namespace DockOpt.Engine.Analysis.Recommendations;

/// <summary>DOA009: the image runs as root.</summary>
public sealed class DOA009RootUser : ImageRecommendation
{
    public override RecommendationInfo Info { get; } = new("DOA009", "root-user", Severity.Medium,
        "The image runs as root", "10 (no USER, or root/0)");

    public override bool ApplicationOnly => true;

    const int Deduction = 10;

    public override IEnumerable<Recommendation> Check(RecommendationContext c)
    {
        var user = c.Config.User.Trim();
        if (!(user.Length == 0 || user is "root" or "0" or "0:0" or "root:root")) yield break;
        yield return Finding("The image runs as root", user.Length == 0 ? "The config sets no USER." : $"USER is '{user}'.",
            "Add a non-root user and 'USER <name>' (or a numeric UID) at the end of the Dockerfile.", Deduction);
    }
}
