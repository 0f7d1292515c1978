namespace DockOpt.Engine.Analysis.Recommendations;

/// <summary>DOA012: test suites of installed packages shipped in the image.</summary>
public sealed class DOA012TestsShipped : PathRecommendation
{
    public override RecommendationInfo Info { get; } = new("DOA012", "tests-shipped", Severity.Low, "Test suites shipped", "3 (1 MiB+ of package test suites)");

    protected override int Deduction => 3;
    protected override long Threshold => RecommendationContext.MiB;
    protected override string Fix => "Remove test directories of installed packages (e.g. site-packages/*/tests), or do not copy tests into the final stage.";

    protected override bool Matches(string p) =>
        (p.Contains("-packages/", StringComparison.Ordinal) || p.Contains("node_modules/", StringComparison.Ordinal))
        && (p.Contains("/tests/", StringComparison.Ordinal) || p.Contains("/test/", StringComparison.Ordinal) || p.Contains("/__tests__/", StringComparison.Ordinal));
}
