namespace DockOpt.Engine.Analysis.Recommendations;

/// <summary>
/// One recommendation rule of Measure-DockOptImage (DOAnnn): its catalogue entry and its check, in one class per file
/// named <c>DOAnnn&lt;Name&gt;.cs</c>. <see cref="RecommendationCatalog"/> finds every concrete subclass by reflection.
/// </summary>
public abstract class ImageRecommendation
{
    public abstract RecommendationInfo Info { get; }

    /// <summary>
    /// True for advice that only an image running a service needs (a non-root USER, a HEALTHCHECK): on an image judged
    /// <see cref="ImageProfile.Base"/> its findings are listed as Info and deduct nothing (about_DockOpt_Analysis, PROFILE).
    /// </summary>
    public virtual bool ApplicationOnly => false;

    /// <summary>The findings of this rule for one image (none when it does not apply).</summary>
    public abstract IEnumerable<Recommendation> Check(RecommendationContext context);

    /// <summary>A finding of this rule, with its id, name and help filled in; severity defaults to the catalogue's.</summary>
    protected Recommendation Finding(string title, string detail, string fix, int deduction, Severity? severity = null,
        long savings = 0, int? layer = null, IEnumerable<string>? paths = null) => new()
    {
        Id = Info.Id,
        Rule = Info.Name,
        Severity = (severity ?? Info.Severity).ToString(),
        Title = title,
        Detail = detail,
        Fix = fix,
        ScoreDeduction = deduction,
        EstimatedSavingsBytes = savings,
        Layer = layer,
        Paths = paths?.Take(20).ToArray() ?? Array.Empty<string>(),
        HelpUri = Info.HelpUri,
    };
}
