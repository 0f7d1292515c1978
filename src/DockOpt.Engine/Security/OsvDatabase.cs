using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.Security;

/// <summary>What a scan needs from the database: the ecosystems (base names, e.g. "Debian", "PyPI") and package keys present in the images.</summary>
public sealed class OsvLoadFilter
{
    public HashSet<string> Ecosystems { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>"ecosystem|normalised name" keys; empty = every package of the ecosystems.</summary>
    public HashSet<string> Packages { get; } = new(StringComparer.Ordinal);

    public static OsvLoadFilter For(IEnumerable<PackageInfo> packages)
    {
        var f = new OsvLoadFilter();
        foreach (var p in packages)
        {
            if (p.Ecosystem.Length == 0) continue;
            f.Ecosystems.Add(OsvDatabase.EcoBase(p.Ecosystem));
            foreach (var n in OsvDatabase.CandidateNames(p)) f.Packages.Add(OsvDatabase.Key(p.Ecosystem, n));
        }
        return f;
    }

    internal bool WantsEcosystem(string eco) => Ecosystems.Contains(OsvDatabase.EcoBase(eco));
}

/// <summary>The platform a Go binary was built for (goos/goarch limits in golang/vulndb records).</summary>
public sealed record GoPlatform(string Os, string Arch);

/// <summary>
/// OSV-format advisory records (ossf/osv-schema) loaded from folders, zips (osv.dev's per-ecosystem all.zip), JSON or YAML
/// files, matched against packages. One finding per vulnerability per package location: records whose ids, aliases or
/// upstream ids (and related ids of Ubuntu records) intersect merge into one finding listing every id.
/// </summary>
public sealed class OsvDatabase
{
    public sealed record Event(string Kind, string Version);
    public sealed record Range(string Type, List<Event> Events);
    public sealed record Import(string Path, string[] Goos, string[] Goarch);
    public sealed record Cvss(string Type, string Vector, double Score);

    /// <summary>One affected[] entry: package, ranges, versions and the publisher's per-package ratings.</summary>
    public sealed record Affected(string Ecosystem, string Name, List<Range> Ranges, List<string> Versions, string? Severity)
    {
        /// <summary>CVSS vectors of affected[].severity[].</summary>
        public List<Cvss> Cvss { get; init; } = new();

        /// <summary>Debian urgency (ecosystem_specific.urgency) or Ubuntu priority (ecosystem_specific.ubuntu_priority).</summary>
        public string DistributionRating { get; init; } = "";
        public string DistributionRatingSource { get; init; } = "";
        public List<Import> Imports { get; init; } = new();
    }

    public sealed record Record(string Id, string[] Aliases, string Summary, string Severity, List<Affected> Affected, string SourceFile, bool Withdrawn)
    {
        public string[] Upstream { get; init; } = Array.Empty<string>();
        public string[] Related { get; init; } = Array.Empty<string>();
        public List<Cvss> Cvss { get; init; } = new();

        /// <summary>A rating word of the publisher (GHSA database_specific.severity), normalised.</summary>
        public string PublisherSeverity { get; init; } = "";

        /// <summary>An Ubuntu priority given as severity[] of type "Ubuntu".</summary>
        public string UbuntuPriority { get; init; } = "";
        public DateTime? Modified { get; init; }

        /// <summary>The ids this record stands for: its own, aliases, upstream, and for Ubuntu records (USN-, UBUNTU-CVE-) related.</summary>
        public IEnumerable<string> AllIds()
        {
            yield return Id;
            foreach (var a in Aliases) yield return a;
            foreach (var u in Upstream) yield return u;
            if (Id.StartsWith("USN-", StringComparison.Ordinal) || Id.StartsWith("UBUNTU-", StringComparison.Ordinal) || Id.StartsWith("LSN-", StringComparison.Ordinal))
                foreach (var r in Related) yield return r;
        }
    }

    readonly Dictionary<string, List<(Record Rec, Affected Aff)>> _byName = new(StringComparer.Ordinal);
    readonly Dictionary<string, List<Record>> _byId = new(StringComparer.OrdinalIgnoreCase);
    readonly List<string> _sources = new();

