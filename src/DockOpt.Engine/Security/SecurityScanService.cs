using DockOpt.Engine.Security.Packages;
using System.Diagnostics;
using DockOpt.Engine.DockerApi;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Security;

/// <summary>Options of one Invoke-DockOptScan / Get-DockOptPackage command.</summary>
public sealed class SecurityScanRequest
{
    /// <summary>The platform to pick from a multi-platform image (<c>os/arch[/variant]</c>); null: the host's.</summary>
    public string? Platform { get; init; }
    public bool Vulnerabilities { get; init; } = true;
    public bool Secrets { get; init; } = true;
    public bool Config { get; init; } = true;
    /// <summary>Vulnerability databases (folders of zips or records, zips, JSON/YAML files); empty = the default database
    /// (<see cref="VulnerabilityDatabaseStore.DefaultPath"/>, filled by Update-DockOptVulnerabilityDatabase).</summary>
    public string[] VulnerabilityDatabases { get; init; } = Array.Empty<string>();

    /// <summary>
    /// The oldest vulnerability database the user accepts (-MaximumDatabaseAge; null = DOCKOPT_VULNDB_MAX_AGE when set).
    /// A database older than a maximum the user gave (or of unknown age) makes the scan Incomplete, so a gate fails
    /// closed; without any user maximum, a database older than 7 days only draws a warning.
    /// </summary>
    public TimeSpan? MaxDatabaseAge { get; init; }
    public string? TrivyReport { get; init; }
    public bool RunTrivy { get; init; } = true;
    public string? IgnoreFile { get; init; }
    public GatePolicy Policy { get; init; } = new();
    public string? SbomPath { get; init; }
    public bool SbomTimestamp { get; init; }

    /// <summary>"CycloneDX" or "Spdx"; null = CycloneDX unless SbomPath ends in .spdx.json.</summary>
    public string? SbomFormat { get; init; }
}

/// <summary>The Dockerfile an image was built from (-Dockerfile, or a piped build result's) and the stage built.</summary>
public sealed record DockerfileRef(string Path, string? Target);

/// <summary>Drives one scan per image: base-image detection, the single-pass reader, vulnerability sources, evaluation, SBOM.</summary>
public sealed class SecurityScanService
{
    readonly SecurityScanRequest _req;
    readonly IDockOptSink _sink;
    string[] _dbPaths = Array.Empty<string>();
    bool _defaultDbMissing;
    bool _warnedAge;
    IgnoreFile? _ignore;
    List<(string Id, string[] Layers)>? _localImages;
    readonly Dictionary<string, List<string>> _histories = new();

    public static string ToolVersion => typeof(SecurityScanService).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public SecurityScanService(SecurityScanRequest req, IDockOptSink sink)
    {
        _req = req;
        _sink = sink;
    }

    /// <summary>Loads the offline data once (bad input fails here, before any image is read).</summary>
    public void Prepare()
    {
        if (_req.Vulnerabilities)
        {
            if (_req.VulnerabilityDatabases.Length > 0)
            {
                foreach (var p in _req.VulnerabilityDatabases)
                    if (!Directory.Exists(p) && !File.Exists(p))
                        throw new DockOptException(ErrorIds.VulnerabilityDatabaseNotFound, DockOptErrorCategory.ObjectNotFound,
                            $"The vulnerability database '{p}' is not a folder, a .zip, or a .json/.yaml file of OSV records.", p,
                            "Run Update-DockOptVulnerabilityDatabase, or give a folder of OSV records or an OSV zip (for example an ecosystem's all.zip).");
                _dbPaths = _req.VulnerabilityDatabases;
            }
            else
            {
                var d = VulnerabilityDatabaseStore.DefaultPath;
                if (Directory.Exists(d) && Directory.EnumerateFiles(d, "all.zip", SearchOption.AllDirectories).Any()) _dbPaths = new[] { d };
                else _defaultDbMissing = true;
            }
        }
        if (_req.TrivyReport != null && !File.Exists(_req.TrivyReport))
            throw new DockOptException(ErrorIds.TrivyReportNotFound, DockOptErrorCategory.ObjectNotFound, $"The Trivy report '{_req.TrivyReport}' does not exist.",
                _req.TrivyReport, "Give the path of a file written by 'trivy image --format json --output FILE'.");
        if (_req.TrivyReport != null) Dockerfiles.SourceFile.EnsureRegular(_req.TrivyReport, "Trivy report"); // fail now, not after the image is read
        if (_req.IgnoreFile != null) _ignore = IgnoreFile.Load(_req.IgnoreFile);
    }

