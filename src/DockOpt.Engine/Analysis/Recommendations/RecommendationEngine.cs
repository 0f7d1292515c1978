namespace DockOpt.Engine.Analysis.Recommendations;

/// <summary>
/// The findings of an analysis as <see cref="Recommendation"/> objects, and the score: 100 minus the sum of each
/// finding's <see cref="Recommendation.ScoreDeduction"/>, floored at 0. Each rule (one class per file, DOAnnn&lt;Name&gt;.cs)
/// states its deduction next to its check, so a score can be explained line by line (docs/rules/analysis.md).
/// </summary>
public static class RecommendationEngine
{
    /// <summary>
    /// Computes the recommendations and sets <see cref="ImageAnalysis.Score"/>, <see cref="ImageAnalysis.Recommendations"/>
    /// and <see cref="ImageAnalysis.Profile"/>. On a Base image the application-only rules' findings stay in the list as Info
    /// with no deduction, so the reader still sees them and knows why they did not count.
    /// </summary>
    public static void Apply(ImageAnalysis a, IReadOnlyDictionary<string, FsNode> fs, Images.ImageConfigSummary config,
        ImageProfile profile = ImageProfile.Auto)
    {
        var (decided, reason) = ImageProfiles.Decide(config, profile);
        a.Profile = decided.ToString();
        a.ProfileReason = reason;
        var context = new RecommendationContext(a, fs, config);
        var recs = new List<Recommendation>();
        foreach (var rule in RecommendationCatalog.Rules)
            foreach (var r in rule.Check(context))
            {
                if (decided == ImageProfile.Base && rule.ApplicationOnly && r.ScoreDeduction > 0)
                {
                    r.Detail += $" Not deducted: a base image ({reason}) leaves this to the images built on it.";
                    r.Severity = Severity.Info.ToString();
                    r.ScoreDeduction = 0;
                }
                recs.Add(r);
            }
        a.Recommendations = recs.ToArray();
        a.Score = Math.Max(0, 100 - recs.Sum(r => r.ScoreDeduction));
    }
}
