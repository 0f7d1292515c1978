using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.Security.Packages;

/// <summary>Ruby gemspecs, PHP composer installed.json, and Node lock files (package-lock.json, yarn.lock, pnpm-lock.yaml).</summary>
public static class LanguagePackages
{
    static readonly Regex GemspecPath = new(@"(^|/)specifications/[^/]+\.gemspec$", RegexOptions.CultureInvariant);

    /// <summary>"gem", "composer", "npm-lock", "yarn-lock", "pnpm-lock" or null.</summary>
    public static string? Classify(string path)
    {
        if (path.EndsWith(".gemspec", StringComparison.Ordinal) && GemspecPath.IsMatch(path)) return "gem";
        if (path.EndsWith("/composer/installed.json", StringComparison.Ordinal) || path == "composer/installed.json") return "composer";
        if (path.Contains("/node_modules/", StringComparison.Ordinal) || path.StartsWith("node_modules/", StringComparison.Ordinal)) return null;
        var file = path[(path.LastIndexOf('/') + 1)..];
        return file switch
        {
            "package-lock.json" or "npm-shrinkwrap.json" => "npm-lock",
            "yarn.lock" => "yarn-lock",
            "pnpm-lock.yaml" => "pnpm-lock",
            _ => null,
        };
    }

    public static List<RawPackage> Parse(string kind, byte[] content) => kind switch
    {
        "gem" => ParseGemspec(Encoding.UTF8.GetString(content)),
        "composer" => ParseComposerInstalled(content),
        "npm-lock" => ParsePackageLock(content),
        "yarn-lock" => ParseYarnLock(Encoding.UTF8.GetString(content)),
        "pnpm-lock" => ParsePnpmLock(Encoding.UTF8.GetString(content)),
        _ => new List<RawPackage>(),
    };

    static readonly Regex GemName = new(@"^\s*\w+\.name\s*=\s*[""']([^""']+)[""']", RegexOptions.Multiline | RegexOptions.CultureInvariant);
    static readonly Regex GemVersion = new(@"^\s*\w+\.version\s*=\s*(?:Gem::Version\.new\(\s*)?[""']([^""']+)[""']", RegexOptions.Multiline | RegexOptions.CultureInvariant);
    static readonly Regex GemLicenses = new(@"^\s*\w+\.licenses?\s*=\s*(\[[^\]]*\]|[""'][^""']*[""'])", RegexOptions.Multiline | RegexOptions.CultureInvariant);
    static readonly Regex GemAuthors = new(@"^\s*\w+\.authors?\s*=\s*(\[[^\]]*\]|[""'][^""']*[""'])", RegexOptions.Multiline | RegexOptions.CultureInvariant);
    static readonly Regex Quoted = new(@"[""']([^""']*)[""']", RegexOptions.CultureInvariant);

    /// <summary>An installed gem's specification (specifications/NAME-VERSION.gemspec, written by RubyGems).</summary>
    public static List<RawPackage> ParseGemspec(string text)
    {
        var n = GemName.Match(text);
        var v = GemVersion.Match(text);
        if (!n.Success || !v.Success) return new List<RawPackage>();
        var lic = GemLicenses.Match(text);
        var licenses = lic.Success ? Quoted.Matches(lic.Groups[1].Value).Select(m => Licenses.Normalize(m.Groups[1].Value)).Where(s => s.Length > 0).ToList() : new List<string>();
        var authors = GemAuthors.Match(text);
        return new List<RawPackage>
        {
            new("gem", n.Groups[1].Value, v.Groups[1].Value)
            {
                License = Join(licenses, " OR "), // RubyGems: "licenses" lists alternatives the user may choose from
                Vendor = authors.Success ? string.Join(", ", Quoted.Matches(authors.Groups[1].Value).Select(m => m.Groups[1].Value)) : "",
            },
        };
    }

    static string Join(List<string> licenses, string op) =>
        licenses.Count <= 1 ? licenses.FirstOrDefault() ?? "" :
        licenses.All(Licenses.IsSpdxExpression) ? string.Join(" " + op.Trim() + " ", licenses.Select(l => l.Contains(' ') ? "(" + l + ")" : l)) : string.Join(", ", licenses);

