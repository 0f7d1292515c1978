namespace DockOpt.Engine.Security.Packages;

/// <summary>
/// Debian's package database in both layouts, read the same way by the scan inventory (Invoke-DockOptScan,
/// Get-DockOptPackage) and by Test-DockOptImage's package checks: dpkg's own <c>/var/lib/dpkg/status</c> (one stanza per
/// package), and distroless's <c>/var/lib/dpkg/status.d/</c> (one file per package, the <c>dpkg-deb --field</c> of its
/// .deb, no Status line, with a <c>&lt;package&gt;.md5sums</c> file beside it that is not package data).
/// </summary>
public static class DpkgDatabase
{
    /// <summary>dpkg's status file (no leading '/').</summary>
    public const string StatusFile = "var/lib/dpkg/status";

    /// <summary>distroless's per-package folder (no leading '/').</summary>
    public const string StatusDirectory = "var/lib/dpkg/status.d";

    /// <summary>Whether a path (no leading '/') holds package records: the status file, or a package file directly in status.d.</summary>
    public static bool IsDatabasePath(string path) =>
        path == StatusFile
        || (path.Length > StatusDirectory.Length + 1 && path.StartsWith(StatusDirectory + "/", StringComparison.Ordinal)
            && path.IndexOf('/', StatusDirectory.Length + 1) < 0 && !path.EndsWith(".md5sums", StringComparison.Ordinal));

    /// <summary>The installed packages one database file lists (stanzas whose state is not not-installed/config-files).</summary>
    public static List<RawPackage> Parse(string text) => PackageParsers.ParseDpkg(text);

    /// <summary>
    /// The installed packages of an image from the database files it has, by path (no leading '/'; other paths are
    /// ignored): the status file and every status.d package file, one package once (the status file's record first).
    /// Null when the image has neither.
    /// </summary>
    public static List<RawPackage>? Read(IEnumerable<KeyValuePair<string, string>> files)
    {
        var db = files.Where(f => IsDatabasePath(f.Key)).OrderBy(f => f.Key == StatusFile ? 0 : 1).ThenBy(f => f.Key, StringComparer.Ordinal).ToList();
        if (db.Count == 0) return null;
        var seen = new HashSet<(string, string)>();
        var list = new List<RawPackage>();
        foreach (var f in db)
            foreach (var p in Parse(f.Value))
                if (seen.Add((p.Name, p.Architecture))) list.Add(p);
        return list;
    }
}
