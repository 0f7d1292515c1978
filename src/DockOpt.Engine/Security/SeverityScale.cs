using System.Globalization;

namespace DockOpt.Engine.Security;

/// <summary>Severity names and their order (Unknown &lt; Info &lt; Low &lt; Medium &lt; High &lt; Critical), CVSS v3.x and v4.0 base scores,
/// and the distributions' own ratings (Debian urgency, Ubuntu priority) mapped onto <see cref="DockOpt.Severity"/>.</summary>
public static class SeverityScale
{
    public static readonly string[] Names = { "Unknown", "Info", "Low", "Medium", "High", "Critical" };

    public static int Rank(string? s) => (int)Parse(s);

    public static int Rank(DockOpt.Severity s) => (int)s;

    public static string Normalize(string? s) => Parse(s).ToString();

    /// <summary>A severity word in any publisher's spelling (GHSA MODERATE, Red Hat Important, Ubuntu negligible…), or Unknown.</summary>
    public static DockOpt.Severity Parse(string? s) => (s ?? "").Trim().ToUpperInvariant() switch
    {
        "CRITICAL" => DockOpt.Severity.Critical,
        "HIGH" or "IMPORTANT" => DockOpt.Severity.High,
        "MEDIUM" or "MODERATE" => DockOpt.Severity.Medium,
        "LOW" or "NEGLIGIBLE" or "UNIMPORTANT" => DockOpt.Severity.Low,
        "INFO" or "INFORMATIONAL" or "NONE" => DockOpt.Severity.Info,
        _ => DockOpt.Severity.Unknown,
    };

    /// <summary>
    /// A distribution's own rating: Debian urgency (unimportant, low, low*, low**, medium, high; "not yet assigned" and
    /// "end-of-life" are no rating) or Ubuntu priority (negligible, low, medium, high, critical; untriaged is no rating).
    /// </summary>
    public static DockOpt.Severity FromDistributionRating(string? rating)
    {
        var r = (rating ?? "").Trim().TrimEnd('*').Trim().ToLowerInvariant();
        return r switch
        {
            "unimportant" or "negligible" or "low" => DockOpt.Severity.Low,
            "medium" => DockOpt.Severity.Medium,
            "high" => DockOpt.Severity.High,
            "critical" => DockOpt.Severity.Critical,
            _ => DockOpt.Severity.Unknown,
        };
    }

    /// <summary>Base score of a CVSS v3.x or v4.0 vector, or null when it is neither or malformed.</summary>
    public static double? BaseScore(string vector) =>
        vector.StartsWith("CVSS:4.0/", StringComparison.Ordinal) ? Cvss4BaseScore(vector) : Cvss3BaseScore(vector);

