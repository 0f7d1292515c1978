namespace DockOpt.Engine.Security.Packages;

/// <summary>
/// rpm's version ordering: epoch (missing = 0), then version and release compared with rpmvercmp — alternating runs of
/// digits (numeric, leading zeros ignored; a number beats letters) and ASCII letters; other characters only separate;
/// '~' sorts before everything, even the end; '^' sorts after the end but before anything else. When the versions are
/// equal, a release (even an empty one after '-') sorts after no release, as rpm.vercmp does in rpm 4.18.
/// </summary>
public sealed class RpmVersionComparer : IComparer<string>
{
    public static readonly RpmVersionComparer Instance = new();

    /// <summary>(epoch, version, release) of "[epoch:]version[-release]"; release is null when absent.</summary>
    public static (long Epoch, string Version, string? Release) Parse(string evr)
    {
        evr = evr.Trim();
        long epoch = 0;
        var colon = evr.IndexOf(':');
        if (colon > 0 && evr[..colon].All(char.IsAsciiDigit) && long.TryParse(evr[..colon], out var e)) { epoch = e; evr = evr[(colon + 1)..]; }
        else if (colon == 0) evr = evr[1..];
        var dash = evr.LastIndexOf('-');
        return dash >= 0 ? (epoch, evr[..dash], evr[(dash + 1)..]) : (epoch, evr, null);
    }

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x == null) return -1;
        if (y == null) return 1;
        var a = Parse(x);
        var b = Parse(y);
        var c = a.Epoch.CompareTo(b.Epoch);
        if (c != 0) return c;
        c = VerCmp(a.Version, b.Version);
        if (c != 0) return c;
        if (a.Release == null || b.Release == null) return a.Release == null ? (b.Release == null ? 0 : -1) : 1;
        return VerCmp(a.Release, b.Release);
    }

    static bool IsAlnum(char c) => char.IsAsciiLetterOrDigit(c);

    /// <summary>rpmvercmp of two version (or release) strings: -1, 0 or 1.</summary>
    public static int VerCmp(string a, string b)
    {
        if (string.Equals(a, b, StringComparison.Ordinal)) return 0;
        int i = 0, j = 0;
        char At(string s, int k) => k < s.Length ? s[k] : '\0';
        while (i < a.Length || j < b.Length)
        {
            while (i < a.Length && !IsAlnum(a[i]) && a[i] != '~' && a[i] != '^') i++;
            while (j < b.Length && !IsAlnum(b[j]) && b[j] != '~' && b[j] != '^') j++;
            char ca = At(a, i), cb = At(b, j);
            if (ca == '~' || cb == '~')
            {
                if (ca != '~') return 1;
                if (cb != '~') return -1;
                i++; j++;
                continue;
            }
            if (ca == '^' || cb == '^')
            {
                if (i >= a.Length) return -1;
                if (j >= b.Length) return 1;
                if (ca != '^') return 1;
                if (cb != '^') return -1;
                i++; j++;
                continue;
            }
            if (i >= a.Length || j >= b.Length) break;
            int si = i, sj = j;
            var isNum = char.IsAsciiDigit(ca);
            if (isNum)
            {
                while (i < a.Length && char.IsAsciiDigit(a[i])) i++;
                while (j < b.Length && char.IsAsciiDigit(b[j])) j++;
            }
            else
            {
                while (i < a.Length && char.IsAsciiLetter(a[i])) i++;
                while (j < b.Length && char.IsAsciiLetter(b[j])) j++;
            }
            if (j == sj) return isNum ? 1 : -1; // different segment types: a number is newer
            var sa = a[si..i];
            var sb = b[sj..j];
            if (isNum)
            {
                sa = sa.TrimStart('0');
                sb = sb.TrimStart('0');
                if (sa.Length != sb.Length) return sa.Length > sb.Length ? 1 : -1;
            }
            var r = string.CompareOrdinal(sa, sb);
            if (r != 0) return r < 0 ? -1 : 1;
        }
        if (i >= a.Length && j >= b.Length) return 0;
        return i >= a.Length ? -1 : 1;
    }
}
