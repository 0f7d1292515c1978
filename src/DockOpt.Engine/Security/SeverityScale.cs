namespace DockOpt.Engine.Security;

/// <summary>Severity names and their order (Unknown/Info &lt; Low &lt; Medium &lt; High &lt; Critical).</summary>
public static class SeverityScale
{
    public static readonly string[] Names = { "Unknown", "Info", "Low", "Medium", "High", "Critical" };

    public static int Rank(string? s) => Normalize(s) switch
    {
        "Critical" => 5,
        "High" => 4,
        "Medium" => 3,
        "Low" => 2,
        "Info" => 1,
        _ => 0,
    };

    public static string Normalize(string? s) => (s ?? "").Trim().ToUpperInvariant() switch
    {
        "CRITICAL" => "Critical",
        "HIGH" or "IMPORTANT" => "High",
        "MEDIUM" or "MODERATE" => "Medium",
        "LOW" or "NEGLIGIBLE" or "UNIMPORTANT" => "Low",
        "INFO" or "INFORMATIONAL" or "NONE" => "Info",
        _ => "Unknown",
    };

    /// <summary>CVSS v3.x base score from a vector string (CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H), or null.</summary>
    public static double? Cvss3BaseScore(string vector)
    {
        if (!vector.StartsWith("CVSS:3", StringComparison.Ordinal)) return null;
        var m = vector.Split('/').Skip(1).Select(p => p.Split(':')).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
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

    public static string FromCvssScore(double score) =>
        score >= 9 ? "Critical" : score >= 7 ? "High" : score >= 4 ? "Medium" : score > 0 ? "Low" : "Info";
}
