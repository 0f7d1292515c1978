using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DockOpt.Engine.Security;
using DockOpt.Engine.Security.Packages;

namespace DockOpt.Engine.Testing;

/// <summary>goss-style resources: users, groups and packages in the image; ports listening and processes running in the app container.</summary>
public sealed class SystemSpec
{
    public List<SystemItem> Users { get; } = new();
    public List<SystemItem> Groups { get; } = new();
    public List<SystemItem> Packages { get; } = new();
    public List<SystemItem> Ports { get; } = new();
    public List<SystemItem> Processes { get; } = new();

    public bool NeedsContainer => Ports.Count + Processes.Count > 0;
    public bool NeedsFiles => Users.Count + Groups.Count + Packages.Count > 0;

    public void Merge(SystemSpec o)
    {
        Users.AddRange(o.Users); Groups.AddRange(o.Groups); Packages.AddRange(o.Packages); Ports.AddRange(o.Ports); Processes.AddRange(o.Processes);
    }
}

/// <summary>One goss-style resource: its name, whether it must be there, and optional attributes.</summary>
public sealed class SystemItem
{
    public string Name { get; set; } = "";

    /// <summary>exists / installed / running / listening (false: must not).</summary>
    public bool Present { get; set; } = true;
    public long? Uid { get; set; }
    public long? Gid { get; set; }
    public string? Home { get; set; }
    public string? Shell { get; set; }

    /// <summary>Package version regex.</summary>
    public string? Version { get; set; }
}

public static class SystemChecks
{
    public const string Passwd = "/etc/passwd", Group = "/etc/group", Dpkg = "/" + DpkgDatabase.StatusFile, Apk = "/lib/apk/db/installed";

    /// <summary>distroless's one-file-per-package dpkg database, read as a folder (IImageFileSource.ReadDirectoryAsync) when packages are checked.</summary>
    public const string DpkgStatusDirectory = "/" + DpkgDatabase.StatusDirectory;

    public static IEnumerable<string> FilesNeeded(SystemSpec s)
    {
        if (s.Users.Count > 0) yield return Passwd;
        if (s.Groups.Count > 0) yield return Group;
        if (s.Packages.Count > 0) { yield return Dpkg; yield return Apk; }
    }

    static string? Text(IReadOnlyDictionary<string, ImageFileEntry?> files, string path) =>
        files.TryGetValue(path, out var e) && e?.Content != null ? Encoding.UTF8.GetString(e.Content) : null;

    /// <summary>Users, groups and packages from the image's /etc/passwd, /etc/group and package database (dpkg or apk).</summary>
    public static IEnumerable<ImageTestResult> CheckImage(SystemSpec s, IReadOnlyDictionary<string, ImageFileEntry?> files,
        Func<string, string, string, ImageTestOutcome, string, ImageTestResult> make)
    {
        if (s.Users.Count > 0)
        {
            var rows = Rows(Text(files, Passwd));
            foreach (var u in s.Users)
            {
                var row = rows?.FirstOrDefault(r => r[0] == u.Name);
                foreach (var r in Account("User", u, rows == null, row, row == null ? null : new[] { ("uid", row.ElementAtOrDefault(2), u.Uid?.ToString(CultureInfo.InvariantCulture)),
                    ("gid", row.ElementAtOrDefault(3), u.Gid?.ToString(CultureInfo.InvariantCulture)), ("home", row.ElementAtOrDefault(5), u.Home), ("shell", row.ElementAtOrDefault(6), u.Shell) }, Passwd, make))
                    yield return r;
            }
        }
        if (s.Groups.Count > 0)
        {
            var rows = Rows(Text(files, Group));
            foreach (var g in s.Groups)
            {
                var row = rows?.FirstOrDefault(r => r[0] == g.Name);
                foreach (var r in Account("Group", g, rows == null, row, row == null ? null : new[] { ("gid", row.ElementAtOrDefault(2), g.Gid?.ToString(CultureInfo.InvariantCulture)) }, Group, make))
                    yield return r;
            }
        }
        if (s.Packages.Count > 0)
        {
            // dpkg's status file and distroless's status.d files, through the scan inventory's reader.
            var dpkg = DpkgDatabase.Read(files.Where(kv => kv.Value?.Content != null)
                .Select(kv => KeyValuePair.Create(kv.Key.TrimStart('/'), Encoding.UTF8.GetString(kv.Value!.Content!))));
            var apk = Text(files, Apk);
            var inventory = dpkg ?? (apk != null ? PackageParsers.ParseApk(apk) : null);
            var db = dpkg != null ? (Text(files, Dpkg) != null ? "dpkg" : "dpkg status.d") : apk != null ? "apk" : null;
            foreach (var p in s.Packages)
            {
                var name = $"Package {p.Name} {(p.Present ? "installed" : "not installed")}";
                if (inventory == null)
                {
                    yield return make(name, p.Present ? "installed" : "not installed", "no package database", ImageTestOutcome.Error,
                        $"The image has no package database ({Dpkg}, {DpkgStatusDirectory}/ or {Apk}): its packages can't be listed.");
                    continue;
                }
                var found = inventory.FirstOrDefault(x => x.Name == p.Name);
                if (!p.Present)
                {
                    yield return make(name, "not installed", found == null ? "not installed" : $"{found.Version} ({db})",
                        found == null ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, found == null ? "" : $"{p.Name} {found.Version} is installed.");
                    continue;
                }
                if (found == null)
                {
                    yield return make(name, "installed", $"not installed ({inventory.Count} {db} packages)", ImageTestOutcome.Failed, $"{p.Name} is not in the image's {db} database.");
                    continue;
                }
                var ok = p.Version == null || Regex.IsMatch(found.Version, p.Version);
                yield return make(name, p.Version == null ? "installed" : $"version /{p.Version}/", $"{found.Version} ({db})",
                    ok ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, ok ? "" : $"{p.Name} is {found.Version}, which does not match /{p.Version}/.");
            }
        }
    }

