using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.Security;

/// <summary>One package as read from a metadata file, before layer attribution.</summary>
public sealed record RawPackage(string Type, string Name, string Version, string SourceName = "", string SourceVersion = "", string Architecture = "")
{
    /// <summary>Licence as the metadata states it (an SPDX expression or free text), or empty.</summary>
    public string License { get; init; } = "";

    /// <summary>Vendor or supplier (rpm Vendor, dpkg Maintainer…), or empty.</summary>
    public string Vendor { get; init; } = "";

    /// <summary>rpm: the epoch (null when the header has none) and the version without epoch and release.</summary>
    public int? Epoch { get; init; }
    public string UpstreamVersion { get; init; } = "";
    public string Release { get; init; } = "";

    /// <summary>Maven group id (the purl namespace) and similar namespaces.</summary>
    public string Namespace { get; init; } = "";

    /// <summary>Where inside the metadata file the package was found (a path inside an archive, nested jars joined by '!').</summary>
    public string InnerPath { get; init; } = "";
}

/// <summary>Parsers of package databases and metadata files (dpkg, apk, Python, npm, .NET deps.json, Go build info).</summary>
public static class PackageParsers
{
    static readonly Regex DistInfoMetadata = new(@"(^|/)[^/]+\.dist-info/METADATA$", RegexOptions.CultureInvariant);
    static readonly Regex EggInfo = new(@"(^|/)[^/]+\.egg-info(/PKG-INFO)?$", RegexOptions.CultureInvariant);
    static readonly Regex NpmPackageJson = new(@"(^|/)node_modules/(@[^/]+/)?[^/@][^/]*/package\.json$", RegexOptions.CultureInvariant);

    /// <summary>What kind of package metadata a path holds, or null.</summary>
    public static string? Classify(string path)
    {
        if (Packages.DpkgDatabase.IsDatabasePath(path)) return "dpkg";
        if (path is "lib/apk/db/installed" or "usr/lib/apk/db/installed") return "apk";
        if (path.EndsWith("/METADATA", StringComparison.Ordinal) && DistInfoMetadata.IsMatch(path)) return "python";
        if (path.Contains(".egg-info", StringComparison.Ordinal) && EggInfo.IsMatch(path)) return "python";
        if (path.EndsWith("/package.json", StringComparison.Ordinal) && NpmPackageJson.IsMatch(path)) return "npm";
        if (path.EndsWith(".deps.json", StringComparison.Ordinal)) return "dotnet";
        if (Packages.RpmDatabase.IsDatabasePath(path)) return "rpm";
        if (path.StartsWith("usr/share/doc/", StringComparison.Ordinal) && path.EndsWith("/copyright", StringComparison.Ordinal) && path.Count(c => c == '/') == 4) return "dpkg-copyright";
        if (Packages.JavaArchives.IsArchivePath(path)) return "java";
        return Packages.LanguagePackages.Classify(path);
    }

    public static List<RawPackage> Parse(string kind, byte[] content) => kind switch
    {
        "dpkg" => Packages.DpkgDatabase.Parse(Encoding.UTF8.GetString(content)),
        "apk" => ParseApk(Encoding.UTF8.GetString(content)),
        "python" => ParsePythonMetadata(Encoding.UTF8.GetString(content)),
        "npm" => ParseNpm(content),
        "dotnet" => ParseDepsJson(content),
        "go" => GoBuildInfo.Parse(content),
        "rpm" => ParseRpm(content),
        "dpkg-copyright" => new List<RawPackage> { new("license", "", "") { License = ParseDebianCopyright(Encoding.UTF8.GetString(content)) } },
        "java" => Packages.JavaArchives.Parse(content, ""),
        "gem" or "composer" or "npm-lock" or "yarn-lock" or "pnpm-lock" => Packages.LanguagePackages.Parse(kind, content),
        _ => new List<RawPackage>(),
    };