    /// <summary>Records parsed and indexed in memory (withdrawn ones and other ecosystems left out).</summary>
    public int RecordCount { get; private set; }

    /// <summary>
    /// Records of the needed ecosystems that the database holds: with an update index only the records of the image's
    /// packages are parsed, but every record of the ecosystem was consulted through the index. 0 means no data.
    /// </summary>
    public int ConsultedRecords { get; private set; }

    /// <summary>The paths the records came from (joined with "; ").</summary>
    public string Source => string.Join("; ", _sources);
    public IReadOnlyList<string> Sources => _sources;

    /// <summary>The newest record modification time seen, or null.</summary>
    public DateTime? NewestRecord { get; private set; }

    OsvDatabase() { }

    /// <summary>Loads every record under a folder (recursive: *.json, *.yaml, *.zip), inside a zip (OSV all.zip layout) or one JSON/YAML file.</summary>
    public static OsvDatabase Load(string path) => Load(new[] { path });

    /// <summary>Loads several databases into one; with a filter only the needed ecosystems (and, through an update index, packages) are read.</summary>
    public static OsvDatabase Load(IEnumerable<string> paths, OsvLoadFilter? filter = null)
    {
        var db = new OsvDatabase();
        foreach (var path in paths)
        {
            db._sources.Add(path);
            if (Directory.Exists(path))
            {
                foreach (var f in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal))
                {
                    var rel = System.IO.Path.GetRelativePath(path, f);
                    if (f.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
                    {
                        // osv.dev layout <Ecosystem>/all.zip: skip ecosystems the scan does not need.
                        var eco = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(f)) ?? "";
                        if (filter != null && System.IO.Path.GetFileName(f).Equals("all.zip", StringComparison.OrdinalIgnoreCase) && !filter.WantsEcosystem(Uri.UnescapeDataString(eco))) continue;
                        db.LoadZip(f, filter);
                    }
                    else if (IsRecordFile(f) && !rel.Split(System.IO.Path.DirectorySeparatorChar).Any(p => p.StartsWith('.')) && !f.EndsWith(VulnerabilityDatabaseStore.IndexSuffix, StringComparison.Ordinal)
                             && System.IO.Path.GetFileName(f) != VulnerabilityDatabaseStore.MetadataFile)
                    {
                        using var s = Dockerfiles.SourceFile.OpenRead(f, "vulnerability database file");
                        db.Add(s, rel, f, filter);
                    }
                }
            }
            else if (File.Exists(path) && path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)) db.LoadZip(path, filter);
            else if (File.Exists(path) && IsRecordFile(path))
            {
                using var s = Dockerfiles.SourceFile.OpenRead(path, "vulnerability database file");
                db.Add(s, System.IO.Path.GetFileName(path), path, filter);
            }
            else
            {
                throw new DockOptException(ErrorIds.VulnerabilityDatabaseNotFound, DockOptErrorCategory.ObjectNotFound,
                    $"The vulnerability database '{path}' is not a folder, a .zip, or a .json/.yaml file of OSV records.", path,
                    "Run Update-DockOptVulnerabilityDatabase, or give a folder of OSV records or an OSV zip (for example an ecosystem's all.zip).");
            }
        }
        return db;
    }

    static bool IsRecordFile(string f) => f.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    void LoadZip(string path, OsvLoadFilter? filter)
    {
        ZipArchive zip;
        Dockerfiles.SourceFile.EnsureRegular(path, "vulnerability database zip");
        try { zip = ZipFile.OpenRead(path); }
        catch (InvalidDataException e)
        {
            throw new DockOptException(ErrorIds.VulnerabilityDatabaseCorrupt, DockOptErrorCategory.InvalidData,
                $"The vulnerability database '{path}' is not a readable zip: {e.Message}", path,
                "Run Update-DockOptVulnerabilityDatabase again (it replaces a database only with a complete download).", e);
        }
        using (zip)
        {
            // An index written by Update-DockOptVulnerabilityDatabase names the entries of each package: read only those.
            var index = filter is { Packages.Count: > 0 } ? VulnerabilityDatabaseStore.ReadIndex(path) : null;
            IEnumerable<ZipArchiveEntry> entries;
            if (index != null)
            {
                ConsultedRecords += zip.Entries.Count(e => IsRecordFile(e.FullName));
                var names = new SortedSet<string>(StringComparer.Ordinal);
                foreach (var k in filter!.Packages)
                    if (index.TryGetValue(k, out var list)) names.UnionWith(list);
                entries = names.Select(n => zip.GetEntry(n)).Where(e => e != null)!;
            }
            else entries = zip.Entries.Where(e => IsRecordFile(e.FullName)).OrderBy(e => e.FullName, StringComparer.Ordinal);
            foreach (var e in entries)
            {
                Stream s;
                try { s = e.Open(); }
                catch (Exception ex) when (ex is InvalidDataException or NotSupportedException)
                {
                    // a zip that is not an OSV export (an unsupported compression method, a corrupt entry header)
                    throw new DockOptException(ErrorIds.VulnerabilityDatabaseCorrupt, DockOptErrorCategory.InvalidData,
                        $"The vulnerability database '{path}' has an unreadable entry '{e.FullName}': {ex.Message}", path,
                        "Run Update-DockOptVulnerabilityDatabase again (it replaces a database only with a complete download).", ex);
                }
                try
                {
                    using (s) Add(s, e.FullName, path, filter, counted: index != null);
                }
                catch (InvalidDataException ex)
                {
                    throw new DockOptException(ErrorIds.VulnerabilityDatabaseCorrupt, DockOptErrorCategory.InvalidData,
                        $"The vulnerability database '{path}' has a corrupt entry '{e.FullName}': {ex.Message}", path,
                        "Run Update-DockOptVulnerabilityDatabase again (it replaces a database only with a complete download).", ex);
                }
            }
        }
    }

    void Add(Stream s, string name, string container, OsvLoadFilter? filter, bool counted = false)
    {
        JsonDocument doc;
        try
        {
            if (name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            {
                using var r = new StreamReader(s);
                var yaml = new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<object>(r);
                doc = JsonDocument.Parse(JsonSerializer.Serialize(yaml));
            }
            else doc = JsonDocument.Parse(s, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (Exception e) when (e is JsonException or YamlDotNet.Core.YamlException)
        {
            throw new DockOptException(ErrorIds.VulnerabilityRecordInvalid, DockOptErrorCategory.InvalidData,
                $"OSV record '{name}' in '{container}' is not valid JSON or YAML: {e.Message}", name, "Fix or remove the file.", e);
        }
        using (doc)
        {
            var roots = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement.EnumerateArray().ToList() : new List<JsonElement> { doc.RootElement };
            foreach (var r in roots)
            {
                var rec = Parse(r, name);
                if (rec == null || rec.Withdrawn) continue;
                if (filter != null && rec.Affected.Count > 0 && !rec.Affected.Any(a => filter.WantsEcosystem(a.Ecosystem))) continue;
                RecordCount++;
                if (!counted) ConsultedRecords++;
                if (rec.Modified is { } m && (NewestRecord == null || m > NewestRecord)) NewestRecord = m;
                foreach (var id in rec.AllIds().Distinct(StringComparer.OrdinalIgnoreCase))
                {
                    if (!_byId.TryGetValue(id, out var l)) _byId[id] = l = new();
                    l.Add(rec);
                }
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

    static string[] Strs(JsonElement e, string prop) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(prop, out var al) && al.ValueKind == JsonValueKind.Array
        ? al.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToArray() : Array.Empty<string>();

    static JsonElement Obj(JsonElement e, string prop) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(prop, out var v) && v.ValueKind == JsonValueKind.Object ? v : default;

    static List<Cvss> CvssOf(JsonElement e)
    {
        var list = new List<Cvss>();
        if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty("severity", out var sv) && sv.ValueKind == JsonValueKind.Array)
            foreach (var x in sv.EnumerateArray())
            {
                var type = Str(x, "type");
                if (type is not ("CVSS_V3" or "CVSS_V4")) continue;
                var vector = Str(x, "score");
                if (SeverityScale.BaseScore(vector) is { } score) list.Add(new Cvss(type, vector, score));
            }
        return list;
    }

    static Record? Parse(JsonElement r, string file)
    {
        var id = Str(r, "id");
        if (id.Length == 0) return null;
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
                var eco = Obj(a, "ecosystem_specific");
                var dbs = Obj(a, "database_specific");
                var word = SeverityScale.Normalize(Str(dbs, "severity") is { Length: > 0 } w1 ? w1 : Str(eco, "severity"));
                var (rating, ratingSource) = Str(eco, "urgency") is { Length: > 0 } u ? (u, "Debian urgency")
                    : Str(eco, "ubuntu_priority") is { Length: > 0 } up ? (up, "Ubuntu priority")
                    : Str(dbs, "urgency") is { Length: > 0 } du ? (du, "Debian urgency") : ("", "");
                var imports = new List<Import>();
                if (eco.ValueKind == JsonValueKind.Object && eco.TryGetProperty("imports", out var im) && im.ValueKind == JsonValueKind.Array)
                    foreach (var i in im.EnumerateArray()) imports.Add(new Import(Str(i, "path"), Strs(i, "goos"), Strs(i, "goarch")));
                affected.Add(new Affected(Str(pkg, "ecosystem"), Str(pkg, "name"), ranges, Strs(a, "versions").ToList(), word == "Unknown" ? null : word)
                {
                    Cvss = CvssOf(a),
                    DistributionRating = rating,
                    DistributionRatingSource = ratingSource,
                    Imports = imports,
                });
            }
        }
        var ubuntu = "";
        if (r.TryGetProperty("severity", out var sv) && sv.ValueKind == JsonValueKind.Array)
            foreach (var x in sv.EnumerateArray())
                if (Str(x, "type") == "Ubuntu") ubuntu = Str(x, "score");
        var cvss = CvssOf(r);
        var publisher = SeverityScale.Normalize(Str(Obj(r, "database_specific"), "severity"));
        var best = cvss.Count > 0 ? SeverityScale.FromCvssScore(cvss.Max(c => c.Score)) : publisher;
        var summary = Str(r, "summary");
        if (summary.Length == 0)
        {
            var details = Str(r, "details").Trim();
            var nl = details.IndexOfAny(new[] { '\n', '\r' });
            summary = nl > 0 ? details[..nl] : details;
            if (summary.Length > 160) summary = summary[..157] + "...";
        }
        DateTime? modified = DateTime.TryParse(Str(r, "modified"), System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var md) && md.Year > 1 ? md : null;
        return new Record(id, Strs(r, "aliases"), summary, best, affected, file, Str(r, "withdrawn").Length > 0)
        {
            Upstream = Strs(r, "upstream"),
            Related = Strs(r, "related"),
            Cvss = cvss,
            PublisherSeverity = publisher == "Unknown" ? "" : publisher,
            UbuntuPriority = ubuntu,
            Modified = modified,
        };
    }

    internal static string EcoBase(string eco) => eco.Split(':')[0].Trim().ToLowerInvariant();

    internal static string Key(string ecosystem, string name)
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

    /// <summary>The advisory package names a package is looked up by: its own name, its source package, and for the go command the toolchain.</summary>
    internal static IEnumerable<string> CandidateNames(PackageInfo pkg)
    {
        yield return pkg.Name;
        if (!string.IsNullOrEmpty(pkg.SourceName) && pkg.SourceName != pkg.Name) yield return pkg.SourceName;
        if (IsGoCommand(pkg)) yield return "toolchain";
    }

    /// <summary>The stdlib of the go command itself (…/bin/go) also answers golang/vulndb's "toolchain" (cmd/go) advisories.</summary>
    static bool IsGoCommand(PackageInfo pkg) =>
        EcoBase(pkg.Ecosystem) == "go" && pkg.Name == "stdlib" && System.IO.Path.GetFileName(pkg.Path.TrimEnd('/')) == "go";

    /// <summary>A Go version as golang/vulndb writes it: v1.22.1 → 1.22.1, go1.21 → 1.21.0, 1.22rc1 → 1.22.0-rc.1.</summary>
    internal static string GoSemver(string v)
    {
        v = v.Trim();
        if (v.StartsWith("go", StringComparison.Ordinal)) v = v[2..];
        v = v.TrimStart('v');
        var m = Regex.Match(v, @"^(\d+)\.(\d+)(?:\.(\d+))?(?:(rc|beta|alpha)(\d+))?$");
        if (!m.Success) return v;
        var core = $"{m.Groups[1].Value}.{m.Groups[2].Value}.{(m.Groups[3].Success ? m.Groups[3].Value : "0")}";
        return m.Groups[4].Success ? $"{core}-{m.Groups[4].Value}.{m.Groups[5].Value}" : core;
    }

    /// <summary>One record that matched one package, before merging.</summary>
    public sealed record Hit(Record Record, Affected Affected, string? FixedVersion);

    /// <summary>The records affecting <paramref name="pkg"/>, one per record; OS packages are also matched by their source package.</summary>
    public IEnumerable<Hit> Hits(PackageInfo pkg, GoPlatform? platform = null)
    {
        if (string.IsNullOrEmpty(pkg.Ecosystem)) yield break;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in CandidateNames(pkg))
        {
            if (!_byName.TryGetValue(Key(pkg.Ecosystem, n), out var list)) continue;
            // Debian advisories are keyed by source package and the source version (which may differ from the binary's).
            var version = n == pkg.SourceName && pkg.SourceVersion.Length > 0 ? pkg.SourceVersion : pkg.Version;
            if (EcoBase(pkg.Ecosystem) == "go") version = GoSemver(version);
            // Exact ecosystem entries before variants (Ubuntu:22.04:LTS before Ubuntu:Pro:22.04:LTS).
            foreach (var (rec, aff) in list.OrderBy(x => x.Aff.Ecosystem.Contains(":Pro", StringComparison.OrdinalIgnoreCase) ? 1 : 0))
            {
                if (!EcosystemApplies(aff.Ecosystem, pkg.Ecosystem)) continue;
                if (platform != null && !PlatformApplies(aff, platform)) continue;
                if (!IsAffected(aff, version, out var fixedVersion)) continue;
                if (!seen.Add(rec.Id)) continue;
                yield return new Hit(rec, aff, fixedVersion);
            }
        }
    }

    /// <summary>golang/vulndb imports[].goos/goarch: an entry whose every import is limited to other platforms does not apply.</summary>
    internal static bool PlatformApplies(Affected aff, GoPlatform p) =>
        aff.Imports.Count == 0 || aff.Imports.Any(i =>
            (i.Goos.Length == 0 || p.Os.Length == 0 || i.Goos.Contains(p.Os, StringComparer.OrdinalIgnoreCase)) &&
            (i.Goarch.Length == 0 || p.Arch.Length == 0 || i.Goarch.Contains(p.Arch, StringComparer.OrdinalIgnoreCase)));

    /// <summary>One unmerged finding per matching record (see <see cref="Findings"/> for the merged, rated list).</summary>
    public IEnumerable<DockOpt.Vulnerability> Match(PackageInfo pkg, GoPlatform? platform = null) =>
        Hits(pkg, platform).Select(h => ToFinding(pkg, new List<Hit> { h }));

    /// <summary>
    /// One finding per vulnerability per package location: the hits of one package whose ids intersect (transitively) merge;
    /// the finding lists every id, the highest known fixed version and the severity resolved over the records and their
    /// aliased records in the database. Python packages that dpkg installed (/usr/lib/python3/dist-packages) are judged by
    /// the distribution's records only, when the image has a dpkg database.
    /// </summary>
    public List<DockOpt.Vulnerability> Findings(IReadOnlyList<PackageInfo> packages, GoPlatform? platform = null)
    {
        var result = new List<DockOpt.Vulnerability>();
        var hasDpkg = packages.Any(p => p.Type == "deb");
        foreach (var pkg in packages)
        {
            if (hasDpkg && IsDpkgOwnedPython(pkg)) continue;
            var hits = Hits(pkg, platform).ToList();
            if (hits.Count == 0) continue;
            foreach (var group in Group(hits)) result.Add(ToFinding(pkg, group));
        }
        return result;
    }

    /// <summary>Debian and Ubuntu install their python3-* packages into /usr/lib/python3/dist-packages; pip never does.</summary>
    public static bool IsDpkgOwnedPython(PackageInfo pkg) =>
        EcoBase(pkg.Ecosystem) == "pypi" && pkg.Path.TrimStart('/').StartsWith("usr/lib/python3/dist-packages/", StringComparison.Ordinal);

    static List<List<Hit>> Group(List<Hit> hits)
    {
        var parent = Enumerable.Range(0, hits.Count).ToArray();
        int Find(int i) => parent[i] == i ? i : parent[i] = Find(parent[i]);
        var owner = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < hits.Count; i++)
            foreach (var id in hits[i].Record.AllIds())
            {
                if (owner.TryGetValue(id, out var j)) parent[Find(i)] = Find(j);
                else owner[id] = i;
            }
        return hits.Select((h, i) => (h, r: Find(i))).GroupBy(x => x.r).Select(g => g.Select(x => x.h).ToList()).ToList();
    }

    /// <summary>Representative id: the CVE when the group has exactly one, else a distribution advisory (DSA/DLA/USN), else the first record's id.</summary>
    static string PreferredId(List<Hit> group, IEnumerable<string> ids)
    {
        var cves = ids.Where(i => i.StartsWith("CVE-", StringComparison.OrdinalIgnoreCase)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (cves.Count == 1) return cves[0];
        var distro = group.Select(h => h.Record.Id).FirstOrDefault(i => i.StartsWith("DSA-") || i.StartsWith("DLA-") || i.StartsWith("USN-"));
        return distro ?? group[0].Record.Id;
    }

    DockOpt.Vulnerability ToFinding(PackageInfo pkg, List<Hit> group)
    {
        var ids = group.SelectMany(h => h.Record.AllIds()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var id = PreferredId(group, ids);
        var cmp = VersionComparers.For(pkg.Ecosystem);
        string? fixedVersion = null;
        foreach (var h in group)
            if (h.FixedVersion is { Length: > 0 } f && (fixedVersion == null || cmp.Compare(f, fixedVersion) > 0)) fixedVersion = f;
        var (severity, source, score, vector) = ResolveSeverity(group, ids);
        return new DockOpt.Vulnerability
        {
            Image = pkg.Image,
            Id = id,
            Aliases = ids.Where(i => !i.Equals(id, StringComparison.OrdinalIgnoreCase)).OrderBy(i => i, StringComparer.Ordinal).ToArray(),
            Records = group.Select(h => h.Record.Id).ToArray(),
            Severity = severity,
            SeveritySource = source,
            CvssScore = score,
            CvssVector = vector,
            Package = pkg.Name,
            PackageType = pkg.Type,
            Purl = pkg.Purl,
            Path = pkg.Path,
            InstalledVersion = pkg.Version,
            FixedVersion = fixedVersion ?? "",
            Layer = pkg.Layer,
            LayerDiffId = pkg.LayerDiffId,
            IsBaseLayer = pkg.IsBaseLayer,
            Source = "OSV:" + group[0].Record.SourceFile,
            Title = group.Select(h => h.Record.Summary).FirstOrDefault(s => s.Length > 0) ?? "",
        };
    }

    /// <summary>
    /// Severity, in this order: the highest CVSS (v4 or v3) base score of the matched records (record or affected level);
    /// then of the other records in the database that carry one of the finding's ids (a DEBIAN-CVE or GHSA record for a DSA,
    /// a GHSA for a GO record); then a publisher's rating word (GHSA database_specific.severity); then the distribution's own
    /// rating (Ubuntu priority, Debian urgency) of the matched entry; otherwise Unknown.
    /// </summary>
    (DockOpt.Severity, string, double, string) ResolveSeverity(List<Hit> group, List<string> ids)
    {
        static (Cvss C, string Id)? Best(IEnumerable<(Cvss C, string Id)> all) =>
            all.OrderByDescending(x => x.C.Score).ThenByDescending(x => x.C.Type).Select(x => ((Cvss, string)?)x).FirstOrDefault();
        var own = Best(group.SelectMany(h => h.Record.Cvss.Concat(h.Affected.Cvss).Select(c => (c, h.Record.Id))));
        if (own is { } o) return (SeverityScale.FromScore(o.C.Score), $"{o.C.Type} {o.Id}", o.C.Score, o.C.Vector);
        var mine = new HashSet<string>(group.Select(h => h.Record.Id), StringComparer.OrdinalIgnoreCase);
        var aliased = ids.SelectMany(i => _byId.TryGetValue(i, out var l) ? l : Enumerable.Empty<Record>()).Where(r => !mine.Contains(r.Id)).Distinct().ToList();
        var other = Best(aliased.SelectMany(r => r.Cvss.Concat(r.Affected.SelectMany(a => a.Cvss)).Select(c => (c, r.Id))));
        if (other is { } a) return (SeverityScale.FromScore(a.C.Score), $"{a.C.Type} {a.Id}", a.C.Score, a.C.Vector);
        foreach (var r in group.Select(h => h.Record).Concat(aliased))
            if (r.PublisherSeverity.Length > 0) return (SeverityScale.Parse(r.PublisherSeverity), $"{(r.Id.StartsWith("GHSA-") ? "GHSA" : "Publisher")} {r.Id}", 0, "");
        foreach (var h in group)
        {
            if (h.Affected.Severity is { } w) return (SeverityScale.Parse(w), $"Publisher {h.Record.Id}", 0, "");
            if (SeverityScale.FromDistributionRating(h.Affected.DistributionRating) is var d && d != DockOpt.Severity.Unknown)
                return (d, h.Affected.DistributionRatingSource, 0, "");
            if (SeverityScale.FromDistributionRating(h.Record.UbuntuPriority) is var u && u != DockOpt.Severity.Unknown)
                return (u, "Ubuntu priority", 0, "");
        }
        return (DockOpt.Severity.Unknown, "", 0, "");
    }

    /// <summary>
    /// "Debian" applies to every release; "Debian:12" only to release 12. Ubuntu's ":LTS" and ":Pro" tokens are variants of
    /// the same release (an image's os-release says 22.04, the records say Ubuntu:22.04:LTS and Ubuntu:Pro:22.04:LTS);
    /// FIPS and Realtime variants are different products and do not match a plain release.
    /// </summary>
    internal static bool EcosystemApplies(string advisory, string package)
    {
        if (Packages.RpmEcosystems.Applies(advisory, package) is { } rpm) return rpm;
        if (EcoBase(advisory) != EcoBase(package)) return false;
        var ai = advisory.IndexOf(':');
        if (ai < 0) return true;
        var pi = package.IndexOf(':');
        if (pi < 0) return false;
        if (EcoBase(advisory) == "ubuntu")
        {
            static string Norm(string s) => string.Join(':', s.Split(':').Skip(1).Where(t => !t.Equals("LTS", StringComparison.OrdinalIgnoreCase) && !t.Equals("Pro", StringComparison.OrdinalIgnoreCase)));
            return string.Equals(Norm(advisory), Norm(package), StringComparison.OrdinalIgnoreCase);
        }
        return string.Equals(advisory[(ai + 1)..].Trim().TrimStart('v'), package[(pi + 1)..].Trim().TrimStart('v'), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>OSV evaluation: listed in versions[], or inside an ECOSYSTEM/SEMVER range (introduced/fixed/last_affected/limit); GIT ranges are skipped.</summary>
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
        if (hit && fixedVersion == null)
        {
            // listed in versions[] only: the fixed event of a range above the version is the fix
            foreach (var r in aff.Ranges.Where(r => r.Type is "ECOSYSTEM" or "SEMVER"))
                foreach (var e in r.Events.Where(e => e.Kind == "fixed"))
                {
                    var rc = r.Type == "SEMVER" ? SemverComparer.Instance : cmp;
                    if (rc.Compare(e.Version, version) > 0 && (fixedVersion == null || rc.Compare(e.Version, fixedVersion) < 0)) fixedVersion = e.Version;
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
