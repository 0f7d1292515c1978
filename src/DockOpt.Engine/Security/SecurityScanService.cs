using System.Diagnostics;
using DockOpt.Engine.DockerApi;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Security;

/// <summary>Options of one Invoke-DockOptScan / Get-DockOptPackage command.</summary>
public sealed class SecurityScanRequest
{
    public bool Vulnerabilities { get; init; } = true;
    public bool Secrets { get; init; } = true;
    public bool Config { get; init; } = true;
    public string? VulnerabilityDatabase { get; init; }
    public string? TrivyReport { get; init; }
    public bool RunTrivy { get; init; } = true;
    public string? IgnoreFile { get; init; }
    public GatePolicy Policy { get; init; } = new();
    public string? SbomPath { get; init; }
    public bool SbomTimestamp { get; init; }
}

/// <summary>Drives one scan per image: base-image detection, the single-pass reader, vulnerability sources, evaluation, SBOM.</summary>
public sealed class SecurityScanService
{
    readonly SecurityScanRequest _req;
    readonly IDockOptSink _sink;
    OsvDatabase? _osv;
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
        if (_req.VulnerabilityDatabase != null)
        {
            var sw = Stopwatch.StartNew();
            _osv = OsvDatabase.Load(_req.VulnerabilityDatabase);
            _sink.Verbose($"Loaded {_osv.RecordCount} OSV record(s) from {_req.VulnerabilityDatabase} in {sw.Elapsed.TotalSeconds:0.00} s.");
        }
        if (_req.TrivyReport != null && !File.Exists(_req.TrivyReport))
            throw new DockOptException("TrivyReportNotFound", DockOptErrorCategory.ObjectNotFound, $"The Trivy report '{_req.TrivyReport}' does not exist.",
                _req.TrivyReport, "Give the path of a file written by 'trivy image --format json --output FILE'.");
        if (_req.IgnoreFile != null) _ignore = IgnoreFile.Load(_req.IgnoreFile);
    }

    /// <summary>Base layers: the longest tagged local image whose layers are a strict prefix of this image's layers.</summary>
    async Task<(int Layers, int History)> FindBaseAsync(DockerEngine engine, string imageId, string[] diffIds, CancellationToken ct)
    {
        if (_localImages == null)
        {
            _localImages = new();
            var list = await engine.Client.Images.ListImagesAsync(new Docker.DotNet.Models.ImagesListParameters { All = false }, ct).ConfigureAwait(false);
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
            throw new DockOptException("ImageNotFound", DockOptErrorCategory.ObjectNotFound, $"No local image '{image}'.", image,
                "Check the name with Get-DockOptImage, or build or load the image first.", e);
        }
        catch (Docker.DotNet.DockerApiException e)
        {
            throw EngineErrors.FromApi(e, "ImageNotFound", image);
        }
    }

    /// <summary>Reads the image once with the requested scanners.</summary>
    public async Task<ImageScanResult> ScanImageAsync(DockerEngine? engine, string image, bool isPath, bool packagesOnly, CancellationToken ct)
    {
        int baseLayers = -1, baseHistory = -1;
        ImageSource source;
        if (isPath)
        {
            if (!File.Exists(image) && !Directory.Exists(image))
                throw new DockOptException("ImageArchiveNotFound", DockOptErrorCategory.ObjectNotFound, $"'{image}' is neither a file nor a folder.", image,
                    "Give a 'docker save' tar, an OCI archive or an OCI layout folder.");
            source = ImageSource.FromPath(image);
        }
        else
        {
            var (id, diffIds) = await InspectAsync(engine!, image, ct).ConfigureAwait(false);
            (baseLayers, baseHistory) = await FindBaseAsync(engine!, id, diffIds, ct).ConfigureAwait(false);
            source = ImageSource.FromEngine(engine!, id);
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
        var read = new ImageReadOptions { VerifyDiffIds = isPath };
        var result = await ImageScanner.ScanAsync(source, image, options, _sink, ct, read).ConfigureAwait(false);
        if (_req.SbomPath != null) WriteSbom(result);
        return result;
    }

    void WriteSbom(ImageScanResult r)
    {
        var path = _req.SbomPath!;
        if (Directory.Exists(path))
        {
            var safe = new string(r.Image.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray());
            path = Path.Combine(path, safe + ".cdx.json");
        }
        if (!_sink.ShouldProcess(path, "Write CycloneDX 1.6 SBOM")) return;
        ReportWriters.WriteAtomic(path, ReportWriters.ToCycloneDx(r, ToolVersion, _req.SbomTimestamp ? DateTime.UtcNow : null));
        _sink.Verbose($"Wrote SBOM {path} ({r.Packages.Count} components).");
    }

    /// <summary>Full scan of one image into a report.</summary>
    public async Task<SecurityReport> ScanAsync(DockerEngine? engine, string image, bool isPath, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var scan = await ScanImageAsync(engine, image, isPath, false, ct).ConfigureAwait(false);
        var vulns = new List<DockOpt.Vulnerability>();
        var errors = new List<string>();
        var sources = new List<string>();
        if (_req.Vulnerabilities)
        {
            if (_osv != null)
            {
                sources.Add("OSV:" + _osv.Source);
                foreach (var p in scan.Packages) vulns.AddRange(_osv.Match(p));
            }
            string? trivyFile = _req.TrivyReport;
            var ranTrivy = false;
            if (trivyFile == null && _req.RunTrivy && !isPath && TrivyReport.FindOnPath() is { } trivy)
            {
                try
                {
                    _sink.Verbose($"Running {trivy} (offline, cached DB) for {image}.");
                    trivyFile = await TrivyReport.RunAsync(trivy, image, ct).ConfigureAwait(false);
                    ranTrivy = true;
                }
                catch (DockOptException e) { errors.Add(e.Message); }
            }
            if (trivyFile != null)
            {
                try
                {
                    using var s = File.OpenRead(trivyFile);
                    var tv = TrivyReport.Parse(s, trivyFile, scan.DiffIds, scan.BaseLayers);
                    foreach (var v in tv) v.Image = image;
                    // OSV and Trivy may report the same advisory for the same package: keep the first.
                    var have = new HashSet<string>(vulns.Select(v => v.Id + "|" + v.Package + "|" + v.InstalledVersion), StringComparer.Ordinal);
                    vulns.AddRange(tv.Where(v => have.Add(v.Id + "|" + v.Package + "|" + v.InstalledVersion)));
                    sources.Add("Trivy:" + (ranTrivy ? "trivy" : trivyFile));
                }
                finally
                {
                    if (ranTrivy) File.Delete(trivyFile);
                }
            }
            if (sources.Count == 0)
                _sink.Warning($"{image}: no vulnerability data (give -VulnerabilityDatabase or -TrivyReport, or put trivy on PATH); only secrets and configuration were checked.");
        }
        return SecurityEvaluator.Evaluate(scan, vulns, _ignore, _req.Policy, errors, sources, DateTime.UtcNow, sw.Elapsed);
    }
}