    /// <summary>An rpm database (SQLite, Berkeley DB hash or ndb); throws InvalidDataException when it cannot be read.</summary>
    public static List<RawPackage> ParseRpm(byte[] content, byte[]? wal = null) =>
        Packages.RpmDatabase.Read(content, wal).Select(p =>
        {
            var (srcName, srcVersion) = p.Source;
            return new RawPackage("rpm", p.Name, p.Evr, srcName, srcVersion.Length > 0 && p.Epoch is { } e ? e + ":" + srcVersion : srcVersion, p.Arch)
            {
                License = p.License, Vendor = p.Vendor, Epoch = p.Epoch, UpstreamVersion = p.Version, Release = p.Release,
            };
        }).ToList();

    static IEnumerable<Dictionary<string, string>> Stanzas(string text)
    {
        var cur = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? last = null;
        foreach (var raw in text.Replace("\r", "").Split('\n'))
        {
            if (raw.Length == 0)
            {
                if (cur.Count > 0) yield return cur;
                cur = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                last = null;
                continue;
            }
            if ((raw[0] == ' ' || raw[0] == '\t') && last != null) continue; // continuation lines (Description, Conffiles)
            var c = raw.IndexOf(':');
            if (c <= 0) continue;
            last = raw[..c];
            cur[last] = raw[(c + 1)..].Trim();
        }
        if (cur.Count > 0) yield return cur;
    }

    /// <summary>dpkg status (or a status.d file): every stanza whose state is not not-installed/config-files.</summary>
    public static List<RawPackage> ParseDpkg(string text)
    {
        var list = new List<RawPackage>();
        foreach (var s in Stanzas(text))
        {
            if (!s.TryGetValue("Package", out var name) || !s.TryGetValue("Version", out var version)) continue;
            if (s.TryGetValue("Status", out var status))
            {
                var state = status.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
                if (state is "not-installed" or "config-files") continue;
            }
            var src = "";
            var srcVersion = "";
            if (s.TryGetValue("Source", out var source))
            {
                // "Source: name (version)" when the source version differs from the binary version
                var m = Regex.Match(source, @"^(\S+)(?:\s+\(([^)]+)\))?");
                src = m.Groups[1].Value;
                srcVersion = m.Groups[2].Success ? m.Groups[2].Value : version;
            }
            list.Add(new RawPackage("deb", name, version, src, srcVersion, s.TryGetValue("Architecture", out var a) ? a : ""));
        }
        return list;
    }

    /// <summary>apk installed database: P (name), V (version), A (arch), o (origin).</summary>
    public static List<RawPackage> ParseApk(string text)
    {
        var list = new List<RawPackage>();
        string? p = null, v = null, a = null, o = null;
        void Flush()
        {
            if (p != null && v != null) list.Add(new RawPackage("apk", p, v, o ?? "", o != null ? v : "", a ?? ""));
            p = v = a = o = null;
        }
        foreach (var raw in text.Replace("\r", "").Split('\n'))
        {
            if (raw.Length == 0) { Flush(); continue; }
            if (raw.Length < 2 || raw[1] != ':') continue;
            var val = raw[2..];
            switch (raw[0])
            {
                case 'P': p = val; break;
                case 'V': v = val; break;
                case 'A': a = val; break;
                case 'o': o = val; break;
            }
        }
        Flush();
        return list;
    }

    /// <summary>Python core metadata (METADATA / PKG-INFO): Name and Version headers.</summary>
    public static List<RawPackage> ParsePythonMetadata(string text)
    {
        string? name = null, version = null, expression = null, license = null;
        var classifiers = new List<string>();
        foreach (var line in text.Replace("\r", "").Split('\n'))
        {
            if (line.Length == 0) break; // headers end at the first blank line
            if (line.StartsWith("Name:", StringComparison.OrdinalIgnoreCase)) name ??= line[5..].Trim();
            else if (line.StartsWith("Version:", StringComparison.OrdinalIgnoreCase)) version ??= line[8..].Trim();
            else if (line.StartsWith("License-Expression:", StringComparison.OrdinalIgnoreCase)) expression ??= line[19..].Trim();
            else if (line.StartsWith("License:", StringComparison.OrdinalIgnoreCase)) license ??= line[8..].Trim();
            else if (line.StartsWith("Classifier: License :: ", StringComparison.OrdinalIgnoreCase)) classifiers.Add(line[(line.LastIndexOf("::", StringComparison.Ordinal) + 2)..].Trim());
        }
        if (name == null || version == null) return new List<RawPackage>();
        // PEP 639 License-Expression; else a short License field; else the trove classifiers (alternatives).
        var lic = expression ?? "";
        if (lic.Length == 0 && license is { Length: > 0 and <= 100 } && !license.Equals("UNKNOWN", StringComparison.OrdinalIgnoreCase)) lic = Packages.Licenses.Normalize(license);
        if (lic.Length == 0 && classifiers.Count > 0)
        {
            var c = classifiers.Where(x => x != "OSI Approved").Select(Packages.Licenses.Normalize).Distinct().ToList();
            lic = c.Count > 1 && c.All(Packages.Licenses.IsSpdxExpression) ? string.Join(" OR ", c) : string.Join(", ", c);
        }
        return new List<RawPackage> { new("pypi", name, version) { License = lic } };
    }