    /// <summary>vendor/composer/installed.json: Composer 1 (an array) and Composer 2 ({"packages": [...]}).</summary>
    public static List<RawPackage> ParseComposerInstalled(byte[] content)
    {
        var list = new List<RawPackage>();
        try
        {
            using var doc = JsonDocument.Parse(content, new JsonDocumentOptions { AllowTrailingCommas = true });
            var root = doc.RootElement;
            var pkgs = root.ValueKind == JsonValueKind.Array ? root : root.ValueKind == JsonValueKind.Object && root.TryGetProperty("packages", out var p) ? p : default;
            if (pkgs.ValueKind != JsonValueKind.Array) return list;
            foreach (var e in pkgs.EnumerateArray())
            {
                var name = Str(e, "name");
                var version = Str(e, "version");
                if (name.Length == 0 || version.Length == 0) continue;
                var lic = e.TryGetProperty("license", out var l) && l.ValueKind == JsonValueKind.Array
                    ? l.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => Licenses.Normalize(x.GetString()!)).ToList() : new List<string>();
                var ns = name.Contains('/') ? name[..name.IndexOf('/')] : "";
                list.Add(new RawPackage("composer", name, version) { License = Join(lic, " OR "), Namespace = ns });
            }
        }
        catch (JsonException) { }
        return list;
    }

    static string Str(JsonElement e, string p) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(p, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    /// <summary>package-lock.json / npm-shrinkwrap.json: lockfileVersion 2/3 "packages" (keys node_modules/…), else v1 "dependencies".</summary>
    public static List<RawPackage> ParsePackageLock(byte[] content)
    {
        var list = new List<RawPackage>();
        try
        {
            using var doc = JsonDocument.Parse(content, new JsonDocumentOptions { AllowTrailingCommas = true });
            var root = doc.RootElement;
            if (root.TryGetProperty("packages", out var pkgs) && pkgs.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in pkgs.EnumerateObject())
                {
                    var i = p.Name.LastIndexOf("node_modules/", StringComparison.Ordinal);
                    if (i < 0 || p.Value.ValueKind != JsonValueKind.Object) continue; // "" is the project itself; workspaces are linked folders
                    if (p.Value.TryGetProperty("link", out var link) && link.ValueKind == JsonValueKind.True) continue;
                    var name = Str(p.Value, "name");
                    if (name.Length == 0) name = p.Name[(i + "node_modules/".Length)..];
                    var version = Str(p.Value, "version");
                    if (version.Length == 0) continue;
                    list.Add(new RawPackage("npm", name, version) { License = Licenses.Normalize(Str(p.Value, "license")), InnerPath = p.Name });
                }
            }
            else if (root.TryGetProperty("dependencies", out var deps) && deps.ValueKind == JsonValueKind.Object)
                V1(deps, list, "");
        }
        catch (JsonException) { }
        return list;

        static void V1(JsonElement deps, List<RawPackage> list, string prefix)
        {
            foreach (var d in deps.EnumerateObject())
            {
                if (d.Value.ValueKind != JsonValueKind.Object) continue;
                var version = Str(d.Value, "version");
                var path = prefix + "node_modules/" + d.Name;
                if (version.Length > 0 && !version.StartsWith("file:", StringComparison.Ordinal)) list.Add(new RawPackage("npm", d.Name, version) { InnerPath = path });
                if (d.Value.TryGetProperty("dependencies", out var sub) && sub.ValueKind == JsonValueKind.Object) V1(sub, list, path + "/");
            }
        }
    }

    /// <summary>yarn.lock, classic (v1: <c>name@range:</c> then <c>  version "x"</c>) and berry (<c>"name@npm:range":</c> then <c>  version: x</c>).</summary>
    public static List<RawPackage> ParseYarnLock(string text)
    {
        var list = new List<RawPackage>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? name = null;
        foreach (var raw in text.Replace("\r", "").Split('\n'))
        {
            if (raw.Length == 0 || raw.StartsWith('#')) continue;
            if (!char.IsWhiteSpace(raw[0]))
            {
                name = null;
                if (!raw.EndsWith(':')) continue;
                var first = raw[..^1].Split(',')[0].Trim().Trim('"');
                if (first == "__metadata") continue;
                var at = first.IndexOf('@', first.StartsWith('@') ? 1 : 0);
                if (at <= 0) continue;
                var range = first[(at + 1)..];
                if (range.StartsWith("workspace:", StringComparison.Ordinal) || range.StartsWith("link:", StringComparison.Ordinal) || range.StartsWith("portal:", StringComparison.Ordinal)) continue;
                name = first[..at];
                continue;
            }
            var line = raw.Trim();
            if (name != null && line.StartsWith("version", StringComparison.Ordinal))
            {
                var v = line["version".Length..].TrimStart(':', ' ').Trim().Trim('"');
                if (v.Length > 0 && !v.Contains("use.local", StringComparison.Ordinal) && seen.Add(name + "@" + v)) list.Add(new RawPackage("npm", name, v));
                name = null;
            }
        }
        return list;
    }

    /// <summary>pnpm-lock.yaml "packages:" keys: v5 <c>/name/1.2.3</c>, v6 <c>/name@1.2.3</c>, v9 <c>name@1.2.3</c> (peer suffixes in parentheses dropped).</summary>
    public static List<RawPackage> ParsePnpmLock(string text)
    {
        var list = new List<RawPackage>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var inPackages = false;
        foreach (var raw in text.Replace("\r", "").Split('\n'))
        {
            if (raw.Length == 0) continue;
            if (!char.IsWhiteSpace(raw[0])) { inPackages = raw.TrimEnd() == "packages:"; continue; }
            if (!inPackages || raw.Length < 3 || raw[2] == ' ' || !raw.TrimEnd().EndsWith(':')) continue; // keys are indented by exactly two
            var key = raw.Trim()[..^1].Trim().Trim('\'', '"');
            var paren = key.IndexOf('(');
            if (paren > 0) key = key[..paren];
            var us = key.IndexOf('_');
            key = key.TrimStart('/');
            string name, version;
            var at = key.IndexOf('@', key.StartsWith('@') ? 1 : 0);
            if (at > 0) { name = key[..at]; version = key[(at + 1)..]; }
            else
            {
                var slash = key.LastIndexOf('/');
                if (slash <= 0) continue;
                name = key[..slash]; version = key[(slash + 1)..];
                if (us > 0 && version.Contains('_')) version = version[..version.IndexOf('_')];
            }
            if (version.Length == 0 || !char.IsAsciiDigit(version[0])) continue;
            if (seen.Add(name + "@" + version)) list.Add(new RawPackage("npm", name, version));
        }
        return list;
    }
}
