namespace DockOpt.Engine.Analysis.Recommendations;

/// <summary>DOA013: documentation and man pages shipped in the image.</summary>
public sealed class DOA013DocsShipped : PathRecommendation
{
    public override RecommendationInfo Info { get; } = new("DOA013", "docs-shipped", Severity.Low,
        "Documentation and man pages shipped", "3 (1 MiB+ of /usr/share/doc, man, info)");

    protected override int Deduction => 3;
    protected override long Threshold => RecommendationContext.MiB;
    protected override string Fix =>
        "Install with '--no-install-recommends' and path-exclude rules for /usr/share/doc and /usr/share/man (dpkg.cfg.d), or delete them in the same RUN.";

    protected override bool Matches(string p) =>
        p.StartsWith("usr/share/doc/", StringComparison.Ordinal) || p.StartsWith("usr/share/man/", StringComparison.Ordinal)
        || p.StartsWith("usr/share/info/", StringComparison.Ordinal) || p.StartsWith("usr/local/share/man/", StringComparison.Ordinal);
}