    /// <summary>
    /// A Debian copyright file (usr/share/doc/PACKAGE/copyright): the licence short names of a machine-readable (DEP-5)
    /// file mapped to SPDX ids where they correspond, joined with AND; empty for free-form files.
    /// </summary>
    public static string ParseDebianCopyright(string text)
    {
        var names = new List<string>();
        foreach (var line in text.Replace("\r", "").Split('\n'))
        {
            if (!line.StartsWith("License:", StringComparison.Ordinal)) continue;
            var v = line[8..].Trim();
            if (v.Length == 0) continue;
            foreach (var part in System.Text.RegularExpressions.Regex.Split(v, @"\s+(?:or|and|,)\s+|\s*,\s*|\s+\|\s+", System.Text.RegularExpressions.RegexOptions.IgnoreCase))
            {
                var id = DebianLicense(part.Trim());
                if (id.Length > 0 && !names.Contains(id)) names.Add(id);
            }
        }
        if (names.Count == 0) return "";
        return names.All(Packages.Licenses.IsSpdxExpression) ? string.Join(" AND ", names.Select(n => n.Contains(' ') ? "(" + n + ")" : n)) : string.Join(", ", names);
    }

    static string DebianLicense(string s)
    {
        if (s.Length == 0) return "";
        var m = System.Text.RegularExpressions.Regex.Match(s, @"^(L?GPL|AGPL|GFDL)-(\d(?:\.\d)?)(\+)?$", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        if (m.Success)
        {
            var ver = m.Groups[2].Value.Contains('.') ? m.Groups[2].Value : m.Groups[2].Value + ".0";
            return m.Groups[1].Value.ToUpperInvariant() + "-" + ver + (m.Groups[3].Success ? "-or-later" : "-only");
        }
        return s.ToLowerInvariant() switch
        {
            "expat" => "MIT",
            "bsd-2-clause" => "BSD-2-Clause",
            "bsd-3-clause" => "BSD-3-Clause",
            "bsd-4-clause" => "BSD-4-Clause",
            "apache-2.0" or "apache-2" => "Apache-2.0",
            "artistic" or "artistic-1" => "Artistic-1.0",
            "artistic-2.0" => "Artistic-2.0",
            "public-domain" => "LicenseRef-Public-Domain",
            "zlib" => "Zlib",
            "isc" => "ISC",
            "mit" => "MIT",
            "mpl-2.0" => "MPL-2.0",
            "psf-2" => "PSF-2.0",
            _ => Packages.Licenses.Normalize(s),
        };
    }

    public static List<RawPackage> ParseNpm(byte[] content)
    {
        try
        {
            using var doc = JsonDocument.Parse(content, new JsonDocumentOptions { AllowTrailingCommas = true });
            var r = doc.RootElement;
            if (r.ValueKind == JsonValueKind.Object && r.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String &&
                r.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String)
                return new List<RawPackage> { new("npm", n.GetString()!, v.GetString()!) { License = NpmLicense(r) } };
        }
        catch (JsonException) { }
        return new List<RawPackage>();
    }

    /// <summary>package.json "license" (a string, or the old {"type": …} object) or the old "licenses" array (alternatives).</summary>
    static string NpmLicense(JsonElement r)
    {
        static string One(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString()! :
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
        if (r.TryGetProperty("license", out var l)) return Packages.Licenses.Normalize(One(l));
        if (r.TryGetProperty("licenses", out var ls) && ls.ValueKind == JsonValueKind.Array)
        {
            var all = ls.EnumerateArray().Select(One).Where(x => x.Length > 0).Select(Packages.Licenses.Normalize).ToList();
            return all.Count > 1 && all.All(Packages.Licenses.IsSpdxExpression) ? string.Join(" OR ", all) : string.Join(", ", all);
        }
        return "";
    }

    /// <summary>.NET *.deps.json: libraries of type "package" ("Name/Version").</summary>
    public static List<RawPackage> ParseDepsJson(byte[] content)
    {
        var list = new List<RawPackage>();
        try
        {
            using var doc = JsonDocument.Parse(content, new JsonDocumentOptions { AllowTrailingCommas = true });
            if (!doc.RootElement.TryGetProperty("libraries", out var libs) || libs.ValueKind != JsonValueKind.Object) return list;
            foreach (var lib in libs.EnumerateObject())
            {
                if (lib.Value.ValueKind != JsonValueKind.Object || !lib.Value.TryGetProperty("type", out var t) || t.GetString() != "package") continue;
                var slash = lib.Name.IndexOf('/');
                if (slash <= 0) continue;
                list.Add(new RawPackage("nuget", lib.Name[..slash], lib.Name[(slash + 1)..]));
            }
        }
        catch (JsonException) { }
        return list;
    }
}

/// <summary>Go build information embedded in binaries (the ".go.buildinfo" blob, inline format of Go 1.18+).</summary>
public static class GoBuildInfo
{

    public static bool IsElf(ReadOnlySpan<byte> head) => head.Length >= 4 && head[0] == 0x7f && head[1] == (byte)'E' && head[2] == (byte)'L' && head[3] == (byte)'F';

    /// <summary>The Go version (as the "stdlib" module), the main module and its dependencies; empty when not a Go binary or not inline format.</summary>
    public static List<RawPackage> Parse(byte[] data)
    {
        var list = new List<RawPackage>();
        var magic = new byte[] { 0xff, 0x20, 0x47, 0x6f, 0x20, 0x62, 0x75, 0x69, 0x6c, 0x64, 0x69, 0x6e, 0x66, 0x3a };
        var span = data.AsSpan();
        var at = span.IndexOf(magic);
        // The blob is 16-byte aligned; skip stray occurrences.
        while (at >= 0 && at % 16 != 0)
        {
            var next = span[(at + 1)..].IndexOf(magic);
            at = next < 0 ? -1 : at + 1 + next;
        }
        if (at < 0 || at + 32 > data.Length) return list;
        var flags = data[at + 15];
        if ((flags & 2) == 0) return list; // pre-1.18 pointer format: not read
        var pos = at + 32;
        var gv = ReadBytes(data, ref pos);
        var mi = ReadBytes(data, ref pos);
        if (gv == null) return list;
        var goVersion = Encoding.UTF8.GetString(gv);
        string? modinfo = null;
        if (mi != null && mi.Length >= 33) modinfo = Encoding.UTF8.GetString(mi, 16, mi.Length - 32); // 16-byte sentinels around the text
        if (!goVersion.StartsWith("go", StringComparison.Ordinal)) return list;
        list.Add(new RawPackage("golang", "stdlib", goVersion.StartsWith("go", StringComparison.Ordinal) ? "v" + goVersion[2..] : goVersion));
        if (modinfo == null) return list;
        foreach (var line in modinfo.Split('\n'))
        {
            var f = line.Split('\t');
            if (f.Length >= 3 && (f[0] == "mod" || f[0] == "dep") && f[2].Length > 0 && f[2] != "(devel)")
                list.Add(new RawPackage("golang", f[1], f[2]));
        }
        return list;
    }

    static byte[]? ReadBytes(byte[] d, ref int pos)
    {
        ulong len = 0;
        var shift = 0;
        while (pos < d.Length)
        {
            var b = d[pos++];
            len |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) break;
            shift += 7;
            if (shift > 35) return null;
        }
        if (len > (ulong)(d.Length - pos)) return null;
        var s = d.AsSpan(pos, (int)len).ToArray();
        pos += (int)len;
        return s;
    }
}
