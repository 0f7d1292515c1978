namespace DockOpt.Engine.Analysis.Recommendations;

/// <summary>
/// DOA013: documentation and man pages shipped in the image. Licence and copyright notices are never counted: Debian's
/// /usr/share/doc/&lt;package&gt;/copyright (which the official slim images keep on purpose, and dpkg path-excludes should keep)
/// and files named COPYING, LICENSE/LICENCE, NOTICE or copyright, whatever their extension, are licence compliance, not waste.
/// </summary>
public sealed class DOA013DocsShipped : PathRecommendation
{
    public override RecommendationInfo Info { get; } = new("DOA013", "docs-shipped", Severity.Low,
        "Documentation and man pages shipped", "3 (1 MiB+ of /usr/share/doc, man, info; licence and copyright files not counted)");

    protected override int Deduction => 3;
    protected override long Threshold => RecommendationContext.MiB;
    protected override string Fix =>
        "Install with '--no-install-recommends' and path-exclude rules for /usr/share/doc and /usr/share/man (dpkg.cfg.d; keep path-include /usr/share/doc/*/copyright), or delete them in the same RUN.";

    protected override bool Matches(string p) =>
        (p.StartsWith("usr/share/doc/", StringComparison.Ordinal) || p.StartsWith("usr/share/man/", StringComparison.Ordinal)
         || p.StartsWith("usr/share/info/", StringComparison.Ordinal) || p.StartsWith("usr/local/share/man/", StringComparison.Ordinal))
        && !IsLicenceFile(p);

    /// <summary>Whether a path names a licence or copyright notice (by its file name, extension ignored).</summary>
    public static bool IsLicenceFile(string path)
    {
        var name = path[(path.LastIndexOf('/') + 1)..];
        var dot = name.IndexOf('.');
        var stem = (dot > 0 ? name[..dot] : name).ToLowerInvariant();
        return stem is "copyright" or "copying" or "license" or "licence" or "notice"
            || stem.StartsWith("license-", StringComparison.Ordinal) || stem.StartsWith("licence-", StringComparison.Ordinal)
            || stem.StartsWith("copying-", StringComparison.Ordinal);
    }
}
