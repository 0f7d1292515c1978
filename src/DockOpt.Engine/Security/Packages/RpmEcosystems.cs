using System.Text.RegularExpressions;

namespace DockOpt.Engine.Security.Packages;

/// <summary>
/// Which OSV rpm-distribution ecosystems apply to an image's release. Packages carry "Red Hat:9", "AlmaLinux:9",
/// "Rocky Linux:9", "SUSE:15.5", "openSUSE:15.5" (see PackageUrl.RpmEcosystem); advisories name products:
/// "Red Hat:enterprise_linux:9::appstream", "Red Hat:rhel_eus:9.2::baseos", "SUSE:Linux Enterprise Server 15 SP5",
/// "openSUSE:Leap 15.5", "AlmaLinux:9".
/// </summary>
public static class RpmEcosystems
{
    static readonly Regex SuseRelease = new(@"(?<!\d)(\d+)(?:\.(\d+)| SP(\d+))?(?!\d)", RegexOptions.CultureInvariant);

    /// <summary>True/false for rpm-distribution ecosystems, null for any other ecosystem (the caller decides).</summary>
    public static bool? Applies(string advisory, string package)
    {
        var ai = advisory.IndexOf(':');
        var pi = package.IndexOf(':');
        var a = (ai < 0 ? advisory : advisory[..ai]).Trim().ToLowerInvariant();
        var p = (pi < 0 ? package : package[..pi]).Trim().ToLowerInvariant();
        if (a is not ("red hat" or "suse" or "opensuse" or "almalinux" or "rocky linux" or "amazon linux" or "fedora" or "azure linux")) return null;
        if (a != p) return false;
        if (ai < 0) return true;
        if (pi < 0) return false;
        var release = package[(pi + 1)..].Trim();
        var rest = advisory[(ai + 1)..].Trim();
        switch (a)
        {
            case "red hat":
                // cpe-like: <product>:<version>[:…]; enterprise_linux:9, rhel_eus:9.2, rhel_e4s:9.0 all belong to major 9.
                var parts = rest.Split(':');
                var ver = parts.Length > 1 ? parts[1] : parts[0];
                return Major(ver) == Major(release);
            case "suse":
            case "opensuse":
                // "Linux Enterprise Server 15 SP5" = 15.5, "Leap 15.5" = 15.5, "Leap Micro 5.5" = 5.5, "Tumbleweed" = any
                if (rest.Contains("Tumbleweed", StringComparison.OrdinalIgnoreCase)) return true;
                var m = SuseRelease.Match(rest);
                if (!m.Success) return false;
                var minor = m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Success ? m.Groups[3].Value : "0";
                return Normalize(m.Groups[1].Value + "." + minor) == Normalize(release);
            default:
                return Major(rest) == Major(release);
        }
    }

    static string Major(string v) => v.Split('.')[0].Trim();

    static string Normalize(string v)
    {
        var parts = v.Split('.');
        return parts[0] + "." + (parts.Length > 1 ? parts[1] : "0");
    }
}
