using System.IO.Compression;
using System.Text.Json;

namespace DockOpt.Engine.Security;

/// <summary>OSV-format advisory records (ossf/osv-schema) loaded from a folder or a zip, matched against packages.</summary>
public sealed class OsvDatabase
{
    public sealed record Event(string Kind, string Version);
    public sealed record Range(string Type, List<Event> Events);
    public sealed record Affected(string Ecosystem, string Name, List<Range> Ranges, List<string> Versions, string? Severity);
    public sealed record Record(string Id, string[] Aliases, string Summary, string Severity, List<Affected> Affected, string SourceFile, bool Withdrawn);

    readonly Dictionary<string, List<(Record Rec, Affected Aff)>> _byName = new(StringComparer.Ordinal);

    public int RecordCount { get; private set; }
    public string Source { get; }

    OsvDatabase(string source) => Source = source;

    /// <summary>Loads every *.json record under a folder (recursive) or inside a zip (OSV all.zip layout).</summary>
    public static OsvDatabase Load(string path)
    {
        var db = new OsvDatabase(path);
        if (Directory.Exists(path))
        {
            foreach (var f in Directory.EnumerateFiles(path, "*.json", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal))
            {
                using var s = File.OpenRead(f);
                db.Add(s, Path.GetRelativePath(path, f));
            }
        }
        else if (File.Exists(path) && path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var e in zip.Entries.Where(e => e.FullName.EndsWith(".json", StringComparison.OrdinalIgnoreCase)).OrderBy(e => e.FullName, StringComparer.Ordinal))
            {
                using var s = e.Open();
                db.Add(s, e.FullName);
            }
        }
        else if (File.Exists(path) && path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            using var s = File.OpenRead(path);
            db.Add(s, Path.GetFileName(path));
        }
        else
        {
            throw new DockOptException("VulnerabilityDatabaseNotFound", DockOptErrorCategory.ObjectNotFound,
                $"The vulnerability database '{path}' is not a folder, a .zip or a .json file of OSV records.", path,
                "Give a folder of OSV JSON records or an OSV zip (for example an ecosystem's all.zip).");
        }
        return db;
    }

    void Add(Stream s, string name)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(s, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }); }
        catch (JsonException e)
        {
            throw new DockOptException("VulnerabilityRecordInvalid", DockOptErrorCategory.InvalidData,
                $"OSV record '{name}' in '{Source}' is not valid JSON: {e.Message}", name, "Fix or remove the file.", e);
        }
        using (doc)
        {
            var roots = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement.EnumerateArray().ToList() : new List<JsonElement> { doc.RootElement };
            foreach (var r in roots)
            {
                var rec = Parse(r, name);
                if (rec == null || rec.Withdrawn) continue;
                RecordCount++;
                foreach (var a in rec.Affected)
                {
                    var key = Key(a.Ecosystem, a.Name);
                    if (!_byName.TryGetValue(key, out var list)) _byName[key] = list = new();
                    list.Add((rec, a));
                }
            }
        }
    }

    static string Str(JsonElement e, string prop) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(prop, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    static Record? Parse(JsonElement r, string file)
    {
        var id = Str(r, "id");
        if (id.Length == 0) return null;
        var aliases = r.TryGetProperty("aliases", out var al) && al.ValueKind == JsonValueKind.Array
            ? al.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToArray() : Array.Empty<string>();
        var recSeverity = SeverityOf(r);
        var affected = new List<Affected>();
        if (r.TryGetProperty("affected", out var aff) && aff.ValueKind == JsonValueKind.Array)
        {
            foreach (var a in aff.EnumerateArray())
            {
                if (!a.TryGetProperty("package", out var pkg)) continue;
                var ranges = new List<Range>();
                if (a.TryGetProperty("ranges", out var rs) && rs.ValueKind == JsonValueKind.Array)
                    foreach (var rg in rs.EnumerateArray())
                    {
                        var events = new List<Event>();
                        if (rg.TryGetProperty("events", out var evs) && evs.ValueKind == JsonValueKind.Array)
                            foreach (var ev in evs.EnumerateArray())
                                foreach (var p in ev.EnumerateObject())
                                    if (p.Value.ValueKind == JsonValueKind.String) events.Add(new Event(p.Name, p.Value.GetString()!));
                        ranges.Add(new Range(Str(rg, "type"), events));
                    }
                var versions = a.TryGetProperty("versions", out var vs) && vs.ValueKind == JsonValueKind.Array
                    ? vs.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList() : new List<string>();
                var sev = SeverityOf(a);
                affected.Add(new Affected(Str(pkg, "ecosystem"), Str(pkg, "name"), ranges, versions, sev == "Unknown" ? null : sev));
            }
        }
        return new Record(id, aliases, Str(r, "summary"), recSeverity, affected, file, Str(r, "withdrawn").Length > 0);
    }

    /// <summary>database_specific/ecosystem_specific severity word, else the highest CVSS v3 base score.</summary>
    static string SeverityOf(JsonElement e)
    {
        foreach (var k in new[] { "database_specific", "ecosystem_specific" })
            if (e.TryGetProperty(k, out var ds) && ds.ValueKind == JsonValueKind.Object)
            {
                var s = SeverityScale.Normalize(Str(ds, "severity"));
                if (s != "Unknown") return s;
            }
        double? best = null;
        if (e.TryGetProperty("severity", out var sv) && sv.ValueKind == JsonValueKind.Array)
            foreach (var x in sv.EnumerateArray())
            {
                var type = Str(x, "type");
                var score = Str(x, "score");
                if (type == "Ubuntu") { var u = SeverityScale.Normalize(score); if (u != "Unknown") return u; }
                var c = SeverityScale.Cvss3BaseScore(score);
                if (c != null && (best == null || c > best)) best = c;
            }
        return best == null ? "Unknown" : SeverityScale.FromCvssScore(best.Value);
    }

    static string EcoBase(string eco) => eco.Split(':')[0].Trim().ToLowerInvariant();

    static string Key(string ecosystem, string name)
    {
        var b = EcoBase(ecosystem);
        return b + "|" + NormName(b, name);
    }

    static string NormName(string ecoBase, string name) => ecoBase switch
    {
        "pypi" => PackageUrl.NormalizePypiName(name),
        "nuget" or "debian" or "ubuntu" or "alpine" => name.ToLowerInvariant(),
        _ => name,
    };

    /// <summary>The advisories affecting <paramref name="pkg"/>; OS packages are also matched by their source package.</summary>
    public IEnumerable<DockOpt.Vulnerability> Match(PackageInfo pkg)
    {
        if (string.IsNullOrEmpty(pkg.Ecosystem)) yield break;
        var names = new List<string> { pkg.Name };
        if (!string.IsNullOrEmpty(pkg.SourceName) && pkg.SourceName != pkg.Name) names.Add(pkg.SourceName);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in names)
        {
            if (!_byName.TryGetValue(Key(pkg.Ecosystem, n), out var list)) continue;
            // Debian advisories are keyed by source package and the source version (which may differ from the binary's).
            var version = n == pkg.SourceName && pkg.SourceVersion.Length > 0 ? pkg.SourceVersion : pkg.Version;
            foreach (var (rec, aff) in list)
            {
                if (!EcosystemApplies(aff.Ecosystem, pkg.Ecosystem)) continue;
                if (!IsAffected(aff, version, out var fixedVersion)) continue;
                if (!seen.Add(rec.Id)) continue;
                yield return new DockOpt.Vulnerability
                {
                    Image = pkg.Image,
                    Id = rec.Id,
                    Aliases = rec.Aliases,
                    Severity = aff.Severity ?? rec.Severity,
                    Package = pkg.Name,
                    PackageType = pkg.Type,
                    Purl = pkg.Purl,
                    InstalledVersion = pkg.Version,
                    FixedVersion = fixedVersion ?? "",
                    Layer = pkg.Layer,
                    LayerDiffId = pkg.LayerDiffId,
                    IsBaseLayer = pkg.IsBaseLayer,
                    Source = "OSV:" + rec.SourceFile,
                    Title = rec.Summary,
                };
            }
        }
    }

    /// <summary>"Debian" applies to every release; "Debian:12" only to packages of release 12.</summary>
    internal static bool EcosystemApplies(string advisory, string package)
    {
        if (Packages.RpmEcosystems.Applies(advisory, package) is { } rpm) return rpm;
        if (EcoBase(advisory) != EcoBase(package)) return false;
        var ai = advisory.IndexOf(':');
        if (ai < 0) return true;
        var pi = package.IndexOf(':');
        if (pi < 0) return false;
        return string.Equals(advisory[(ai + 1)..].Trim().TrimStart('v'), package[(pi + 1)..].Trim().TrimStart('v'), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>OSV evaluation: listed in versions[], or inside an ECOSYSTEM/SEMVER range (introduced/fixed/last_affected/limit).</summary>
    public static bool IsAffected(Affected aff, string version, out string? fixedVersion)
    {
        fixedVersion = null;
        var cmp = VersionComparers.For(aff.Ecosystem);
        var hit = aff.Versions.Any(v => v == version || cmp.Compare(v, version) == 0);
        foreach (var r in aff.Ranges)
        {
            if (r.Type is not ("ECOSYSTEM" or "SEMVER")) continue;
            var rc = r.Type == "SEMVER" ? SemverComparer.Instance : cmp;
            if (InRange(r, version, rc, out var fx))
            {
                hit = true;
                if (fx != null && (fixedVersion == null || rc.Compare(fx, fixedVersion) < 0)) fixedVersion = fx;
            }
        }
        if (!hit) fixedVersion = null;
        return hit;
    }

    static bool InRange(Range r, string v, IComparer<string> cmp, out string? fixedVersion)
    {
        fixedVersion = null;
        // Each introduced event opens an interval closed by the next fixed / last_affected above it.
        var introduced = r.Events.Where(e => e.Kind == "introduced").Select(e => e.Version).ToList();
        var closers = r.Events.Where(e => e.Kind is "fixed" or "last_affected").ToList();
        var limits = r.Events.Where(e => e.Kind == "limit").Select(e => e.Version).ToList();
        if (limits.Count > 0 && limits.All(l => l != "*" && cmp.Compare(v, l) >= 0)) return false;
        foreach (var intro in introduced)
        {
            var lowOk = intro == "0" || cmp.Compare(v, intro) >= 0;
            if (!lowOk) continue;
            // the nearest closer at or above the introduced version
            Event? close = null;
            foreach (var c in closers)
            {
                if (intro != "0" && cmp.Compare(c.Version, intro) < 0) continue;
                if (close == null || cmp.Compare(c.Version, close.Version) < 0) close = c;
            }
            if (close == null) return true;
            if (close.Kind == "fixed" ? cmp.Compare(v, close.Version) < 0 : cmp.Compare(v, close.Version) <= 0)
            {
                if (close.Kind == "fixed") fixedVersion = close.Version;
                return true;
            }
        }
        return false;
    }
}
