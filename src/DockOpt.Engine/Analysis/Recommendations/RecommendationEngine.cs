namespace DockOpt.Engine.Analysis.Recommendations;

/// <summary>
/// The findings of an analysis as <see cref="Recommendation"/> objects, and the score: 100 minus the sum of each
/// finding's <see cref="Recommendation.ScoreDeduction"/>, floored at 0. Each rule (one class per file, DOAnnn&lt;Name&gt;.cs)
/// states its deduction next to its check, so a score can be explained line by line (docs/rules/analysis.md).
/// </summary>
public static class RecommendationEngine
{
    /// <summary>Computes the recommendations and sets <see cref="ImageAnalysis.Score"/> and <see cref="ImageAnalysis.Recommendations"/>.</summary>
    public static void Apply(ImageAnalysis a, IReadOnlyDictionary<string, FsNode> fs, Images.ImageConfigSummary config)
    {
        var context = new RecommendationContext(a, fs, config);
        var recs = RecommendationCatalog.Rules.SelectMany(r => r.Check(context)).ToArray();
        a.Recommendations = recs;
        a.Score = Math.Max(0, 100 - recs.Sum(r => r.ScoreDeduction));
    }
}