    static Dictionary<string, string>? Metrics(string vector)
    {
        var m = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in vector.Split('/').Skip(1))
        {
            var kv = part.Split(':');
            if (kv.Length != 2 || !m.TryAdd(kv[0], kv[1])) return null;
        }
        return m;
    }

    /// <summary>CVSS v3.x base score from a vector string (CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H), or null.</summary>
    public static double? Cvss3BaseScore(string vector)
    {
        if (!vector.StartsWith("CVSS:3", StringComparison.Ordinal)) return null;
        var m = Metrics(vector);
        if (m == null) return null;
        try
        {
            var scopeChanged = m["S"] == "C";
            double av = m["AV"] switch { "N" => 0.85, "A" => 0.62, "L" => 0.55, _ => 0.2 };
            double ac = m["AC"] == "L" ? 0.77 : 0.44;
            double pr = m["PR"] switch { "N" => 0.85, "L" => scopeChanged ? 0.68 : 0.62, _ => scopeChanged ? 0.5 : 0.27 };
            double ui = m["UI"] == "N" ? 0.85 : 0.62;
            double Cia(string k) => m[k] switch { "H" => 0.56, "L" => 0.22, _ => 0 };
            var iss = 1 - (1 - Cia("C")) * (1 - Cia("I")) * (1 - Cia("A"));
            var impact = scopeChanged ? 7.52 * (iss - 0.029) - 3.25 * Math.Pow(iss - 0.02, 15) : 6.42 * iss;
            var exploitability = 8.22 * av * ac * pr * ui;
            if (impact <= 0) return 0;
            var raw = scopeChanged ? Math.Min(1.08 * (impact + exploitability), 10) : Math.Min(impact + exploitability, 10);
            return RoundUp(raw);
        }
        catch (KeyNotFoundException)
        {
            return null;
        }
    }

    static double RoundUp(double d)
    {
        var i = (long)Math.Round(d * 100000);
        return i % 10000 == 0 ? i / 100000.0 : (Math.Floor(i / 10000.0) + 1) / 10.0;
    }

    static Dictionary<string, double>? _macro;

    static Dictionary<string, double> Macro => _macro ??= Cvss4Data.MacroVectorScores.Split(' ', StringSplitOptions.RemoveEmptyEntries)
        .Select(p => p.Split('=')).ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);

    static readonly string[] Cvss4Base = { "AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA" };

    static readonly Dictionary<string, Dictionary<string, double>> Levels = new()
    {
        ["AV"] = new() { ["N"] = 0.0, ["A"] = 0.1, ["L"] = 0.2, ["P"] = 0.3 },
        ["PR"] = new() { ["N"] = 0.0, ["L"] = 0.1, ["H"] = 0.2 },
        ["UI"] = new() { ["N"] = 0.0, ["P"] = 0.1, ["A"] = 0.2 },
        ["AC"] = new() { ["L"] = 0.0, ["H"] = 0.1 },
        ["AT"] = new() { ["N"] = 0.0, ["P"] = 0.1 },
        ["VC"] = new() { ["H"] = 0.0, ["L"] = 0.1, ["N"] = 0.2 },
        ["VI"] = new() { ["H"] = 0.0, ["L"] = 0.1, ["N"] = 0.2 },
        ["VA"] = new() { ["H"] = 0.0, ["L"] = 0.1, ["N"] = 0.2 },
        ["SC"] = new() { ["H"] = 0.1, ["L"] = 0.2, ["N"] = 0.3 },
        ["SI"] = new() { ["S"] = 0.0, ["H"] = 0.1, ["L"] = 0.2, ["N"] = 0.3 },
        ["SA"] = new() { ["S"] = 0.0, ["H"] = 0.1, ["L"] = 0.2, ["N"] = 0.3 },
        ["CR"] = new() { ["H"] = 0.0, ["M"] = 0.1, ["L"] = 0.2 },
        ["IR"] = new() { ["H"] = 0.0, ["M"] = 0.1, ["L"] = 0.2 },
        ["AR"] = new() { ["H"] = 0.0, ["M"] = 0.1, ["L"] = 0.2 },
    };

    /// <summary>
    /// CVSS 4.0 score of a vector (CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N), following the FIRST
    /// specification (section 8): the vector's macro vector (EQ1..EQ6) gives the score of its highest-severity vectors;
    /// the score is lowered by the mean, over the EQs that have a lower macro vector, of the available distance to that
    /// lower macro vector scaled by how far the vector lies from the highest-severity vector of its level. Threat and
    /// environmental metrics are honoured when present (E, CR/IR/AR, modified metrics); absent ones take their defaults.
    /// </summary>
    public static double? Cvss4BaseScore(string vector)
    {
        if (!vector.StartsWith("CVSS:4.0/", StringComparison.Ordinal)) return null;
        var sel = Metrics(vector);
        if (sel == null || Cvss4Base.Any(k => !sel.ContainsKey(k))) return null;
        string M(string k)
        {
            var v = sel.GetValueOrDefault(k, "X");
            if (v == "X" && k == "E") return "A";
            if (v == "X" && k is "CR" or "IR" or "AR") return "H";
            if (sel.TryGetValue("M" + k, out var mod) && mod != "X") return mod;
            return v;
        }
        foreach (var k in Cvss4Base) if (!Levels[k].ContainsKey(M(k)) && !(k is "SI" or "SA" && M(k) == "S")) return null;
        if (new[] { "VC", "VI", "VA", "SC", "SI", "SA" }.All(k => M(k) == "N")) return 0.0;

        int eq1 = M("AV") == "N" && M("PR") == "N" && M("UI") == "N" ? 0
            : (M("AV") == "N" || M("PR") == "N" || M("UI") == "N") && M("AV") != "P" ? 1 : 2;
        int eq2 = M("AC") == "L" && M("AT") == "N" ? 0 : 1;
        int eq3 = M("VC") == "H" && M("VI") == "H" ? 0 : M("VC") == "H" || M("VI") == "H" || M("VA") == "H" ? 1 : 2;
        int eq4 = M("MSI") == "S" || M("MSA") == "S" ? 0 : M("SC") == "H" || M("SI") == "H" || M("SA") == "H" ? 1 : 2;
        int eq5 = M("E") switch { "A" => 0, "P" => 1, "U" => 2, _ => -1 };
        if (eq5 < 0) return null;
        int eq6 = (M("CR") == "H" && M("VC") == "H") || (M("IR") == "H" && M("VI") == "H") || (M("AR") == "H" && M("VA") == "H") ? 0 : 1;

        static string Key(params int[] e) => string.Concat(e);
        var macro = Key(eq1, eq2, eq3, eq4, eq5, eq6);
        if (!Macro.TryGetValue(macro, out var value)) return null;
        double? Score(string k) => Macro.TryGetValue(k, out var s) ? s : null;

        var lower1 = Score(Key(eq1 + 1, eq2, eq3, eq4, eq5, eq6));
        var lower2 = Score(Key(eq1, eq2 + 1, eq3, eq4, eq5, eq6));
        double? lower36;
        if (eq3 == 0 && eq6 == 0)
        {
            var left = Score(Key(eq1, eq2, eq3, eq4, eq5, eq6 + 1));
            var right = Score(Key(eq1, eq2, eq3 + 1, eq4, eq5, eq6));
            lower36 = left > right ? left : right;
        }
        else if (eq6 == 1 && eq3 <= 1) lower36 = Score(Key(eq1, eq2, eq3 + 1, eq4, eq5, eq6));
        else if (eq3 == 1 && eq6 == 0) lower36 = Score(Key(eq1, eq2, eq3, eq4, eq5, eq6 + 1));
        else lower36 = Score(Key(eq1, eq2, eq3 + 1, eq4, eq5, eq6 + 1));
        var lower4 = Score(Key(eq1, eq2, eq3, eq4 + 1, eq5, eq6));
        var lower5 = Score(Key(eq1, eq2, eq3, eq4, eq5 + 1, eq6));

        // The highest-severity vectors of this macro vector; the first one no metric of ours exceeds sets the distances.
        var maxes = from a in Cvss4Data.MaxComposed[0][eq1.ToString(CultureInfo.InvariantCulture)]
                    from b in Cvss4Data.MaxComposed[1][eq2.ToString(CultureInfo.InvariantCulture)]
                    from c in Cvss4Data.MaxComposed[2][Key(eq3, eq6)]
                    from d in Cvss4Data.MaxComposed[3][eq4.ToString(CultureInfo.InvariantCulture)]
                    from e in Cvss4Data.MaxComposed[4][eq5.ToString(CultureInfo.InvariantCulture)]
                    select Metrics("X/" + (a + b + c + d + e).TrimEnd('/'))!;
        var distanceKeys = new[] { "AV", "PR", "UI", "AC", "AT", "VC", "VI", "VA", "SC", "SI", "SA", "CR", "IR", "AR" };
        Dictionary<string, double> dist = new();
        foreach (var max in maxes)
        {
            dist = distanceKeys.ToDictionary(k => k, k => Levels[k][M(k)] - Levels[k][max[k]]);
            if (dist.Values.All(x => x >= 0)) break;
        }
        double d1 = dist["AV"] + dist["PR"] + dist["UI"], d2 = dist["AC"] + dist["AT"];
        double d36 = dist["VC"] + dist["VI"] + dist["VA"] + dist["CR"] + dist["IR"] + dist["AR"], d4 = dist["SC"] + dist["SI"] + dist["SA"];
        const double step = 0.1;
        var n = 0;
        double sum = 0;
        void Add(double? lower, double distance, double maxSeverity)
        {
            if (lower == null) return;
            n++;
            sum += maxSeverity == 0 ? 0 : (value - lower.Value) * (distance / maxSeverity);
        }
        Add(lower1, d1, Cvss4Data.MaxSeverityEq1[eq1] * step);
        Add(lower2, d2, Cvss4Data.MaxSeverityEq2[eq2] * step);
        Add(lower36, d36, Cvss4Data.MaxSeverityEq3Eq6[Key(eq3, eq6)] * step);
        Add(lower4, d4, Cvss4Data.MaxSeverityEq4[eq4] * step);
        Add(lower5, 0, 1);
        if (n > 0) value -= sum / n;
        value = Math.Clamp(value, 0, 10);
        return Math.Round(value * 10, MidpointRounding.AwayFromZero) / 10;
    }

    public static string FromCvssScore(double score) => FromScore(score).ToString();

    /// <summary>CVSS qualitative rating: 0.1–3.9 Low, 4.0–6.9 Medium, 7.0–8.9 High, 9.0–10 Critical, 0 None (Info).</summary>
    public static DockOpt.Severity FromScore(double score) =>
        score >= 9 ? DockOpt.Severity.Critical : score >= 7 ? DockOpt.Severity.High : score >= 4 ? DockOpt.Severity.Medium : score > 0 ? DockOpt.Severity.Low : DockOpt.Severity.Info;
}
