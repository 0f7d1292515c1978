using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace DockOpt.Engine.Security.Packages;

/// <summary>
/// Java archives (jar, war, ear), nested archives included (Spring Boot BOOT-INF/lib, WEB-INF/lib): each archive is
/// identified by its META-INF/maven/**/pom.properties (every one it holds: shaded jars carry several), else by the
/// MANIFEST (Implementation-/Bundle- headers), else by the file name (name-version.jar). Licences come from the pom.xml beside
/// the pom.properties, or the manifest's Bundle-License.
/// </summary>
public static class JavaArchives
{
    const int MaxDepth = 4;
    static readonly Regex FileNameVersion = new(@"^(?<name>[A-Za-z0-9_.\-]+?)-(?<version>\d[A-Za-z0-9_.\-+]*?)(?:-(?:SNAPSHOT|sources|javadoc))?$", RegexOptions.CultureInvariant);

    public static bool IsArchivePath(string path) =>
        path.EndsWith(".jar", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".war", StringComparison.OrdinalIgnoreCase) ||
        path.EndsWith(".ear", StringComparison.OrdinalIgnoreCase);

    /// <summary>The packages of an archive; InnerPath is "" for the archive itself, else the nested path (levels joined by '!/').</summary>
    public static List<RawPackage> Parse(byte[] archive, string fileName)
    {
        var list = new List<RawPackage>();
        try { Walk(archive, Path.GetFileName(fileName), "", 0, list); }
        catch (InvalidDataException) { }
        return list;
    }

    static void Walk(byte[] bytes, string fileName, string inner, int depth, List<RawPackage> list)
    {
        using var zip = new ZipArchive(new MemoryStream(bytes, false), ZipArchiveMode.Read);
        var poms = new List<RawPackage>();
        string? manifest = null;
        var entries = zip.Entries.OrderBy(e => e.FullName, StringComparer.Ordinal).ToList();
        var byName = entries.GroupBy(e => e.FullName, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var n = e.FullName;
            if (n.StartsWith("META-INF/maven/", StringComparison.Ordinal) && n.EndsWith("/pom.properties", StringComparison.Ordinal))
            {
                var props = ReadProperties(Read(e));
                if (props.TryGetValue("groupId", out var g) && props.TryGetValue("artifactId", out var a) && props.TryGetValue("version", out var v) && a.Length > 0 && v.Length > 0)
                {
                    var license = byName.TryGetValue(n[..^"pom.properties".Length] + "pom.xml", out var pomXml) ? PomLicense(Read(pomXml)) : "";
                    poms.Add(new RawPackage("maven", g + ":" + a, v) { Namespace = g, License = license, InnerPath = inner });
                }
            }
            else if (n == "META-INF/MANIFEST.MF") manifest = Encoding.UTF8.GetString(Read(e));
        }
        if (poms.Count > 0) list.AddRange(poms);
        else if (manifest != null && FromManifest(manifest, inner) is { } m) list.Add(m);
        else if (FromFileName(fileName, inner) is { } f) list.Add(f);

        if (depth >= MaxDepth) return;
        foreach (var e in entries)
        {
            if (!IsArchivePath(e.FullName) || e.Length == 0 || e.Length > 512L * 1024 * 1024) continue;
            var nested = Read(e);
            try { Walk(nested, Path.GetFileName(e.FullName), (inner.Length > 0 ? inner + "!/" : "") + e.FullName, depth + 1, list); }
            catch (InvalidDataException) { }
        }
    }

    static byte[] Read(ZipArchiveEntry e)
    {
        using var s = e.Open();
        var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    static Dictionary<string, string> ReadProperties(byte[] data)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in Encoding.UTF8.GetString(data).Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or '!') continue;
            var i = line.IndexOfAny(new[] { '=', ':' });
            if (i <= 0) continue;
            d[line[..i].Trim()] = line[(i + 1)..].Trim();
        }
        return d;
    }

    /// <summary>The licence names of a pom.xml (SPDX ids where known), joined with " AND " (Maven lists the licences that all apply).</summary>
    internal static string PomLicense(byte[] pom)
    {
        try
        {
            var doc = XDocument.Parse(Encoding.UTF8.GetString(pom));
            var names = doc.Descendants().Where(x => x.Name.LocalName == "license")
                .Select(l => l.Elements().FirstOrDefault(c => c.Name.LocalName == "name")?.Value.Trim() ?? "")
                .Where(s => s.Length > 0).Distinct().ToList();
            return string.Join(" AND ", names.Select(Licenses.Normalize));
        }
        catch (System.Xml.XmlException) { return ""; }
    }

    static RawPackage? FromManifest(string text, string inner)
    {
        var h = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? last = null;
        foreach (var raw in text.Replace("\r", "").Split('\n'))
        {
            if (raw.StartsWith(' ') && last != null) { h[last] += raw[1..]; continue; }
            var i = raw.IndexOf(':');
            if (i <= 0) { last = null; continue; }
            last = raw[..i].Trim();
            h.TryAdd(last, raw[(i + 1)..].Trim());
        }
        string Get(params string[] keys) => keys.Select(k => h.GetValueOrDefault(k, "")).FirstOrDefault(v => v.Length > 0) ?? "";
        var title = Get("Implementation-Title", "Bundle-SymbolicName", "Specification-Title");
        var version = Get("Implementation-Version", "Bundle-Version", "Specification-Version");
        if (title.Length == 0 || version.Length == 0) return null;
        title = title.Split(';')[0].Trim(); // Bundle-SymbolicName: x.y;singleton:=true
        var group = Get("Implementation-Vendor-Id");
        var license = Get("Bundle-License").Split(';')[0].Trim();
        return new RawPackage("maven", group.Length > 0 ? group + ":" + title : title, version)
        { Namespace = group, License = license.StartsWith("http", StringComparison.OrdinalIgnoreCase) ? license : Licenses.Normalize(license), InnerPath = inner };
    }

    static RawPackage? FromFileName(string fileName, string inner)
    {
        var stem = Path.GetFileNameWithoutExtension(fileName);
        var m = FileNameVersion.Match(stem);
        return m.Success ? new RawPackage("maven", m.Groups["name"].Value, m.Groups["version"].Value) { InnerPath = inner } : null;
    }
}
