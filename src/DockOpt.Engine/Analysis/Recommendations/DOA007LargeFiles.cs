namespace DockOpt.Engine.Analysis.Recommendations;

/// <summary>DOA007: files of 50 MiB or more.</summary>
public sealed class DOA007LargeFiles : ImageRecommendation
{
    public override RecommendationInfo Info { get; } = new("DOA007", "large-files", Severity.Low,
        "Files of 50 MiB or more", "2 per file of 50 MiB or more, max 6");

    const long Threshold = 50 * RecommendationContext.MiB;

    static int Deduction(int files) => Math.Min(6, 2 * files);

    public override IEnumerable<Recommendation> Check(RecommendationContext c)
    {
        var large = c.RegularFiles.Where(n => n.Size >= Threshold).OrderByDescending(n => n.Size).ToList();
        if (large.Count == 0) yield break;
        yield return Finding($"{large.Count} file(s) of 50 MiB or more ({ByteSize.Format(large.Sum(n => n.Size))})",
            string.Join(", ", large.Take(5).Select(n => $"/{n.Path} ({ByteSize.Format(n.Size)})")),
            "Check that large files belong in the image (data sets, archives, debug symbols); fetch data at run time or strip binaries.",
            Deduction(large.Count), layer: large[0].Layer, paths: large.Select(n => "/" + n.Path));
    }
}
