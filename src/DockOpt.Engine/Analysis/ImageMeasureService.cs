using System.Globalization;
using DockOpt.Engine.DockerApi;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis;

/// <summary>
/// The work of Measure-DockOptImage for a whole command: resolves the images (local names and wildcards, or archives),
/// analyzes each one, evaluates the gates (thresholds, -MinimumScore, -FailOn over the recommendations) and collects the
/// reasons. An image that could not be found or read counts against the gate (fail closed) when any gate is set.
/// </summary>
public sealed class ImageMeasureService
{
    readonly IDockOptSink _sink;
    readonly Func<DockOptException, bool> _isTerminating;

    public ImageMeasureService(IDockOptSink sink, Func<DockOptException, bool> isTerminating)
    {
        _sink = sink;
        _isTerminating = isTerminating;
    }

    /// <summary>What to measure and how to judge it.</summary>
    public sealed class Request
    {
        /// <summary>Local image names, IDs or wildcards (engine source).</summary>
        public IReadOnlyList<string> Names { get; init; } = Array.Empty<string>();

        /// <summary>Resolved archive paths (docker save tar, OCI archive, OCI layout folder).</summary>
        public IReadOnlyList<string> Archives { get; init; } = Array.Empty<string>();

        /// <summary>The base image whose layers are the base layers, or null to detect it.</summary>
        public string? BaseImage { get; init; }

        /// <summary>Thresholds and ignore globs (from .dockopt.yml / .dive-ci and the parameters).</summary>
        public AnalysisGates Gates { get; init; } = new();

        /// <summary>Fail when a recommendation at or above this severity is present (null: no severity gate).</summary>
        public Severity? FailOn { get; init; }

        /// <summary>Use (and fill) the per-session layer cache.</summary>
        public bool UseLayerCache { get; init; } = true;

        /// <summary>Judge every image as a Base or an Application (Auto: from each image's CMD and ENTRYPOINT).</summary>
        public ImageProfile Profile { get; init; } = ImageProfile.Auto;
        /// <summary>Registry images (<c>docker://host/repo:tag[@digest]</c>), read without a pull.</summary>
        public IReadOnlyList<string> Remote { get; init; } = Array.Empty<string>();

        /// <summary>The platform to pick from an index (<c>os/arch[/variant]</c>); null: the host's.</summary>
        public string? Platform { get; init; }

        /// <summary>The transport-qualified reference of an archive path given with a prefix (oci-archive:…); others are derived.</summary>
        public IReadOnlyDictionary<string, string> ArchiveSources { get; init; } = new Dictionary<string, string>();

        /// <summary>Inputs that could not even be resolved (e.g. a -Path wildcard without a match); they count against the gate.</summary>
        public IReadOnlyList<string> Unresolved { get; init; } = Array.Empty<string>();
    }

    /// <summary>The outcome of one command: every analysis, every gate reason and the inputs that could not be measured.</summary>
    public sealed class Outcome
    {
        public List<ImageAnalysis> Analyses { get; } = new();

        /// <summary>Every reason the gate fails, one sentence each (violations and inputs that could not be measured).</summary>
        public List<string> GateReasons { get; } = new();

        /// <summary>Inputs that could not be found or read.</summary>
        public List<string> NotMeasured { get; } = new();

        /// <summary>True when any gate (threshold, -MinimumScore or -FailOn) was asked for.</summary>
        public bool Gated { get; init; }

        /// <summary>The gate fails: it was asked for and there is at least one reason.</summary>
        public bool GateFailed => Gated && GateReasons.Count > 0;