    /// <summary>Base layers: the longest tagged local image whose layers are a strict prefix of this image's layers.</summary>
    async Task<(int Layers, int History)> FindBaseAsync(DockerEngine engine, string imageId, string[] diffIds, CancellationToken ct)
    {
        if (_localImages == null)
        {
            _localImages = new();
            IList<Docker.DotNet.Models.ImagesListResponse> list;
            try
            {
                list = await engine.Client.Images.ListImagesAsync(new Docker.DotNet.Models.ImagesListParameters { All = false }, ct).ConfigureAwait(false);
            }
            catch (Docker.DotNet.DockerApiException e)
            {
                // Podman fails the whole list when one image in its store is damaged ("podman images" too): the base is
                // then unknown, which only loses the base/own split, not the scan.
                _sink.Verbose($"Base image not looked for: the engine could not list its images ({e.StatusCode}: {EngineErrors.ExtractMessage(e.ResponseBody ?? "")}).");
                list = Array.Empty<Docker.DotNet.Models.ImagesListResponse>();
            }
            foreach (var img in list)
            {
                if (img.RepoTags == null || img.RepoTags.Count == 0 || img.RepoTags.All(t => t.StartsWith("<none>", StringComparison.Ordinal))) continue;
                try
                {
                    var ins = await engine.Client.Images.InspectImageAsync(img.ID, ct).ConfigureAwait(false);
                    var layers = ins.RootFS?.Layers?.ToArray() ?? Array.Empty<string>();
                    _localImages.Add((img.ID, layers));
                }
                catch (Docker.DotNet.DockerApiException) { }
            }
        }
        var longest = 0;
        foreach (var li in _localImages)
        {
            if (li.Id == imageId || li.Layers.Length == 0 || li.Layers.Length >= diffIds.Length || li.Layers.Length < longest) continue;
            if (li.Layers.Select((l, i) => l == diffIds[i]).All(x => x)) longest = li.Layers.Length;
        }
        if (longest == 0) return (-1, -1);
        // Several tagged images can share those layers (an image with only ENV/LABEL/CMD on top of the same base): the base is
        // the one sharing the longest history prefix with this image, and that prefix is the base's part of the history.
        // Histories are cached for the command: scanning several images on one base asks the engine once per image.
        async Task<List<string>> Oldest(string id)
        {
            if (_histories.TryGetValue(id, out var cached)) return cached;
            var h = await engine.Client.Images.GetImageHistoryAsync(id, ct).ConfigureAwait(false);
            return _histories[id] = h.Reverse().Select(x => x.CreatedBy + "\u0000" + x.Created.ToUniversalTime().ToString("O")).ToList();
        }
        var mine = await Oldest(imageId).ConfigureAwait(false);
        var bestId = "";
        var bestHistory = -1;
        foreach (var li in _localImages.Where(x => x.Id != imageId && x.Layers.Length == longest && x.Layers.Select((l, i) => l == diffIds[i]).All(b => b)))
        {
            var theirs = await Oldest(li.Id).ConfigureAwait(false);
            if (theirs.Count > mine.Count) continue;
            var common = 0;
            while (common < theirs.Count && theirs[common] == mine[common]) common++;
            if (common < theirs.Count) continue; // not an ancestor: its history is not a prefix of ours
            if (common > bestHistory) { bestHistory = common; bestId = li.Id; }
        }
        if (bestHistory < 0) return (longest, 0);
        _sink.Verbose($"Base image: {bestId[..Math.Min(19, bestId.Length)]} ({longest} layer(s), {bestHistory} history entries).");
        return (longest, bestHistory);
    }

