using DockOpt.Engine.Security.Packages;
using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.Security;

/// <summary>Version ordering per package ecosystem (dpkg, PEP 440, semver/npm, Go, NuGet, apk).</summary>
public static class VersionComparers
{
    /// <summary>The comparer of an OSV ecosystem name ("Debian:12", "PyPI", "npm", "Go", "NuGet", "Alpine:v3.19") or a purl type.</summary>
    public static IComparer<string> For(string ecosystem)
    {
        var e = ecosystem.Split(':')[0].Trim().ToLowerInvariant();
        return e switch
        {
            "debian" or "ubuntu" or "deb" => DebianVersionComparer.Instance,
            "pypi" => Pep440VersionComparer.Instance,
            "npm" or "semver" => SemverComparer.Instance,
            "go" or "golang" => GoVersionComparer.Instance,
            "nuget" => NuGetVersionComparer.Instance,
            "alpine" or "apk" => ApkVersionComparer.Instance,
            "red hat" or "almalinux" or "rocky linux" or "suse" or "opensuse" or "amazon linux" or "fedora" or "azure linux" or "mageia" or "openeuler" or "rpm" => RpmVersionComparer.Instance,
            _ => GenericVersionComparer.Instance,
        };
    }

    internal static int CompareDigits(string a, string b)
    {
        a = a.TrimStart('0');
        b = b.TrimStart('0');
        if (a.Length != b.Length) return a.Length.CompareTo(b.Length);
        return string.CompareOrdinal(a, b) switch { < 0 => -1, > 0 => 1, _ => 0 };
    }
}

/// <summary>dpkg's version ordering (deb-version(7)): epoch, upstream, revision; '~' sorts before everything, even the end.</summary>
public sealed class DebianVersionComparer : IComparer<string>
{
    public static readonly DebianVersionComparer Instance = new();

    public static (long Epoch, string Upstream, string Revision) Parse(string v)
    {
        v = v.Trim();
        long epoch = 0;
        var colon = v.IndexOf(':');
        if (colon > 0 && long.TryParse(v.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var e))
        {
            epoch = e;
            v = v[(colon + 1)..];
        }
        var dash = v.LastIndexOf('-');
        return dash >= 0 ? (epoch, v[..dash], v[(dash + 1)..]) : (epoch, v, "");
    }

    public int Compare(string? x, string? y)
    {
        var a = Parse(x ?? "");
        var b = Parse(y ?? "");
        if (a.Epoch != b.Epoch) return a.Epoch < b.Epoch ? -1 : 1;
        var c = VerRevCmp(a.Upstream, b.Upstream);
        if (c != 0) return Math.Sign(c);
        return Math.Sign(VerRevCmp(a.Revision, b.Revision));
    }

    static int Order(char c) =>
        char.IsAsciiDigit(c) ? 0 : char.IsAsciiLetter(c) ? c : c == '~' ? -1 : c == '\0' ? 0 : c + 256;

    /// <summary>dpkg lib/dpkg/version.c verrevcmp.</summary>
    static int VerRevCmp(string a, string b)
    {
        int i = 0, j = 0;
        char At(string s, int k) => k < s.Length ? s[k] : '\0';
        while (i < a.Length || j < b.Length)
        {
            var firstDiff = 0;
            while ((i < a.Length && !char.IsAsciiDigit(a[i])) || (j < b.Length && !char.IsAsciiDigit(b[j])))
            {
                var ac = Order(At(a, i));
                var bc = Order(At(b, j));
                if (ac != bc) return ac - bc;
                i++; j++;
            }
            while (At(a, i) == '0') i++;
            while (At(b, j) == '0') j++;
            while (char.IsAsciiDigit(At(a, i)) && char.IsAsciiDigit(At(b, j)))
            {
                if (firstDiff == 0) firstDiff = At(a, i) - At(b, j);
                i++; j++;
            }
            if (char.IsAsciiDigit(At(a, i))) return 1;
            if (char.IsAsciiDigit(At(b, j))) return -1;
            if (firstDiff != 0) return firstDiff;
        }
        return 0;
    }
}

