namespace DockOpt.Engine.Security;

public sealed class GatePolicy
{
    /// <summary>Lowest severity shown in the report (Unknown = everything).</summary>
    public string Severity { get; init; } = "Unknown";

    /// <summary>Lowest severity that fails the gate, or null for no gate.</summary>
    public string? FailOn { get; init; }

    /// <summary>Only vulnerabilities with a known fix count toward -FailOn.</summary>
    public bool FailOnFixableOnly { get; init; }

    /// <summary>Fail when the score is below this, or null.</summary>
    public int? MinScore { get; init; }

    /// <summary>Drop findings from base-image layers before counting, scoring and gating.</summary>
    public bool IgnoreBase { get; init; }

    /// <summary>
    /// The severity the gate gives vulnerabilities that no source rates. Null (the default): they count at every -FailOn
    /// level, because Unknown is never silently below a gate. -UnknownSeverity Low maps them to Low, and so on.
    /// </summary>
    public DockOpt.Severity? UnknownSeverity { get; init; }
}

/// <summary>
/// Turns scan results into a <see cref="SecurityReport"/>: applies the ignore file, computes the score and evaluates the gate.
/// Score = 100 − min(50, Σ vulnerability points) − min(60, Σ secret points) − min(30, Σ configuration points), rounded, floored at 0.
/// Points per finding: vulnerability Critical 10 / High 5 / Medium 2 / Low and Unknown 0.5, halved when no fix is known;
/// secret (in files, ENV, ARG, labels or history) Critical 30 / High 20 / Medium 10 / Low 5; configuration High 10 / Medium 5 / Low 2 / Info 0.
/// When a category exceeds its cap, each finding's deduction is scaled by cap/sum so the deductions add up to the category total.
/// Suppressed findings deduct nothing.
/// </summary>
public static class SecurityEvaluator
{
    public const double VulnCap = 50, SecretCap = 60, ConfigCap = 30;

    public static double VulnPoints(DockOpt.Vulnerability v)
    {
        var p = v.Severity switch { DockOpt.Severity.Critical => 10, DockOpt.Severity.High => 5, DockOpt.Severity.Medium => 2, _ => 0.5 };
        return v.IsFixable ? p : p / 2;
    }

    public static bool IsSecret(SecurityFinding f) => f.Kind == "Secret" || f.RuleId is "DO-CFG-007" or "DO-CFG-008" or "DO-CFG-009" or "DO-CFG-010";

    public static double FindingPoints(SecurityFinding f) => IsSecret(f)
        ? SeverityScale.Normalize(f.Severity) switch { "Critical" => 30, "High" => 20, "Medium" => 10, "Low" => 5, _ => 0 }
        : SeverityScale.Normalize(f.Severity) switch { "Critical" => 15, "High" => 10, "Medium" => 5, "Low" => 2, _ => 0 };

    public static string Grade(int score) => score > 90 ? "A" : score > 70 ? "B" : score > 50 ? "C" : score > 30 ? "D" : score > 10 ? "E" : "F";

    static double Apply<T>(List<T> items, Func<T, double> points, Action<T, double> set, double cap)
    {
        var sum = items.Sum(points);
        var scale = sum > cap ? cap / sum : 1;
        foreach (var i in items) set(i, Math.Round(points(i) * scale, 3));
        return Math.Min(sum, cap);
    }

    public static SecurityReport Evaluate(ImageScanResult scan, List<DockOpt.Vulnerability> vulns, IgnoreFile? ignore, GatePolicy policy,
        IEnumerable<string> errors, IEnumerable<string> sources, DateTime now, TimeSpan duration)
    {
        var (findings, activeF) = SuppressIgnored(scan, ref vulns, ignore, policy, now);
        var activeV = vulns.Where(v => !v.Suppressed).ToList();
        var (vd, sd, cd, score) = Deduct(vulns, findings, activeV, activeF);

        var severities = activeV.Select(v => v.Severity.ToString()).Concat(activeF.Select(f => SeverityScale.Normalize(f.Severity))).ToList();
        var shownRank = SeverityScale.Rank(policy.Severity);
        var report = new SecurityReport
        {
            Image = scan.Image,
            ImageId = scan.ImageId,
            Score = score,
            Grade = Grade(score),
            Critical = severities.Count(s => s == "Critical"),
            High = severities.Count(s => s == "High"),
            Medium = severities.Count(s => s == "Medium"),
            Low = severities.Count(s => s == "Low"),
            Info = severities.Count(s => s == "Info"),
            UnknownSeverity = severities.Count(s => s == "Unknown"),
            VulnerabilityCount = activeV.Count,
            FixableVulnerabilityCount = activeV.Count(v => v.IsFixable),
            SecretCount = activeF.Count(IsSecret),
            ConfigCount = activeF.Count(f => !IsSecret(f)),
            SuppressedCount = vulns.Count(v => v.Suppressed) + findings.Count(f => f.Suppressed),
            PackageCount = scan.Packages.Count,
            VulnerabilityDeduction = Math.Round(vd, 3),
            SecretDeduction = Math.Round(sd, 3),
            ConfigDeduction = Math.Round(cd, 3),
            Findings = findings.Where(f => SeverityScale.Rank(f.Severity) >= shownRank)
                .OrderByDescending(f => SeverityScale.Rank(f.Severity)).ThenBy(f => f.RuleId, StringComparer.Ordinal).ThenBy(f => f.Location, StringComparer.Ordinal).ToArray(),
            Vulnerabilities = vulns.Where(v => (v.Severity == DockOpt.Severity.Unknown ? (int?)policy.UnknownSeverity ?? int.MaxValue : (int)v.Severity) >= shownRank)
                .OrderByDescending(v => SeverityScale.Rank(v.Severity)).ThenBy(v => v.Id, StringComparer.Ordinal).ThenBy(v => v.Package, StringComparer.Ordinal).ToArray(),
            ExpiredIgnores = ignore?.Expired(now).Select(e => e.ToString()).ToArray() ?? Array.Empty<string>(),
            StaleIgnores = ignore?.Stale(now).Select(e => e.ToString()).ToArray() ?? Array.Empty<string>(),
            Errors = errors.Concat(scan.Problems).ToArray(),
            VulnerabilitySources = sources.ToArray(),
            Duration = duration,
            ScannedAt = now,
        };

        var reasons = GateReasons(policy, activeV, activeF, score);
        report.GateReasons = reasons.ToArray();
        report.Outcome = report.Errors.Length > 0 ? "Incomplete" : reasons.Count > 0 ? "PolicyFailed" : "Passed";
        return report;
    }

