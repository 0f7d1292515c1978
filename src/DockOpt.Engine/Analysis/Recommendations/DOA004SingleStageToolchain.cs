namespace DockOpt.Engine.Analysis.Recommendations;

/// <summary>DOA004: so many toolchain bytes that a multi-stage build would pay off.</summary>
public sealed class DOA004SingleStageToolchain : ImageRecommendation
{
    public override RecommendationInfo Info { get; } = new("DOA004", "single-stage-toolchain", Severity.High,
        "Single-stage build carries its toolchain", "10 when the toolchain files add up to 10 MiB or more");

    const int Deduction = 10;
    const long Threshold = 10 * RecommendationContext.MiB;

    public override IEnumerable<Recommendation> Check(RecommendationContext c)
    {
        var t = c.Toolchain;
        if (t.Bytes < Threshold) yield break;
        yield return Finding($"Single-stage build carries its toolchain: a multi-stage build would save about {ByteSize.Format(t.Bytes)}",
            $"{ByteSize.Format(t.Bytes)} of compilers, headers and toolchain files are in the final image ({ByteSize.Format(t.OwnBytes)} of them in the image's own layers).",
            "Build in 'FROM <sdk> AS build', then 'FROM <runtime-or-slim>' and 'COPY --from=build' only the artifacts.", Deduction,
            savings: t.Bytes, layer: t.Layer, paths: t.Compilers);
    }
}