    /// <summary>The image's config digest and diff IDs from the engine, before reading (for base detection).</summary>
    static async Task<(string Id, string[] DiffIds)> InspectAsync(DockerEngine engine, string image, CancellationToken ct)
    {
        try
        {
            var ins = await engine.Client.Images.InspectImageAsync(image, ct).ConfigureAwait(false);
            return (ins.ID, ins.RootFS?.Layers?.ToArray() ?? Array.Empty<string>());
        }
        catch (Docker.DotNet.DockerImageNotFoundException e)
        {
            throw new DockOptException(ErrorIds.ImageNotFound, DockOptErrorCategory.ObjectNotFound, $"No local image '{image}'.", image,
                "Check the name with Get-DockOptImage, or build or load the image first.", e);
        }
        catch (Docker.DotNet.DockerApiException e)
        {
            throw EngineErrors.FromApi(e, ErrorIds.ImageNotFound, image);
        }
    }

    /// <summary>Reads the image once with the requested scanners.</summary>
    public async Task<ImageScanResult> ScanImageAsync(DockerEngine? engine, string image, bool isPath, bool packagesOnly, CancellationToken ct)
    {
        int baseLayers = -1, baseHistory = -1;
        ImageSource source;
        string label;
        var remote = !isPath && ImageSourceReference.HasTransport(image) ? ImageSourceReference.Parse(image) : null;
        if (remote is { Transport: ImageTransport.Registry })
        {
            // Straight from the registry: no engine, no pull; blobs through the persistent layer cache.
            source = new Registry.RegistryImageSource(remote.Registry!, _sink, cache: Registry.LayerBlobCache.FromEnvironment());
            label = remote.Qualified;
        }
        else if (remote is { IsPath: true })
        {
            // oci:dir:ref — the layout's image under that ref
            source = ImageSource.FromPath(remote.Value, remote.OciRef);
            label = remote.Qualified;
        }
        else if (isPath)
        {
            if (!File.Exists(image) && !Directory.Exists(image))
                throw new DockOptException(ErrorIds.ImageArchiveNotFound, DockOptErrorCategory.ObjectNotFound, $"'{image}' is neither a file nor a folder.", image,
                    "Give a 'docker save' tar, an OCI archive or an OCI layout folder.");
            source = ImageSource.FromPath(image);
            label = ImageSourceReference.ForPath(image);
        }
        else
        {
            var (id, diffIds) = await InspectAsync(engine!, image, ct).ConfigureAwait(false);
            (baseLayers, baseHistory) = await FindBaseAsync(engine!, id, diffIds, ct).ConfigureAwait(false);
            source = ImageSource.FromEngine(engine!, id);
            label = ImageSourceReference.ForEngine(image);
        }
        var options = new ImageScanOptions
        {
            Packages = true,
            Secrets = !packagesOnly && _req.Secrets,
            Config = !packagesOnly && _req.Config,
            BaseLayerCount = baseLayers,
            BaseHistoryCount = baseHistory,
        };
        // The local engine is a trusted source: its diff IDs come from the config (one SHA-256 pass less); archives are verified.
        var read = new ImageReadOptions { VerifyDiffIds = isPath || remote != null, Platform = _req.Platform };
        var result = await ImageScanner.ScanAsync(source, image, options, _sink, ct, read).ConfigureAwait(false);
        result.Source = label;
        if (_req.SbomPath != null) WriteSbom(result);
        return result;
    }

    void WriteSbom(ImageScanResult r)
    {
        var path = _req.SbomPath!;
        var spdx = string.Equals(_req.SbomFormat, "Spdx", StringComparison.OrdinalIgnoreCase) ||
                   (_req.SbomFormat == null && path.EndsWith(".spdx.json", StringComparison.OrdinalIgnoreCase));
        if (Directory.Exists(path))
        {
            var safe = new string(r.Image.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray());
            path = Path.Combine(path, safe + (spdx ? ".spdx.json" : ".cdx.json"));
        }
        if (!_sink.ShouldProcess(path, spdx ? "Write SPDX 2.3 SBOM" : "Write CycloneDX 1.6 SBOM")) return;
        var ts = _req.SbomTimestamp ? DateTime.UtcNow : (DateTime?)null;
        ReportWriters.WriteAtomic(path, spdx ? SpdxWriter.ToSpdx(r, ToolVersion, ts) : ReportWriters.ToCycloneDx(r, ToolVersion, ts));
        _sink.Verbose($"Wrote SBOM {path} ({r.Packages.Count} components).");
    }