    /// <summary>
    /// Drops base-layer findings and vulnerabilities with -IgnoreBase, then marks what the ignore file suppresses;
    /// returns the findings and the active (unsuppressed) ones.
    /// </summary>
    static (List<SecurityFinding> Findings, List<SecurityFinding> Active) SuppressIgnored(ImageScanResult scan, ref List<DockOpt.Vulnerability> vulns,
        IgnoreFile? ignore, GatePolicy policy, DateTime now)
    {
        var findings = scan.Findings.ToList();
        if (policy.IgnoreBase)
        {
            findings = findings.Where(f => !f.IsBaseLayer).ToList();
            vulns = vulns.Where(v => !v.IsBaseLayer).ToList();
        }
        foreach (var v in vulns)
        {
            var path = v.Path.Length > 0 ? v.Path : scan.Packages.FirstOrDefault(p => p.Purl == v.Purl)?.Path;
            v.Suppressed = ignore?.Suppresses(v, path, now) ?? false;
        }
        foreach (var f in findings) f.Suppressed = ignore?.Suppresses(f, now) ?? false;
        return (findings, findings.Where(f => !f.Suppressed).ToList());
    }

    /// <summary>Sets each finding's and vulnerability's deduction (0 when suppressed, capped per category); returns the category totals and the score.</summary>
    static (double Vulns, double Secrets, double Config, int Score) Deduct(List<DockOpt.Vulnerability> vulns, List<SecurityFinding> findings,
        List<DockOpt.Vulnerability> activeV, List<SecurityFinding> activeF)
    {
        foreach (var v in vulns.Where(v => v.Suppressed)) v.Deduction = 0;
        foreach (var f in findings.Where(f => f.Suppressed)) f.Deduction = 0;
        var vd = Apply(activeV, VulnPoints, (v, d) => v.Deduction = d, VulnCap);
        var sd = Apply(activeF.Where(IsSecret).ToList(), FindingPoints, (f, d) => f.Deduction = d, SecretCap);
        var cd = Apply(activeF.Where(f => !IsSecret(f)).ToList(), FindingPoints, (f, d) => f.Deduction = d, ConfigCap);
        var score = (int)Math.Max(0, Math.Round(100 - vd - sd - cd, MidpointRounding.AwayFromZero));
        return (vd, sd, cd, score);
    }

    /// <summary>The reasons the gate fails: active vulnerabilities, secrets and configuration findings at or above -FailOn, a score below -MinimumScore.</summary>
    static List<string> GateReasons(GatePolicy policy, List<DockOpt.Vulnerability> activeV, List<SecurityFinding> activeF, int score)
    {
        var reasons = new List<string>();
        if (policy.FailOn != null)
        {
            var rank = SeverityScale.Rank(policy.FailOn);
            // Unknown counts at every level unless -UnknownSeverity maps it.
            int GateRank(DockOpt.Vulnerability v) => v.Severity != DockOpt.Severity.Unknown ? (int)v.Severity
                : policy.UnknownSeverity is { } mapped ? (int)mapped : int.MaxValue;
            var gv = activeV.Where(v => GateRank(v) >= rank && (!policy.FailOnFixableOnly || v.IsFixable)).ToList();
            if (gv.Count > 0)
            {
                var unknown = gv.Count(v => v.Severity == DockOpt.Severity.Unknown);
                reasons.Add($"{gv.Count} {(policy.FailOnFixableOnly ? "fixable " : "")}vulnerabilit{(gv.Count == 1 ? "y" : "ies")} at or above {SeverityScale.Normalize(policy.FailOn)}"
                    + (unknown > 0 ? $" ({unknown} of unknown severity{(policy.UnknownSeverity == null ? "; map them with -UnknownSeverity" : "")})" : ""));
            }
            var gs = activeF.Where(f => IsSecret(f) && SeverityScale.Rank(f.Severity) >= rank).ToList();
            if (gs.Count > 0) reasons.Add($"{gs.Count} secret(s) at or above {SeverityScale.Normalize(policy.FailOn)}");
            var gc = activeF.Where(f => !IsSecret(f) && SeverityScale.Rank(f.Severity) >= rank).ToList();
            if (gc.Count > 0) reasons.Add($"{gc.Count} configuration finding(s) at or above {SeverityScale.Normalize(policy.FailOn)}");
        }
        if (policy.MinScore is { } min && score < min) reasons.Add($"score {score} is below {min}");
        return reasons;
    }
}
