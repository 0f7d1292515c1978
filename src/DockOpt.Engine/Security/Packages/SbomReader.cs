using System.Text.Json;

namespace DockOpt.Engine.Security.Packages;

/// <summary>
/// Reads the packages of an existing SBOM — CycloneDX JSON (components, nested components included) or SPDX 2.x JSON
/// (packages with a purl external reference) — into the form a scan matches: type, name, version and OSV ecosystem
/// derived from each purl (distro qualifiers give the OS release: deb distro=debian-12, apk distro=3.20.3,
/// rpm distro=rhel-9.4 and epoch=).
/// </summary>
public static class SbomReader
{
    public static ImageScanResult Read(string path)
    {
        if (!File.Exists(path))
            throw new DockOptException(ErrorIds.SbomNotFound, DockOptErrorCategory.ObjectNotFound, $"The SBOM '{path}' does not exist.", path, "Check the path of the SBOM file given to -Sbom.");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(Dockerfiles.SourceFile.ReadBytes(path, "SBOM"), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }); }
        catch (JsonException e)
        {
            throw new DockOptException(ErrorIds.SbomFormatUnknown, DockOptErrorCategory.InvalidData, $"The SBOM '{path}' is not JSON: {e.Message}", path,
                "Give a CycloneDX JSON or SPDX 2.x JSON document.", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && Str(root, "bomFormat") == "CycloneDX") return CycloneDx(root, path);
            if (root.ValueKind == JsonValueKind.Object && Str(root, "spdxVersion").StartsWith("SPDX-2", StringComparison.Ordinal)) return Spdx(root, path);
            throw new DockOptException(ErrorIds.SbomFormatUnknown, DockOptErrorCategory.InvalidData,
                $"'{path}' is neither a CycloneDX JSON document (bomFormat) nor an SPDX 2.x JSON document (spdxVersion).", path,
                "Give a CycloneDX JSON or SPDX 2.x JSON document, e.g. one written by -SbomPath or by syft.");
        }
    }

    static string Str(JsonElement e, string p) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(p, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    static ImageScanResult CycloneDx(JsonElement root, string path)
    {
        var meta = root.TryGetProperty("metadata", out var m) ? m : default;
        var comp = meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("component", out var c) ? c : default;
        var r = new ImageScanResult { Image = Str(comp, "name") is { Length: > 0 } n ? n : Path.GetFileName(path), ImageId = Str(comp, "version") };
        void Walk(JsonElement arr)
        {
            if (arr.ValueKind != JsonValueKind.Array) return;
            foreach (var x in arr.EnumerateArray())
            {
                var type = Str(x, "type");
                if (type == "operating-system") { r.OsId = Str(x, "name").ToLowerInvariant(); r.OsVersionId = Str(x, "version"); }
                else if (type != "container") Add(r, Str(x, "purl"), Str(x, "name"), Str(x, "version"), CdxLicense(x), path);
                if (x.TryGetProperty("components", out var sub)) Walk(sub);
            }
        }
        if (root.TryGetProperty("components", out var comps)) Walk(comps);
        return Finish(r);
    }

    static string CdxLicense(JsonElement x)
    {
        if (!x.TryGetProperty("licenses", out var ls) || ls.ValueKind != JsonValueKind.Array) return "";
        var parts = new List<string>();
        foreach (var l in ls.EnumerateArray())
        {
            if (Str(l, "expression") is { Length: > 0 } e) parts.Add(e);
            else if (l.TryGetProperty("license", out var li)) parts.Add(Str(li, "id") is { Length: > 0 } id ? id : Str(li, "name"));
        }
        return string.Join(" AND ", parts.Where(p => p.Length > 0));
    }

    static ImageScanResult Spdx(JsonElement root, string path)
    {
        var r = new ImageScanResult { Image = Str(root, "name") is { Length: > 0 } n ? n : Path.GetFileName(path) };
        if (!root.TryGetProperty("packages", out var pkgs) || pkgs.ValueKind != JsonValueKind.Array) return r;
        foreach (var p in pkgs.EnumerateArray())
        {
            var purpose = Str(p, "primaryPackagePurpose");
            if (purpose == "OPERATING_SYSTEM") { r.OsId = Str(p, "name").ToLowerInvariant(); r.OsVersionId = Str(p, "versionInfo"); continue; }
            if (purpose == "CONTAINER") { r.ImageId = Str(p, "versionInfo"); continue; }
            var purl = "";
            if (p.TryGetProperty("externalRefs", out var refs) && refs.ValueKind == JsonValueKind.Array)
                purl = refs.EnumerateArray().Where(x => Str(x, "referenceType") == "purl").Select(x => Str(x, "referenceLocator")).FirstOrDefault() ?? "";
            if (purl.StartsWith("pkg:oci/", StringComparison.Ordinal)) { r.ImageId = Str(p, "versionInfo"); continue; }
            var lic = Str(p, "licenseDeclared");
            Add(r, purl, Str(p, "name"), Str(p, "versionInfo"), lic is "NOASSERTION" or "NONE" ? "" : lic, path);
        }
        return Finish(r);
    }

    static ImageScanResult Finish(ImageScanResult r)
    {
        r.Packages.Sort((a, b) => string.CompareOrdinal(a.Purl, b.Purl));
        return r;
    }

    static void Add(ImageScanResult r, string purl, string name, string version, string license, string path)
    {
        var p = new PackageInfo { Image = r.Image, Name = name, Version = version, Purl = purl, License = license, Path = Path.GetFileName(path), Type = "generic" };
        if (PackageUrl.Parse(purl) is { } u)
        {
            p.Type = u.Type;
            var ver = u.Version ?? version;
            p.Version = ver;
            var q = u.Qualifiers;
            p.Architecture = q.GetValueOrDefault("arch", "");
            switch (u.Type)
            {
                case "deb":
                    p.Name = u.Name;
                    var (did, dver) = Distro(q.GetValueOrDefault("distro", ""));
                    var vendor = (u.Namespace ?? did).ToLowerInvariant();
                    var major = dver.Split('.')[0];
                    p.Ecosystem = vendor == "ubuntu" ? (dver.Length > 0 ? "Ubuntu:" + dver : "Ubuntu") : "Debian" + (major.Length > 0 && major.All(char.IsAsciiDigit) ? ":" + major : "");
                    if (q.TryGetValue("upstream", out var up)) { p.SourceName = up.Split('@')[0]; p.SourceVersion = up.Contains('@') ? up[(up.IndexOf('@') + 1)..] : ver; }
                    break;
                case "apk":
                    p.Name = u.Name;
                    var d = q.GetValueOrDefault("distro", "");
                    var mm = string.Join('.', d.Split('-').Last().Split('.').Take(2));
                    p.Ecosystem = "Alpine" + (mm.Length > 0 && char.IsAsciiDigit(mm[0]) ? ":v" + mm : "");
                    break;
                case "rpm":
                    p.Name = u.Name;
                    var (rid, rver) = Distro(q.GetValueOrDefault("distro", ""));
                    var os = u.Namespace is { } ns && ns != "redhat" ? ns : rid.Length > 0 ? rid : "rhel";
                    if (os == "redhat") os = "rhel";
                    if (rid == "redhat") rid = "rhel";
                    p.Ecosystem = PackageUrl.RpmEcosystem(rid.Length > 0 ? rid : os, rver.Length > 0 ? rver : r.OsVersionId);
                    if (q.TryGetValue("epoch", out var ep) && ep.Length > 0 && !ver.Contains(':')) p.Version = ep + ":" + ver;
                    break;
                case "pypi": p.Name = u.Name; p.Ecosystem = "PyPI"; break;
                case "npm": p.Name = u.Namespace != null ? u.Namespace + "/" + u.Name : u.Name; p.Ecosystem = "npm"; break;
                case "nuget": p.Name = u.Name; p.Ecosystem = "NuGet"; break;
                case "golang": p.Name = u.Namespace != null ? u.Namespace + "/" + u.Name : u.Name; p.Ecosystem = "Go"; break;
                case "maven": p.Name = u.Namespace != null ? u.Namespace + ":" + u.Name : u.Name; p.Ecosystem = u.Namespace != null ? "Maven" : ""; break;
                case "gem": p.Name = u.Name; p.Ecosystem = "RubyGems"; break;
                case "composer": p.Name = u.Namespace != null ? u.Namespace + "/" + u.Name : u.Name; p.Ecosystem = "Packagist"; break;
                case "cargo": p.Name = u.Name; p.Ecosystem = "crates.io"; break;
                default: p.Name = name.Length > 0 ? name : u.Name; break;
            }
        }
        if (p.Name.Length == 0) return;
        r.Packages.Add(p);
    }

    /// <summary>"rhel-9.4" → ("rhel", "9.4"); "bookworm" → ("", ""); "3.20.3" → ("", "3.20.3").</summary>
    static (string Id, string Version) Distro(string d)
    {
        if (d.Length == 0) return ("", "");
        var i = d.LastIndexOf('-');
        if (i > 0 && i + 1 < d.Length && char.IsAsciiDigit(d[i + 1])) return (d[..i].ToLowerInvariant(), d[(i + 1)..]);
        return char.IsAsciiDigit(d[0]) ? ("", d) : ("", "");
    }
}