/// <summary>PEP 440 ordering: epoch, release (trailing zeros ignored), pre (a/b/rc), post, dev, local.</summary>
public sealed class Pep440VersionComparer : IComparer<string>
{
    public static readonly Pep440VersionComparer Instance = new();

    static readonly Regex Rx = new(
        @"^\s*v?(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\.[0-9]+)*)" +
        @"(?:[-_\.]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_\.]?(?<pre_n>[0-9]+)?)?" +
        @"(?:(?:-(?<post_n1>[0-9]+))|(?:[-_\.]?(?<post_l>post|rev|r)[-_\.]?(?<post_n2>[0-9]+)?))?" +
        @"(?:[-_\.]?(?<dev_l>dev)[-_\.]?(?<dev_n>[0-9]+)?)?" +
        @"(?:\+(?<local>[a-z0-9]+(?:[-_\.][a-z0-9]+)*))?\s*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    internal sealed record Parsed(BigInteger Epoch, BigInteger[] Release, int PreKind, BigInteger Pre, BigInteger? Post, BigInteger? Dev, string[] Local);

    internal static Parsed? Parse(string v)
    {
        var m = Rx.Match(v);
        if (!m.Success) return null;
        var epoch = m.Groups["epoch"].Success ? BigInteger.Parse(m.Groups["epoch"].Value, CultureInfo.InvariantCulture) : BigInteger.Zero;
        var rel = m.Groups["release"].Value.Split('.').Select(s => BigInteger.Parse(s, CultureInfo.InvariantCulture)).ToList();
        while (rel.Count > 1 && rel[^1].IsZero) rel.RemoveAt(rel.Count - 1);
        var preKind = 3; // none
        BigInteger pre = 0;
        if (m.Groups["pre_l"].Success)
        {
            preKind = m.Groups["pre_l"].Value.ToLowerInvariant() switch
            {
                "a" or "alpha" => 0,
                "b" or "beta" => 1,
                _ => 2, // c, rc, pre, preview
            };
            pre = m.Groups["pre_n"].Success ? BigInteger.Parse(m.Groups["pre_n"].Value, CultureInfo.InvariantCulture) : 0;
        }
        BigInteger? post = null;
        if (m.Groups["post_n1"].Success) post = BigInteger.Parse(m.Groups["post_n1"].Value, CultureInfo.InvariantCulture);
        else if (m.Groups["post_l"].Success) post = m.Groups["post_n2"].Success ? BigInteger.Parse(m.Groups["post_n2"].Value, CultureInfo.InvariantCulture) : 0;
        BigInteger? dev = m.Groups["dev_l"].Success ? (m.Groups["dev_n"].Success ? BigInteger.Parse(m.Groups["dev_n"].Value, CultureInfo.InvariantCulture) : 0) : null;
        var local = m.Groups["local"].Success ? m.Groups["local"].Value.ToLowerInvariant().Split('-', '_', '.') : Array.Empty<string>();
        return new Parsed(epoch, rel.ToArray(), preKind, pre, post, dev, local);
    }

    public int Compare(string? x, string? y)
    {
        var a = Parse(x ?? "");
        var b = Parse(y ?? "");
        if (a == null || b == null)
        {
            if (a == null && b == null) return GenericVersionComparer.Instance.Compare(x, y);
            return a == null ? -1 : 1; // invalid versions sort first (LegacyVersion)
        }
        var c = a.Epoch.CompareTo(b.Epoch);
        if (c != 0) return Math.Sign(c);
        for (var i = 0; i < Math.Max(a.Release.Length, b.Release.Length); i++)
        {
            var ai = i < a.Release.Length ? a.Release[i] : BigInteger.Zero;
            var bi = i < b.Release.Length ? b.Release[i] : BigInteger.Zero;
            c = ai.CompareTo(bi);
            if (c != 0) return Math.Sign(c);
        }
        // pre: a dev release without pre/post sorts before every pre-release of the same release.
        c = PreKey(a).CompareTo(PreKey(b));
        if (c != 0) return Math.Sign(c);
        c = (a.Post ?? -1).CompareTo(b.Post ?? -1);
        if (c != 0) return Math.Sign(c);
        if (a.Dev.HasValue != b.Dev.HasValue) return a.Dev.HasValue ? -1 : 1;
        if (a.Dev.HasValue) { c = a.Dev.Value.CompareTo(b.Dev!.Value); if (c != 0) return Math.Sign(c); }
        return CompareLocal(a.Local, b.Local);
    }

    static (int, BigInteger) PreKey(Parsed p) =>
        p.PreKind == 3 && p.Post == null && p.Dev != null ? (-1, 0) : (p.PreKind, p.Pre);

    static int CompareLocal(string[] a, string[] b)
    {
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            var an = a[i].All(char.IsAsciiDigit);
            var bn = b[i].All(char.IsAsciiDigit);
            int c;
            if (an && bn) c = VersionComparers.CompareDigits(a[i], b[i]);
            else if (an != bn) c = an ? 1 : -1; // numeric segments sort after alphanumeric ones
            else c = string.CompareOrdinal(a[i], b[i]);
            if (c != 0) return Math.Sign(c);
        }
        return a.Length.CompareTo(b.Length);
    }
}