        /// <summary>The one terminating error of the gate, or null when it passes.</summary>
        public DockOptException? GateError() => !GateFailed ? null : new DockOptException(ErrorIds.ImageAnalysisGateFailed, DockOptErrorCategory.InvalidResult,
            $"{GateReasons.Count} image analysis gate reason(s):{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", GateReasons),
            string.Join(", ", Analyses.Where(r => r.GateViolations.Length > 0).Select(r => r.Image).Concat(NotMeasured)),
            "Reduce the waste the Recommendations list (see the Waste property), or adjust the thresholds (-LowestEfficiency, -HighestReclaimableBytes, -HighestUserWastedPercent, -MinimumScore, -FailOn, .dockopt.yml); images that could not be read count against the gate.");
    }

    /// <summary>Measures every input; writes each analysis through <paramref name="emit"/> as soon as it is done.</summary>
    public async Task<Outcome> MeasureAsync(Request request, Func<CancellationToken, Task<DockerEngine>> getEngine,
        Action<ImageAnalysis> emit, CancellationToken ct)
    {
        var outcome = new Outcome { Gated = request.Gates.Any || request.FailOn != null };
        foreach (var u in request.Unresolved) NotMeasured(outcome, u, "not found");
        var run = new MeasureRun(request, getEngine, emit, outcome, new ImageAnalyzer(_sink, request.UseLayerCache ? LayerScanCache.Shared : null));
        if (request.Archives.Count > 0) await MeasureArchivesAsync(run, ct).ConfigureAwait(false);
        if (request.Remote.Count > 0) await MeasureRemoteAsync(run, ct).ConfigureAwait(false);
        if (request.Names.Count > 0) await MeasureLocalImagesAsync(run, ct).ConfigureAwait(false);
        return outcome;
    }

    /// <summary>The state of one MeasureAsync call shared by its steps; ProgressId numbers the analyses in order.</summary>
    sealed record MeasureRun(Request Request, Func<CancellationToken, Task<DockerEngine>> GetEngine, Action<ImageAnalysis> Emit,
        Outcome Outcome, ImageAnalyzer Analyzer)
    {
        public int ProgressId { get; set; } = 1;
    }

    /// <summary>Evaluates the gates of one analysis, records it in the outcome and writes it.</summary>
    static void GateAndEmit(MeasureRun run, ImageAnalysis a)
    {
        var (request, outcome, gates) = (run.Request, run.Outcome, run.Request.Gates);
        var reasons = new List<string>();
        if (gates.Any) reasons.AddRange(gates.Evaluate(a));
        if (request.FailOn is { } failOn) reasons.AddRange(SeverityReasons(a, failOn));
        if (outcome.Gated) a.GateViolations = reasons.ToArray();
        outcome.GateReasons.AddRange(reasons);
        outcome.Analyses.Add(a);
        run.Emit(a);
    }

    /// <summary>Measures the archives (docker save tar, OCI archive, OCI layout folder).</summary>
    async Task MeasureArchivesAsync(MeasureRun run, CancellationToken ct)
    {
        var request = run.Request;
        IList<string>? baseIds = null;
        if (request.BaseImage != null) baseIds = await BaseDiffIdsAsync(request, run.GetEngine, ct).ConfigureAwait(false);
        foreach (var path in request.Archives)
        {
            await OneAsync(run.Outcome, path, async () => GateAndEmit(run, (await run.Analyzer.AnalyzeAsync(new ImageAnalyzer.Request
            {
                Source = ImageSource.FromPath(path, request.ArchiveSources.TryGetValue(path, out var given) ? ImageSourceReference.Parse(given).OciRef : null),
                Name = path,
                SourceKind = request.ArchiveSources.TryGetValue(path, out var qualified) ? qualified : ImageSourceReference.ForPath(path),
                Platform = request.Platform,
                IgnorePaths = request.Gates.IgnorePaths,
                Profile = request.Profile,
                SizeHint = File.Exists(path) ? new FileInfo(path).Length : 0,
                ProgressId = run.ProgressId++,
                ResolveBase = baseIds == null ? null : (_, d, _) => Task.FromResult(BaseLayerResolver.FromBaseDiffIds(d, baseIds, request.BaseImage!)),
            }, ct).ConfigureAwait(false)).Analysis)).ConfigureAwait(false);
        }
    }

    /// <summary>Measures the registry images (docker://), read without a pull.</summary>
    async Task MeasureRemoteAsync(MeasureRun run, CancellationToken ct)
    {
        var request = run.Request;
        IList<string>? baseIds = request.BaseImage == null ? null : await BaseDiffIdsAsync(request, run.GetEngine, ct).ConfigureAwait(false);
        var blobs = request.UseLayerCache ? Registry.LayerBlobCache.FromEnvironment() : null;
        foreach (var text in request.Remote)
        {
            await OneAsync(run.Outcome, text, async () =>
            {
                var reference = ImageSourceReference.Parse(text);
                var source = new Registry.RegistryImageSource(reference.Registry!, _sink, cache: blobs);
                GateAndEmit(run, (await run.Analyzer.AnalyzeAsync(new ImageAnalyzer.Request
                {
                    Source = source,
                    Name = text,
                    SourceKind = reference.Qualified,
                    IgnorePaths = request.Gates.IgnorePaths,
                    ProgressId = run.ProgressId++,
                    Platform = request.Platform,
                    ResolveBase = baseIds == null ? null : (_, d, _) => Task.FromResult(BaseLayerResolver.FromBaseDiffIds(d, baseIds, request.BaseImage!)),
                }, ct).ConfigureAwait(false)).Analysis);
            }).ConfigureAwait(false);
        }
    }

    /// <summary>Measures the local images (names, IDs, wildcards) of the engine, with their cached push estimates.</summary>
    async Task MeasureLocalImagesAsync(MeasureRun run, CancellationToken ct)
    {
        var (request, outcome) = (run.Request, run.Outcome);
        var engine = await run.GetEngine(ct).ConfigureAwait(false);
        var images = await new LocalImageCatalog(engine).GetAsync(new LocalImageCatalog.Query { Names = request.Names, IncludeHistory = false },
            e =>
            {
                _sink.Error(e);
                NotMeasured(outcome, e.Target?.ToString() ?? e.Message, e.ErrorId);
            }, ct).ConfigureAwait(false);
        var resolver = new BaseLayerResolver(engine, _sink);
        IList<string>? baseIds = request.BaseImage == null ? null : await BaseDiffIdsAsync(request, run.GetEngine, ct).ConfigureAwait(false);
        var pushSizes = new Registry.PushSizeEstimator(engine, _sink);
        foreach (var info in images)
        {
            await OneAsync(outcome, info.Name, async () => GateAndEmit(run, WithPushEstimate((await run.Analyzer.AnalyzeAsync(new ImageAnalyzer.Request
            {
                Source = ImageSource.FromEngine(engine, info.Id),
                Name = info.Name,
                ImageId = info.Id,
                DiffIds = info.LayerDiffIds,
                SizeHint = info.Size,
                SourceKind = ImageSourceReference.ForEngine(info.Name),
                Platform = request.Platform,
                VerifyDiffIds = false, // the local engine is trusted; saves a SHA-256 pass over every layer
                IgnorePaths = request.Gates.IgnorePaths,
                Profile = request.Profile,
                ProgressId = run.ProgressId++,
                ResolveBase = baseIds != null
                    ? (_, d, _) => Task.FromResult(BaseLayerResolver.FromBaseDiffIds(d, baseIds, request.BaseImage!))
                    : (cfg, d, c) => resolver.ResolveAsync(info.Id, cfg, d, c),
            }, ct).ConfigureAwait(false)).Analysis, pushSizes.TryCached(info.LayerDiffIds)))).ConfigureAwait(false);
        }
    }

    /// <summary>A local image's CompressedSize: the push estimate when its layers were estimated before (no export here), else null.</summary>
    static ImageAnalysis WithPushEstimate(ImageAnalysis a, long? estimate)
    {
        a.CompressedSize ??= estimate;
        return a;
    }

    /// <summary>The diff IDs of -BaseImage: a registry image (docker://, its manifest and config only) or a local image.</summary>
    async Task<IList<string>> BaseDiffIdsAsync(Request request, Func<CancellationToken, Task<DockerEngine>> getEngine, CancellationToken ct)
    {
        var b = request.BaseImage!;
        if (ImageSourceReference.HasTransport(b))
        {
            var r = ImageSourceReference.Parse(b);
            if (r.Transport == ImageTransport.Registry)
            {
                var (_, _, summary) = await new Registry.RegistryImageSource(r.Registry!, _sink).ReadManifestAsync(request.Platform, ct).ConfigureAwait(false);
                return summary.DiffIds;
            }
            if (r.Transport != ImageTransport.Engine)
                throw new DockOptException(ErrorIds.InvalidImageSource, DockOptErrorCategory.InvalidArgument,
                    $"-BaseImage '{b}': a base image is a local image or a registry image (docker://).", b, "Give -BaseImage docker://host/repo:tag or a local image name.");
            b = r.Value;
        }
        var engine = await getEngine(ct).ConfigureAwait(false);
        return await new BaseLayerResolver(engine, _sink).GetDiffIdsAsync(b, ct).ConfigureAwait(false);
    }

    /// <summary>Runs one analysis; a per-image failure is written as an error and counted against the gate.</summary>
    async Task OneAsync(Outcome outcome, string input, Func<Task> work)
    {
        try
        {
            await work().ConfigureAwait(false);
        }
        catch (DockOptException e) when (!_isTerminating(e))
        {
            _sink.Error(e);
            NotMeasured(outcome, input, e.ErrorId);
        }
    }

    static void NotMeasured(Outcome outcome, string input, string reason)
    {
        outcome.NotMeasured.Add(input);
        outcome.GateReasons.Add($"{input}: could not be measured ({reason})");
    }

    /// <summary>The -FailOn reasons of one analysis: its recommendations at or above the severity.</summary>
    public static IEnumerable<string> SeverityReasons(ImageAnalysis a, Severity failOn) =>
        a.Recommendations
            .Where(r => !Enum.TryParse<Severity>(r.Severity, true, out var s) || s >= failOn) // an unknown severity is never below a gate
            .Select(r => string.Format(CultureInfo.InvariantCulture, "{0}: {1} {2} ({3}) is at or above -FailOn {4}", a.Image, r.Id, r.Rule, r.Severity, failOn));
}
