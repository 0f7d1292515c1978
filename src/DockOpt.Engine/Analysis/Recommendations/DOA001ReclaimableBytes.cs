namespace DockOpt.Engine.Analysis.Recommendations;

/// <summary>DOA001: bytes stored in layers that the final filesystem does not show (deleted, overwritten or re-chmodded later).</summary>
public sealed class DOA001ReclaimableBytes : ImageRecommendation
{
    public override RecommendationInfo Info { get; } = new("DOA001", "reclaimable-bytes", Severity.High,
        "Bytes stored in layers but not visible in the image", "ceiling(100 x Reclaimable/Total), max 30");

    /// <summary>Score deduction: the reclaimable percentage rounded up, at most 30.</summary>
    static int Deduction(double percent) => (int)Math.Min(30, Math.Ceiling(percent));

    /// <summary>High from 10 %, Medium from 1 %, else Low.</summary>
    static Severity SeverityOf(double percent) => percent >= 10 ? Severity.High : percent >= 1 ? Severity.Medium : Severity.Low;

    public override IEnumerable<Recommendation> Check(RecommendationContext c)
    {
        var a = c.Analysis;
        if (a.ReclaimableBytes <= 0) yield break;
        var pct = a.TotalSize == 0 ? 0 : 100.0 * a.ReclaimableBytes / a.TotalSize;
        var worst = a.Layers.Where(l => l.ReclaimableBytes > 0).OrderByDescending(l => l.ReclaimableBytes).FirstOrDefault();
        var causes = a.Waste.GroupBy(w => w.Cause).OrderByDescending(g => g.Sum(w => w.Bytes)).ToList();
        yield return Finding(
            $"{ByteSize.Format(a.ReclaimableBytes)} stored in layers but not visible in the image ({pct:0.#}% of {ByteSize.Format(a.TotalSize)})",
            string.Join("; ", causes.Select(g => $"{g.Key}: {ByteSize.Format(g.Sum(w => w.Bytes))} in {g.Count()} copies")),
            FixFor(causes.Count > 0 ? causes[0].Key : null), Deduction(pct), SeverityOf(pct),
            savings: a.ReclaimableBytes, layer: worst?.Index, paths: a.Waste.Select(w => w.Path));
    }

    static string FixFor(WasteCause? mainCause) => mainCause switch
    {
        WasteCause.MetadataOnlyRewrite => "Set mode and owner when the file is written (COPY --chown/--chmod, or chmod/chown in the same RUN) instead of in a later layer.",
        WasteCause.OverwrittenWithIdenticalContent => "Do not write the same file twice; remove the repeated COPY/RUN step.",
        WasteCause.Overwritten => "Write each file once: produce the final version in one step, or build it in a builder stage and COPY --from it.",
        _ => "Delete temporary files in the same RUN that creates them (or build in a separate stage); a later 'rm' does not shrink the image.",
    };
}
