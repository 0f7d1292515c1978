namespace DockOpt.Engine.Registry;

/// <summary>The -FailOn gate over ECR scan summaries: one summarizing error after all input, or none.</summary>
public static class ScanGate
{
    public static readonly string[] Severities = { "Informational", "Low", "Medium", "High", "Critical" };

    /// <summary>Findings at <paramref name="severity"/> or worse.</summary>
    public static int CountAtOrAbove(EcrScanSummary s, string severity)
    {
        var threshold = Array.FindIndex(Severities, x => x.Equals(severity, StringComparison.OrdinalIgnoreCase));
        if (threshold < 0) throw new ArgumentException($"Unknown severity '{severity}'.", nameof(severity));
        return new[] { s.Informational, s.Low, s.Medium, s.High, s.Critical }.Skip(threshold).Sum();
    }

    /// <summary>ECR's word for a severity of DockOpt's scale (Unknown and Info are ECR's lowest, Informational).</summary>
    public static string EcrSeverity(Severity severity) => severity switch
    {
        Severity.Critical => "Critical",
        Severity.High => "High",
        Severity.Medium => "Medium",
        Severity.Low => "Low",
        _ => "Informational",
    };

    /// <summary>
    /// The gate on DockOpt's severity scale. Images that could not be published (<paramref name="notPublished"/>) count
    /// against it: the gate fails closed.
    /// </summary>
    public static DockOptException? Evaluate(IEnumerable<PublishResult> results, Severity severity, IReadOnlyCollection<string>? notPublished = null) =>
        Evaluate(results, EcrSeverity(severity), notPublished);

    /// <summary>Null when every published digest has a complete scan below the threshold; otherwise the error to throw.</summary>
    public static DockOptException? Evaluate(IEnumerable<PublishResult> results, string severity, IReadOnlyCollection<string>? notPublished = null)
    {
        // An index (-MultiPlatform) is not scanned by ECR; its platform images are, and they are in the results on their own.
        var byDigest = results.Where(r => r.MediaType is not (RawManifest.OciIndex or RawManifest.DockerList))
            .GroupBy(r => r.ImageUri).Select(g => g.First()).ToList();
        notPublished ??= Array.Empty<string>();
        if (byDigest.Count == 0 && notPublished.Count == 0) return null;
        var failing = byDigest.Where(r => r.Scan != null && CountAtOrAbove(r.Scan, severity) > 0).ToList();
        var unscanned = byDigest.Where(r => r.Scan == null || r.Scan.Status != "COMPLETE").Select(r => $"{r.ImageUri} ({r.Scan?.Status ?? "no scan"})").ToList();
        if (failing.Count == 0 && unscanned.Count == 0 && notPublished.Count == 0) return null;
        var parts = failing.Select(r => $"{r.Registry}/{r.Repository}:{r.Tag} has {CountAtOrAbove(r.Scan!, severity)} finding(s) at {severity} or worse ({r.Scan})").ToList();
        if (unscanned.Count > 0) parts.Add("no complete scan for " + string.Join(", ", unscanned));
        if (notPublished.Count > 0) parts.Add("not published (see the errors above): " + string.Join(", ", notPublished));
        return new DockOptException(ErrorIds.PublishScanGateFailed, DockOptErrorCategory.SecurityError,
            $"-FailOn {severity}: {string.Join("; ", parts)}.", severity,
            "Fix the findings (Get-ECRImageScanFinding lists them) or raise -FailOn; the images were published.");
    }
}
