namespace DockOpt.Engine.Analysis.Recommendations;

/// <summary>Every analysis recommendation, discovered by reflection over <see cref="ImageRecommendation"/> (ordered by id).</summary>
public static class RecommendationCatalog
{
    /// <summary>One instance of each rule class.</summary>
    public static readonly IReadOnlyList<ImageRecommendation> Rules = typeof(ImageRecommendation).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(ImageRecommendation).IsAssignableFrom(t))
        .Select(t => (ImageRecommendation)Activator.CreateInstance(t)!)
        .OrderBy(r => r.Info.Id, StringComparer.Ordinal)
        .ToList();

    public static readonly IReadOnlyList<RecommendationInfo> All = Rules.Select(r => r.Info).ToList();
}
