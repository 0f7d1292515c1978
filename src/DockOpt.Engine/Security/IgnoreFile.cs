using System.Globalization;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.Security;

/// <summary>A .trivyignore (plain: "ID [exp:YYYY-MM-DD]") or .trivyignore.yaml file (vulnerabilities/secrets/misconfigurations entries).</summary>
public sealed class IgnoreFile
{
    public sealed class Entry
    {
        public string Id { get; init; } = "";
        public string Section { get; init; } = "";     // vulnerabilities, secrets, misconfigurations, or "" (plain: any)
        public DateTime? ExpiresAt { get; init; }
        public List<string> Paths { get; init; } = new();
        public List<string> Purls { get; init; } = new();
        public string Statement { get; init; } = "";
        public int Line { get; init; }
        public bool Used { get; set; }
        public override string ToString() => Id + (ExpiresAt is { } d ? " exp:" + d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "") + $" (line {Line})";
    }

    public List<Entry> Entries { get; } = new();
    public string Source { get; }

    IgnoreFile(string source) => Source = source;

    /// <summary>The default ignore file in a folder (.trivyignore.yaml, .trivyignore.yml, then .trivyignore), or null when none is there.</summary>
    public static string? FindDefault(string folder)
    {
        foreach (var n in new[] { ".trivyignore.yaml", ".trivyignore.yml", ".trivyignore" })
        {
            var p = Path.Combine(folder, n);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    public static IgnoreFile Load(string path)
    {
        if (!File.Exists(path))
            throw new DockOptException(ErrorIds.IgnoreFileNotFound, DockOptErrorCategory.ObjectNotFound, $"Ignore file '{path}' does not exist.", path,
                "Give the path of a .trivyignore or .trivyignore.yaml file.");
        var text = Dockerfiles.SourceFile.ReadAllText(path, "ignore file");
        return path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
            ? ParseYaml(text, path) : ParsePlain(text, path);
    }

    public static IgnoreFile ParsePlain(string text, string source)
    {
        var f = new IgnoreFile(source);
        var n = 0;
        foreach (var raw in text.Split('\n'))
        {
            n++;
            var line = raw.Trim();
            var hash = line.IndexOf('#');
            if (hash >= 0) line = line[..hash].Trim();
            if (line.Length == 0) continue;
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            DateTime? exp = null;
            foreach (var p in parts.Skip(1))
                if (p.StartsWith("exp:", StringComparison.Ordinal)) exp = ParseDate(p[4..], source, n);
            f.Entries.Add(new Entry { Id = parts[0], ExpiresAt = exp, Line = n });
        }
        return f;
    }

    static DateTime ParseDate(string s, string source, int line)
    {
        s = s.Trim().Trim('"', '\'');
        if (DateTime.TryParseExact(s, new[] { "yyyy-MM-dd", "yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM-ddTHH:mm:ssK" }, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d))
            return d;
        throw new DockOptException(ErrorIds.IgnoreFileInvalid, DockOptErrorCategory.ParserError,
            $"{source}:{line}: '{s}' is not a date (use YYYY-MM-DD).", source, "Write expiry dates as YYYY-MM-DD.");
    }

    /// <summary>The subset of YAML that .trivyignore.yaml uses: top-level sections holding lists of maps with scalars and scalar lists.</summary>
    public static IgnoreFile ParseYaml(string text, string source)
    {
        var f = new IgnoreFile(source);
        string section = "";
        Dictionary<string, object>? cur = null;
        int curLine = 0;
        string? listKey = null;
        var n = 0;
        void Flush()
        {
            if (cur == null) return;
            if (!cur.TryGetValue("id", out var id) || id is not string ids || ids.Length == 0)
                throw new DockOptException(ErrorIds.IgnoreFileInvalid, DockOptErrorCategory.ParserError, $"{source}:{curLine}: an entry has no 'id'.", source, "Give every entry an id.");
            f.Entries.Add(new Entry
            {
                Id = ids,
                Section = section,
                ExpiresAt = cur.TryGetValue("expired_at", out var e) && e is string es && es.Length > 0 ? ParseDate(es, source, curLine) : null,
                Paths = cur.TryGetValue("paths", out var p) && p is List<string> pl ? pl : new(),
                Purls = cur.TryGetValue("purls", out var u) && u is List<string> ul ? ul : new(),
                Statement = cur.TryGetValue("statement", out var st) && st is string sts ? sts : "",
                Line = curLine,
            });
            cur = null;
        }
        foreach (var raw in text.Replace("\r", "").Split('\n'))
        {
            n++;
            var noComment = Regex.Replace(raw, @"(^|\s)#.*$", "");
            if (noComment.Trim().Length == 0) continue;
            var indent = noComment.Length - noComment.TrimStart().Length;
            var line = noComment.Trim();
            if (indent == 0)
            {
                Flush();
                var m = Regex.Match(line, @"^([A-Za-z_]+):\s*(\[\s*\])?$");
                if (!m.Success)
                    throw new DockOptException(ErrorIds.IgnoreFileInvalid, DockOptErrorCategory.ParserError, $"{source}:{n}: expected a section (vulnerabilities:, secrets:, misconfigurations:, licenses:).", source, "Check the YAML layout.");
                section = m.Groups[1].Value;
                continue;
            }
            if (line.StartsWith("- ", StringComparison.Ordinal) && listKey != null && cur != null && indent > 2 + (cur.ContainsKey("__indent") ? (int)cur["__indent"] : 0) && !line[2..].Contains(": "))
            {
                ((List<string>)cur[listKey]).Add(Unquote(line[2..]));
                continue;
            }
            if (line.StartsWith("- ", StringComparison.Ordinal) || line == "-")
            {
                Flush();
                cur = new Dictionary<string, object> { ["__indent"] = indent };
                curLine = n;
                listKey = null;
                line = line.Length > 1 ? line[2..].Trim() : "";
                if (line.Length == 0) continue;
            }
            if (cur == null)
                throw new DockOptException(ErrorIds.IgnoreFileInvalid, DockOptErrorCategory.ParserError, $"{source}:{n}: expected '- id: …'.", source, "Check the YAML layout.");
            var kv = Regex.Match(line, @"^([A-Za-z_]+):\s*(.*)$");
            if (!kv.Success)
                throw new DockOptException(ErrorIds.IgnoreFileInvalid, DockOptErrorCategory.ParserError, $"{source}:{n}: cannot read '{line}'.", source, "Check the YAML layout.");
            var key = kv.Groups[1].Value;
            var val = kv.Groups[2].Value.Trim();
            if (val.Length == 0) { cur[key] = new List<string>(); listKey = key; }
            else if (val.StartsWith('[') && val.EndsWith(']'))
            {
                cur[key] = val[1..^1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Unquote).ToList();
                listKey = null;
            }
            else { cur[key] = Unquote(val); listKey = null; }
        }
        Flush();
        return f;
    }

    static string Unquote(string s)
    {
        s = s.Trim();
        return s.Length >= 2 && (s[0] == '"' && s[^1] == '"' || s[0] == '\'' && s[^1] == '\'') ? s[1..^1] : s;
    }

    public IEnumerable<Entry> Expired(DateTime now) => Entries.Where(e => e.ExpiresAt is { } d && d <= now);
    IEnumerable<Entry> Active(DateTime now) => Entries.Where(e => e.ExpiresAt is not { } d || d > now);

    public bool Suppresses(DockOpt.Vulnerability v, string? path, DateTime now)
    {
        var hit = false;
        foreach (var e in Active(now))
        {
            if (e.Section is not ("" or "vulnerabilities")) continue;
            if (e.Id != v.Id && !v.Aliases.Contains(e.Id)) continue;
            if (e.Purls.Count > 0 && !e.Purls.Any(p => PurlMatches(p, v.Purl))) continue;
            if (e.Paths.Count > 0 && (path == null || !e.Paths.Any(p => Glob(p, path)))) continue;
            e.Used = true;
            hit = true;
        }
        return hit;
    }

    public bool Suppresses(DockOpt.SecurityFinding f, DateTime now)
    {
        var hit = false;
        var section = f.Kind == "Secret" ? "secrets" : "misconfigurations";
        foreach (var e in Active(now))
        {
            if (e.Section.Length > 0 && e.Section != section) continue;
            if (!string.Equals(e.Id, f.RuleId, StringComparison.OrdinalIgnoreCase)) continue;
            if (e.Paths.Count > 0 && !e.Paths.Any(p => Glob(p, f.Location.TrimStart('/')))) continue;
            e.Used = true;
            hit = true;
        }
        return hit;
    }

    /// <summary>Active entries that matched nothing.</summary>
    public IEnumerable<Entry> Stale(DateTime now) => Active(now).Where(e => !e.Used);

    /// <summary>A versionless purl matches every version of the package.</summary>
    static bool PurlMatches(string pattern, string purl)
    {
        if (pattern == purl) return true;
        static string Strip(string p) { var q = p.IndexOfAny(new[] { '?', '#' }); return q >= 0 ? p[..q] : p; }
        var pat = Strip(pattern);
        var pu = Strip(purl);
        return !pat.Contains('@') && (pu == pat || pu.StartsWith(pat + "@", StringComparison.Ordinal));
    }

    /// <summary>Doublestar glob: ** spans directories, * does not.</summary>
    internal static bool Glob(string pattern, string path)
    {
        var rx = "^" + Regex.Escape(pattern.TrimStart('/')).Replace(@"\*\*/", "(.*/)?").Replace(@"\*\*", ".*").Replace(@"\*", "[^/]*").Replace(@"\?", "[^/]") + "$";
        return Regex.IsMatch(path.TrimStart('/'), rx);
    }
}
