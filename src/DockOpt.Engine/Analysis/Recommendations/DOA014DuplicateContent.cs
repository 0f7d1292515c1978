namespace DockOpt.Engine.Analysis.Recommendations;

/// <summary>DOA014: identical content stored at several paths.</summary>
public sealed class DOA014DuplicateContent : ImageRecommendation
{
    public override RecommendationInfo Info { get; } = new("DOA014", "duplicate-content", Severity.Low,
        "Identical content stored at several paths", "ceiling(100 x Duplicate/Final), max 5, when DuplicateBytes is 1 MiB or more");

    const long Threshold = RecommendationContext.MiB;

    static int Deduction(long duplicate, long final) => (int)Math.Min(5, Math.Ceiling(100.0 * duplicate / Math.Max(1, final)));

    public override IEnumerable<Recommendation> Check(RecommendationContext c)
    {
        var a = c.Analysis;
        if (a.DuplicateBytes < Threshold) yield break;
        yield return Finding($"{ByteSize.Format(a.DuplicateBytes)} of identical content stored at several paths",
            string.Join("; ", a.Duplicates.Take(3).Select(d => $"{d.Count} x {ByteSize.Format(d.Size)}: {string.Join(", ", d.Paths.Take(3))}")),
            "Copy the file once and link it (ln -s / ln), or avoid copying the same artifact to two places.", Deduction(a.DuplicateBytes, a.FinalSize),
            savings: a.DuplicateBytes, paths: a.Duplicates.SelectMany(d => d.Paths));
    }
}