    /// <summary>Writes the engine's export of one image (docker save) to a file.</summary>
    static async Task ExportAsync(DockerEngine engine, string imageId, string path, CancellationToken ct)
    {
        using var resp = await engine.SendCheckedAsync(HttpMethod.Get, $"/images/get?names={Uri.EscapeDataString(imageId)}", null, ct, ErrorIds.ImageNotFound, imageId).ConfigureAwait(false);
        await using var src = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using var dst = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, true);
        await src.CopyToAsync(dst, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The age rule: past a maximum the user gave (-MaximumDatabaseAge or DOCKOPT_VULNDB_MAX_AGE), or with no known
    /// age under such a maximum, the scan lists the reason in Errors (Outcome Incomplete; a gate fails with
    /// SecurityScanIncomplete). Past the default 7 days without a user maximum: one warning per command.
    /// </summary>
    void CheckAge(string path, DateTime? updatedAt, List<string> errors)
    {
        var userMax = _req.MaxDatabaseAge ?? VulnerabilityDatabaseStore.UserMaxAge;
        var maxAge = userMax ?? VulnerabilityDatabaseStore.DefaultMaxAge;
        string Span(TimeSpan t) => t.TotalDays >= 1 ? $"{t.TotalDays:0.#} days" : t.TotalHours >= 1 ? $"{t.TotalHours:0.#} hours" : $"{t.TotalMinutes:0.#} minutes";
        if (updatedAt is not { } at)
        {
            if (userMax != null)
                errors.Add($"the age of the vulnerability database {path} is unknown, so it cannot be shown to be newer than the maximum of {Span(maxAge)}; run Update-DockOptVulnerabilityDatabase");
            return;
        }
        var age = DateTime.UtcNow - at;
        if (age <= maxAge) return;
        var text = $"the vulnerability database {path} was last updated {at:u} ({Span(age)} ago, more than {Span(maxAge)})";
        if (userMax != null)
            errors.Add(text + "; run Update-DockOptVulnerabilityDatabase or raise -MaximumDatabaseAge");
        else if (!_warnedAge)
        {
            _warnedAge = true;
            _sink.Warning($"The {text[4..]}; run Update-DockOptVulnerabilityDatabase.");
        }
    }

    sealed class DbInfo
    {
        public string Path = "";
        public DateTime? UpdatedAt;
        public int Records;
        public double LoadSeconds;
    }

    /// <summary>
    /// Scans the packages listed in an existing CycloneDX or SPDX JSON SBOM (no image): vulnerabilities from the OSV
    /// records only (secrets and configuration need the image). The report's Image is the SBOM's subject.
    /// </summary>
    public SecurityReport ScanSbom(string path)
    {
        var sw = Stopwatch.StartNew();
        var scan = Packages.SbomReader.Read(path);
        _sink.Verbose($"{path}: {scan.Packages.Count} package(s) with {scan.Packages.Count(p => p.Ecosystem.Length > 0)} matchable purl(s).");
        var vulns = new List<DockOpt.Vulnerability>();
        var sources = new List<string>();
        var errors = new List<string>();
        if (_req.Vulnerabilities && _dbPaths.Length > 0)
        {
            var filter = OsvLoadFilter.For(scan.Packages);
            var osv = OsvDatabase.Load(_dbPaths, filter);
            var source = string.Join("; ", _dbPaths);
            sources.Add("OSV:" + source);
            CheckAge(source, _dbPaths.Select(p => VulnerabilityDatabaseStore.UpdatedAt(p, filter.Ecosystems)).Where(t => t != null).Min(), errors);
            if (osv.ConsultedRecords == 0 && scan.Packages.Any(p => p.Ecosystem.Length > 0))
                errors.Add($"the vulnerability database {source} holds 0 records for the ecosystems of this SBOM ({string.Join(", ", filter.Ecosystems.OrderBy(e => e))}); run Update-DockOptVulnerabilityDatabase");
            vulns.AddRange(osv.Findings(scan.Packages, new GoPlatform("linux", scan.Architecture)));
        }
        else if (_req.Vulnerabilities)
            errors.Add("no vulnerability data: run Update-DockOptVulnerabilityDatabase or give -VulnerabilityDatabase (an SBOM scan has nothing else to check)");
        return SecurityEvaluator.Evaluate(scan, vulns, _ignore, _req.Policy, errors, sources, DateTime.UtcNow, sw.Elapsed);
    }

    /// <summary>Full scan of one image into a report.</summary>
    public async Task<SecurityReport> ScanAsync(DockerEngine? engine, string image, bool isPath, CancellationToken ct, DockerfileRef? dockerfile = null)
    {
        var sw = Stopwatch.StartNew();
        var scan = await ScanImageAsync(engine, image, isPath, false, ct).ConfigureAwait(false);
        var vulns = new List<DockOpt.Vulnerability>();
        var errors = new List<string>();
        var sources = new List<string>();
        var dbInfo = new DbInfo();
        if (_req.Vulnerabilities)
        {
            var search = new VulnerabilitySearch(image, scan, vulns, errors, sources);
            if (_dbPaths.Length > 0) AddOsvFindings(search, dbInfo);
            var (trivyFile, ranTrivy) = await ObtainTrivyReportAsync(engine, isPath, search, ct).ConfigureAwait(false);
            if (trivyFile != null) AddTrivyFindings(search, trivyFile, ranTrivy);
            if (sources.Count == 0)
                errors.Add(_defaultDbMissing
                    ? $"no vulnerability data: the default database {VulnerabilityDatabaseStore.DefaultPath} is empty (run Update-DockOptVulnerabilityDatabase, give -VulnerabilityDatabase, or scan with -Scanner Secret,Config)"
                    : "no vulnerability data (give -VulnerabilityDatabase or -TrivyReport, or put trivy on PATH)");
        }
        var report = SecurityEvaluator.Evaluate(scan, vulns, _ignore, _req.Policy, errors, sources, DateTime.UtcNow, sw.Elapsed);
        report.Database = dbInfo.Path;
        report.DatabaseUpdatedAt = dbInfo.UpdatedAt;
        report.RecordCount = dbInfo.Records;
        report.DatabaseLoadSeconds = Math.Round(dbInfo.LoadSeconds, 3);
        report.Source = scan.Source;
        if (dockerfile != null) TieFindingsToDockerfile(report, scan, image, dockerfile);
        return report;
    }

    /// <summary>The image being scanned for vulnerabilities and the lists its findings, errors and sources go to.</summary>
    sealed record VulnerabilitySearch(string Image, ImageScanResult Scan, List<DockOpt.Vulnerability> Vulns, List<string> Errors, List<string> Sources);

    /// <summary>Loads the OSV records for the image's ecosystems, checks the database's age and adds the OSV findings.</summary>
    void AddOsvFindings(VulnerabilitySearch search, DbInfo dbInfo)
    {
        var (image, scan, errors) = (search.Image, search.Scan, search.Errors);
        var lw = Stopwatch.StartNew();
        var filter = OsvLoadFilter.For(scan.Packages);
        var osv = OsvDatabase.Load(_dbPaths, filter);
        dbInfo.LoadSeconds = lw.Elapsed.TotalSeconds;
        dbInfo.Records = osv.ConsultedRecords;
        dbInfo.Path = string.Join("; ", _dbPaths);
        dbInfo.UpdatedAt = _dbPaths.Select(p => VulnerabilityDatabaseStore.UpdatedAt(p, filter.Ecosystems)).Where(t => t != null).Min();
        _sink.Verbose($"{image}: {osv.ConsultedRecords} OSV record(s) consulted, {osv.RecordCount} read, for {filter.Ecosystems.Count} ecosystem(s) from {dbInfo.Path} in {lw.Elapsed.TotalSeconds:0.00} s.");
        search.Sources.Add("OSV:" + dbInfo.Path);
        if (osv.ConsultedRecords == 0 && scan.Packages.Any(p => p.Ecosystem.Length > 0))
            errors.Add($"the vulnerability database {dbInfo.Path} holds 0 records for the ecosystems of this image ({string.Join(", ", filter.Ecosystems.OrderBy(e => e))}); run Update-DockOptVulnerabilityDatabase -Name {image}");
        CheckAge(dbInfo.Path, dbInfo.UpdatedAt, errors);
        search.Vulns.AddRange(osv.Findings(scan.Packages, new GoPlatform("linux", scan.Architecture)));
    }

    /// <summary>
    /// The Trivy report to read: -TrivyReport, or trivy's report of the scanned image when -RunTrivy finds trivy on PATH
    /// (not for a registry image); ranTrivy says the file is a temporary one to delete after reading.
    /// </summary>
    async Task<(string? TrivyFile, bool RanTrivy)> ObtainTrivyReportAsync(DockerEngine? engine, bool isPath, VulnerabilitySearch search, CancellationToken ct)
    {
        var (image, scan) = (search.Image, search.Scan);
        string? trivyFile = _req.TrivyReport;
        var ranTrivy = false;
        var fromRegistry = !isPath && ImageSourceReference.HasTransport(image);
        if (fromRegistry && trivyFile == null && _req.RunTrivy && TrivyReport.FindOnPath() != null)
            _sink.Verbose($"{image}: trivy is not run on a registry image (DockOpt does not pull it); give -TrivyReport from 'trivy image' instead.");
        if (!fromRegistry && trivyFile == null && _req.RunTrivy && TrivyReport.FindOnPath() is { } trivy)
        {
            string? archive = null;
            try
            {
                // trivy reads the exact image that was scanned: the archive itself, or the engine's export of the image ID
                // (through the same -Engine connection), never a name that may have moved.
                var input = image;
                if (!isPath)
                {
                    archive = Path.Combine(Path.GetTempPath(), "dockopt-trivy-input-" + Guid.NewGuid().ToString("N") + ".tar");
                    await ExportAsync(engine!, scan.ImageId.Length > 0 ? scan.ImageId : image, archive, ct).ConfigureAwait(false);
                    input = archive;
                }
                _sink.Verbose($"Running {trivy} (offline, cached DB) on {input} for {image}.");
                trivyFile = await TrivyReport.RunAsync(trivy, input, image, ct).ConfigureAwait(false);
                ranTrivy = true;
            }
            catch (DockOptException e) { search.Errors.Add(e.Message); }
            finally
            {
                if (archive != null && File.Exists(archive)) File.Delete(archive);
            }
        }
        return (trivyFile, ranTrivy);
    }

    /// <summary>Adds the Trivy report's findings OSV did not already report; deletes the report when trivy was run here.</summary>
    static void AddTrivyFindings(VulnerabilitySearch search, string trivyFile, bool ranTrivy)
    {
        var (image, scan, vulns) = (search.Image, search.Scan, search.Vulns);
        try
        {
            using var s = Dockerfiles.SourceFile.OpenRead(trivyFile, "Trivy report");
            var tv = TrivyReport.Parse(s, trivyFile, scan.DiffIds, scan.BaseLayers, scan.ImageId);
            foreach (var v in tv) v.Image = image;
            // OSV and Trivy may report the same vulnerability (under any of its ids) for the same package: keep the first.
            var have = new HashSet<string>(vulns.SelectMany(v => v.Aliases.Append(v.Id).Select(id => id + "|" + v.Package + "|" + v.InstalledVersion)), StringComparer.OrdinalIgnoreCase);
            vulns.AddRange(tv.Where(v => v.Aliases.Append(v.Id).All(id => !have.Contains(id + "|" + v.Package + "|" + v.InstalledVersion)) && have.Add(v.Id + "|" + v.Package + "|" + v.InstalledVersion)));
            search.Sources.Add("Trivy:" + (ranTrivy ? "trivy" : trivyFile));
        }
        finally
        {
            if (ranTrivy) File.Delete(trivyFile);
        }
    }

    /// <summary>Ties the report's findings to the lines of the Dockerfile the image was built from, or warns why not.</summary>
    void TieFindingsToDockerfile(SecurityReport report, ImageScanResult scan, string image, DockerfileRef dockerfile)
    {
        var locator = DockerfileLocator.Create(dockerfile.Path, dockerfile.Target, scan.History, scan.DiffIds.Length, out var why);
        if (locator == null) _sink.Warning($"{image}: findings are not tied to Dockerfile lines: {why}.");
        else _sink.Verbose($"{image}: {locator.Apply(report)} finding(s) tied to lines of {dockerfile.Path} ({locator.MatchedCount} history entries matched).");
    }
}