    static List<string[]>? Rows(string? text) => text?.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.TrimEnd('\r').Split(':')).ToList();

    static IEnumerable<ImageTestResult> Account(string kind, SystemItem item, bool noFile, string[]? row, (string Field, string? Have, string? Want)[]? attrs, string file,
        Func<string, string, string, ImageTestOutcome, string, ImageTestResult> make)
    {
        var name = $"{kind} {item.Name} {(item.Present ? "exists" : "absent")}";
        if (noFile)
        {
            yield return make(name, item.Present ? "exists" : "absent", $"no {file}", item.Present ? ImageTestOutcome.Failed : ImageTestOutcome.Passed,
                item.Present ? $"The image has no {file}." : "");
            yield break;
        }
        if (!item.Present)
        {
            yield return make(name, "absent", row == null ? "absent" : "exists", row == null ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, row == null ? "" : $"{item.Name} is in {file}.");
            yield break;
        }
        yield return make(name, "exists", row == null ? "absent" : "exists", row == null ? ImageTestOutcome.Failed : ImageTestOutcome.Passed, row == null ? $"{item.Name} is not in {file}." : "");
        if (row == null || attrs == null) yield break;
        foreach (var (field, have, want) in attrs)
            if (want != null)
                yield return make($"{kind} {item.Name} {field}", want, have ?? "", have == want ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, "");
    }

    /// <summary>Listening sockets from /proc/net/{tcp,tcp6,udp,udp6} text: "8080/tcp" for a TCP socket in LISTEN, "53/udp" for a bound UDP one.</summary>
    public static HashSet<string> ListeningPorts(IEnumerable<(string Proto, string Text)> tables)
    {
        var r = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (proto, text) in tables)
            foreach (var line in text.Split('\n').Skip(1))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 4) continue;
                var colon = f[1].LastIndexOf(':');
                if (colon < 0 || !int.TryParse(f[1].AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port)) continue;
                var tcp = proto.StartsWith("tcp", StringComparison.Ordinal);
                if (tcp ? f[3] == "0A" : f[3] == "07") r.Add($"{port}/{(tcp ? "tcp" : "udp")}");
            }
        return r;
    }

    /// <summary>Process names from the engine's top (CMD column): the basename of the first word, and the comm name (first 15 characters).</summary>
    public static HashSet<string> ProcessNames(IEnumerable<string> commands)
    {
        var r = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in commands)
        {
            var first = c.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
            var b = first.Substring(first.LastIndexOf('/') + 1);
            if (b.Length == 0) continue;
            r.Add(b);
            if (b.Length > 15) r.Add(b.Substring(0, 15));
        }
        return r;
    }
}