/// <summary>Semantic Versioning 2.0.0 precedence (npm); a leading 'v' or '=' is accepted, build metadata ignored.</summary>
public sealed class SemverComparer : IComparer<string>
{
    public static readonly SemverComparer Instance = new();

    internal static (string[] Core, string[] Pre)? Parse(string v)
    {
        v = v.Trim().TrimStart('=', 'v', 'V');
        var plus = v.IndexOf('+');
        if (plus >= 0) v = v[..plus];
        var dash = v.IndexOf('-');
        var core = dash >= 0 ? v[..dash] : v;
        var pre = dash >= 0 ? v[(dash + 1)..].Split('.') : Array.Empty<string>();
        var parts = core.Split('.');
        if (parts.Length == 0 || parts.Any(p => p.Length == 0 || !p.All(char.IsAsciiDigit))) return null;
        return (parts, pre);
    }

    public int Compare(string? x, string? y)
    {
        var a = Parse(x ?? "");
        var b = Parse(y ?? "");
        if (a == null || b == null) return GenericVersionComparer.Instance.Compare(x, y);
        for (var i = 0; i < Math.Max(a.Value.Core.Length, b.Value.Core.Length); i++)
        {
            var c = VersionComparers.CompareDigits(i < a.Value.Core.Length ? a.Value.Core[i] : "0", i < b.Value.Core.Length ? b.Value.Core[i] : "0");
            if (c != 0) return c;
        }
        var ap = a.Value.Pre;
        var bp = b.Value.Pre;
        if (ap.Length == 0 || bp.Length == 0) return bp.Length.CompareTo(ap.Length) switch { < 0 => -1, > 0 => 1, _ => 0 };
        for (var i = 0; i < Math.Min(ap.Length, bp.Length); i++)
        {
            var an = ap[i].Length > 0 && ap[i].All(char.IsAsciiDigit);
            var bn = bp[i].Length > 0 && bp[i].All(char.IsAsciiDigit);
            int c;
            if (an && bn) c = VersionComparers.CompareDigits(ap[i], bp[i]);
            else if (an != bn) c = an ? -1 : 1; // numeric identifiers have lower precedence
            else c = Math.Sign(string.CompareOrdinal(ap[i], bp[i]));
            if (c != 0) return c;
        }
        return ap.Length.CompareTo(bp.Length) switch { < 0 => -1, > 0 => 1, _ => 0 };
    }
}

/// <summary>Go module versions: semver with a 'v' prefix; pseudo-versions order as semver pre-releases; "+incompatible" ignored.</summary>
public sealed class GoVersionComparer : IComparer<string>
{
    public static readonly GoVersionComparer Instance = new();
    public int Compare(string? x, string? y) => SemverComparer.Instance.Compare(Norm(x), Norm(y));
    static string Norm(string? v)
    {
        var s = (v ?? "").Trim().Replace("+incompatible", "");
        if (s.StartsWith("go", StringComparison.Ordinal)) s = s[2..];
        return s.TrimStart('v');
    }
}

