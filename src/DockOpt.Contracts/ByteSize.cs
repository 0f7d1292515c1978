using System.Globalization;

namespace DockOpt;

/// <summary>Human-readable sizes and ages for the default views (docker's decimal units: 1 MB = 1,000,000 bytes).</summary>
public static class ByteSize
{
    static readonly string[] Units = { "B", "kB", "MB", "GB", "TB", "PB" };

    public static string Format(long bytes)
    {
        double v = Math.Abs((double)bytes);
        var u = 0;
        while (v >= 1000 && u < Units.Length - 1)
        {
            v /= 1000;
            u++;
        }
        var s = u == 0 ? v.ToString("0", CultureInfo.InvariantCulture) : v.ToString(v < 10 ? "0.##" : v < 100 ? "0.#" : "0", CultureInfo.InvariantCulture);
        return (bytes < 0 ? "-" : "") + s + Units[u];
    }

    /// <summary>"3 minutes ago", as docker images prints it.</summary>
    public static string Age(DateTime createdUtc)
    {
        if (createdUtc == default) return "N/A";
        var d = DateTime.UtcNow - createdUtc.ToUniversalTime();
        if (d < TimeSpan.Zero) d = TimeSpan.Zero;
        string Plural(double n, string unit) { var i = (int)Math.Floor(n); return $"{i} {unit}{(i == 1 ? "" : "s")} ago"; }
        if (d.TotalSeconds < 60) return Plural(Math.Max(1, d.TotalSeconds), "second");
        if (d.TotalMinutes < 60) return Plural(d.TotalMinutes, "minute");
        if (d.TotalHours < 48) return Plural(d.TotalHours, "hour");
        if (d.TotalDays < 14) return Plural(d.TotalDays, "day");
        if (d.TotalDays < 60) return Plural(d.TotalDays / 7, "week");
        if (d.TotalDays < 730) return Plural(d.TotalDays / 30, "month");
        return Plural(d.TotalDays / 365, "year");
    }
}
