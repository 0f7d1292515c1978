using System.Globalization;

namespace DockOpt.Engine.Images;

/// <summary>
/// Who an image runs as, decided by UID, the one place for it: Test-DockOptImage's non-root check and
/// Invoke-DockOptScan's root-user check both use it.
/// </summary>
public static class ImageUser
{
    public sealed record Verdict(bool? IsRoot, string Actual, string Explanation, long? Uid);

    /// <summary>
    /// Root is "", "root", "0", "0:&lt;gid&gt;", "root:&lt;group&gt;", or a name whose UID in the image's /etc/passwd is 0.
    /// IsRoot null: the name cannot be resolved.
    /// </summary>
    public static Verdict Classify(string? user, string? passwd)
    {
        var u = (user ?? "").Trim();
        if (u.Length == 0)
            return new(true, "\"\" (no USER)", "No USER instruction: the container runs as root (UID 0).", 0);
        var name = u.Split(':', 2)[0];
        if (name.Length == 0)
            return new(true, u, $"USER '{u}' has no user part: the container runs as root (UID 0).", 0);
        if (long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
            return uid == 0
                ? new(true, u, $"USER '{u}' is UID 0 (root).", 0)
                : new(false, u, $"UID {uid}.", uid);
        if (name == "root")
            return new(true, u, $"USER '{u}' is root (UID 0).", 0);
        if (passwd == null)
            return new(null, u, $"USER '{u}' is a name and the image has no /etc/passwd to resolve it.", null);
        var found = PasswdUid(passwd, name);
        if (found == null)
            return new(null, u, $"USER '{u}': no entry '{name}' in the image's /etc/passwd.", null);
        return found == 0
            ? new(true, $"{u} (UID 0)", $"USER '{u}' has UID 0 in the image's /etc/passwd: it is root under another name.", 0)
            : new(false, $"{u} (UID {found})", $"'{name}' has UID {found} in the image's /etc/passwd.", found);
    }

    /// <summary>The UID of <paramref name="name"/> in passwd text (the first entry wins, as getpwnam does).</summary>
    public static long? PasswdUid(string passwd, string name)
    {
        foreach (var raw in passwd.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#') continue;
            var f = line.Split(':');
            if (f.Length < 3 || f[0] != name) continue;
            return long.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
        }
        return null;
    }
}