/// <summary>NuGet: up to four numeric parts (missing = 0), then semver pre-release rules, case-insensitive labels.</summary>
public sealed class NuGetVersionComparer : IComparer<string>
{
    public static readonly NuGetVersionComparer Instance = new();
    public int Compare(string? x, string? y) =>
        SemverComparer.Instance.Compare((x ?? "").ToLowerInvariant(), (y ?? "").ToLowerInvariant());
}

/// <summary>apk-tools version ordering (simplified): digits, letter, suffixes (_alpha &lt; _beta &lt; _pre &lt; _rc &lt; none &lt; _cvs &lt; _svn &lt; _git &lt; _hg &lt; _p), then -rN.</summary>
public sealed class ApkVersionComparer : IComparer<string>
{
    public static readonly ApkVersionComparer Instance = new();
    static readonly string[] Suffixes = { "alpha", "beta", "pre", "rc", "", "cvs", "svn", "git", "hg", "p" };

    static (List<string> Nums, string Letter, List<(int, string)> Suf, string Rev) Parse(string v)
    {
        v = v.Trim();
        var rev = "0";
        var r = v.LastIndexOf("-r", StringComparison.Ordinal);
        if (r >= 0 && v[(r + 2)..].All(char.IsAsciiDigit) && r + 2 < v.Length) { rev = v[(r + 2)..]; v = v[..r]; }
        var sufParts = v.Split('_');
        var main = sufParts[0];
        var letter = "";
        if (main.Length > 0 && char.IsAsciiLetter(main[^1])) { letter = main[^1..]; main = main[..^1]; }
        var nums = main.Split('.').ToList();
        var suf = new List<(int, string)>();
        foreach (var s in sufParts.Skip(1))
        {
            var name = new string(s.TakeWhile(char.IsAsciiLetter).ToArray());
            var idx = Array.IndexOf(Suffixes, name);
            suf.Add((idx < 0 ? 4 : idx, s[name.Length..]));
        }
        return (nums, letter, suf, rev);
    }

    public int Compare(string? x, string? y)
    {
        var a = Parse(x ?? "");
        var b = Parse(y ?? "");
        for (var i = 0; i < Math.Max(a.Nums.Count, b.Nums.Count); i++)
        {
            if (i >= a.Nums.Count) return -1;
            if (i >= b.Nums.Count) return 1;
            var c = VersionComparers.CompareDigits(a.Nums[i], b.Nums[i]);
            if (c != 0) return c;
        }
        var lc = string.CompareOrdinal(a.Letter, b.Letter);
        if (lc != 0) return Math.Sign(lc);
        for (var i = 0; i < Math.Max(a.Suf.Count, b.Suf.Count); i++)
        {
            var sa = i < a.Suf.Count ? a.Suf[i] : (4, "");
            var sb = i < b.Suf.Count ? b.Suf[i] : (4, "");
            if (sa.Item1 != sb.Item1) return sa.Item1.CompareTo(sb.Item1);
            var c = VersionComparers.CompareDigits(sa.Item2.Length == 0 ? "0" : sa.Item2, sb.Item2.Length == 0 ? "0" : sb.Item2);
            if (c != 0) return c;
        }
        return VersionComparers.CompareDigits(a.Rev, b.Rev);
    }
}

/// <summary>Fallback: numeric runs compared as numbers, other runs ordinally.</summary>
public sealed class GenericVersionComparer : IComparer<string>
{
    public static readonly GenericVersionComparer Instance = new();
    static readonly Regex Tokens = new(@"\d+|[A-Za-z]+", RegexOptions.CultureInvariant);

    public int Compare(string? x, string? y)
    {
        var a = Tokens.Matches(x ?? "").Select(m => m.Value).ToArray();
        var b = Tokens.Matches(y ?? "").Select(m => m.Value).ToArray();
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            var an = char.IsAsciiDigit(a[i][0]);
            var bn = char.IsAsciiDigit(b[i][0]);
            var c = an && bn ? VersionComparers.CompareDigits(a[i], b[i]) : an != bn ? (an ? 1 : -1) : Math.Sign(string.CompareOrdinal(a[i], b[i]));
            if (c != 0) return c;
        }
        return a.Length.CompareTo(b.Length);
    }
}
