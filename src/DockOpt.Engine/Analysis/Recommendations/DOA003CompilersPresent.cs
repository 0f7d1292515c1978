namespace DockOpt.Engine.Analysis.Recommendations;

/// <summary>DOA003: compilers or development headers in the final image.</summary>
public sealed class DOA003CompilersPresent : ImageRecommendation
{
    public override RecommendationInfo Info { get; } = new("DOA003", "compilers-present", Severity.Medium,
        "Compilers or development headers in the final image", "5 (gcc, cc, g++, clang, rustc, go, javac, or 1 MiB+ of headers/toolchain)");

    const int Deduction = 5;

    public override IEnumerable<Recommendation> Check(RecommendationContext c)
    {
        var t = c.Toolchain;
        if (t.Compilers.Count == 0 && t.Bytes < RecommendationContext.MiB) yield break;
        yield return Finding($"Compilers or development headers in the final image ({ByteSize.Format(t.Bytes)})",
            t.Compilers.Count > 0 ? "Found " + string.Join(", ", t.Compilers) + "." : "Found development headers and toolchain files.",
            "Install build tools only in a builder stage, or use a -slim/runtime base image for the final stage.", Deduction,
            savings: t.Bytes, layer: t.Layer, paths: t.Compilers);
    }
}
