using System.Management.Automation;
using DockOpt.Engine.Analysis;
using DockOpt.Engine.Images;

namespace DockOpt.Cmdlets;

/// <summary>Measures images layer by layer: sizes, reclaimable bytes with causes, duplicates, efficiency, score and recommendations.</summary>
[Cmdlet(VerbsDiagnostic.Measure, "DockOptImage", DefaultParameterSetName = "Name", SupportsShouldProcess = true)]
[OutputType(typeof(ImageAnalysis))]
public sealed class MeasureDockOptImageCommand : EngineCmdlet
{
    readonly List<string> _names = new();
    readonly List<string> _archives = new();

    /// <summary>Local image names, IDs or wildcards; ImageInfo and BuildResult objects bind by their Name.</summary>
    [Parameter(ParameterSetName = "Name", Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ImageId", "Id", "Image")]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <summary>A docker save tar, an OCI archive tar or an OCI layout directory.</summary>
    [Parameter(ParameterSetName = "Archive", Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    public string[]? ArchivePath { get; set; }

    /// <summary>The base image: its layers are the base layers (diff IDs shared as a prefix).</summary>
    [Parameter]
    public string? BaseImage { get; set; }

    /// <summary>Gate: fail when Efficiency is below this (0 to 1).</summary>
    [Parameter]
    [ValidateRange(0.0, 1.0)]
    public double? LowestEfficiency { get; set; }

    /// <summary>Gate: fail when ReclaimableBytes is above this.</summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long? HighestReclaimableBytes { get; set; }

    /// <summary>Gate: fail when UserWastedPercent is above this (0 to 100).</summary>
    [Parameter]
    [ValidateRange(0.0, 100.0)]
    public double? HighestUserWastedPercent { get; set; }

    /// <summary>Gate: fail when Score is below this (0 to 100).</summary>
    [Parameter]
    [ValidateRange(0, 100)]
    public int? MinimumScore { get; set; }

    /// <summary>Path globs whose waste and duplicates are not counted (e.g. /var/log/**, *.pyc).</summary>
    [Parameter]
    public string[]? IgnorePath { get; set; }

    /// <summary>Settings file (default: ./.dockopt.yml when present; ./.dive-ci is read too).</summary>
    [Parameter]
    public string? ConfigPath { get; set; }

    /// <summary>Writes all analyses and the gate verdict as JSON (with schemaVersion) to this file.</summary>
    [Parameter]
    public string? OutFile { get; set; }

    /// <summary>Do not use (or fill) the per-session layer cache.</summary>
    [Parameter]
    public SwitchParameter NoCache { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == "Archive")
        {
            foreach (var p in ArchivePath ?? Array.Empty<string>())
                _archives.Add(SessionState.Path.GetUnresolvedProviderPathFromPSPath(p));
        }
        else if (Name != null)
            _names.AddRange(Name.Where(n => !string.IsNullOrWhiteSpace(n)));
    }

    protected override void EndProcessing()
    {
        var cwd = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
        AnalysisGates gates;
        try
        {
            gates = AnalysisGates.FromFiles(cwd, ConfigPath == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ConfigPath));
        }
        catch (DockOptException e)
        {
            ThrowTerminatingError(ToErrorRecord(e));
            return;
        }
        if (LowestEfficiency != null) gates.LowestEfficiency = LowestEfficiency;
        if (HighestReclaimableBytes != null) gates.HighestReclaimableBytes = HighestReclaimableBytes;
        if (HighestUserWastedPercent != null) gates.HighestUserWastedPercent = HighestUserWastedPercent;
        if (MinimumScore != null) gates.MinimumScore = MinimumScore;
        if (IgnorePath != null) gates.IgnorePaths.AddRange(IgnorePath);
        foreach (var s in gates.Sources) WriteVerbose($"Gate settings from {s}.");

        var results = new List<ImageAnalysis>();
        var violations = new List<string>();
        var outFile = OutFile == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutFile);

        if (_names.Count == 0 && _archives.Count == 0 && ParameterSetName == "Name" && MyInvocation.ExpectingInput)
        {
            base.EndProcessing();
            return;
        }
        if (_names.Count == 0 && _archives.Count == 0)
        {
            ThrowTerminatingError(ToErrorRecord(new DockOptException("ImageNameRequired", DockOptErrorCategory.InvalidArgument,
                "Give the images to measure: names, ImageInfo/BuildResult objects from the pipeline, or -ArchivePath.", null,
                "For example: Measure-DockOptImage app:1, or Get-DockOptImage app* | Measure-DockOptImage.")));
        }

        Run(async ct =>
        {
            var cache = NoCache ? null : LayerScanCache.Shared;
            var analyzer = new ImageAnalyzer(this, cache);
            var progressId = 1;
            if (_archives.Count > 0)
            {
                IList<string>? baseIds = null;
                if (BaseImage != null)
                {
                    var engine = await GetEngineAsync(ct).ConfigureAwait(false);
                    baseIds = await new BaseLayerResolver(engine, this).GetDiffIdsAsync(BaseImage, ct).ConfigureAwait(false);
                }
                foreach (var path in _archives)
                {
                    try
                    {
                        var r = await analyzer.AnalyzeAsync(new ImageAnalyzer.Request
                        {
                            Source = ImageSource.FromPath(path),
                            Name = path,
                            SourceKind = Directory.Exists(path) ? "OciLayout" : "Archive",
                            IgnorePaths = gates.IgnorePaths,
                            SizeHint = File.Exists(path) ? new FileInfo(path).Length : 0,
                            ProgressId = progressId++,
                            ResolveBase = baseIds == null ? null : (_, d, _) => Task.FromResult(BaseLayerResolver.FromBaseDiffIds(d, baseIds, BaseImage!)),
                        }, ct).ConfigureAwait(false);
                        Emit(r.Analysis);
                    }
                    catch (DockOptException e) when (!IsTerminating(e))
                    {
                        Error(e);
                    }
                }
            }
            else
            {
                var engine = await GetEngineAsync(ct).ConfigureAwait(false);
                var images = await new LocalImageCatalog(engine).GetAsync(new LocalImageCatalog.Query { Names = _names, IncludeHistory = false },
                    Error, ct).ConfigureAwait(false);
                var resolver = new BaseLayerResolver(engine, this);
                IList<string>? baseIds = BaseImage == null ? null : await resolver.GetDiffIdsAsync(BaseImage, ct).ConfigureAwait(false);
                foreach (var info in images)
                {
                    try
                    {
                        var r = await analyzer.AnalyzeAsync(new ImageAnalyzer.Request
                        {
                            Source = ImageSource.FromEngine(engine, info.Id),
                            Name = info.Name,
                            ImageId = info.Id,
                            DiffIds = info.LayerDiffIds,
                            SizeHint = info.Size,
                            SourceKind = "Engine",
                            VerifyDiffIds = false, // the local engine is trusted; saves a SHA-256 pass over every layer
                            IgnorePaths = gates.IgnorePaths,
                            ProgressId = progressId++,
                            ResolveBase = baseIds != null
                                ? (_, d, _) => Task.FromResult(BaseLayerResolver.FromBaseDiffIds(d, baseIds, BaseImage!))
                                : (cfg, d, c) => resolver.ResolveAsync(info.Id, cfg, d, c),
                        }, ct).ConfigureAwait(false);
                        Emit(r.Analysis);
                    }
                    catch (DockOptException e) when (!IsTerminating(e))
                    {
                        Error(e);
                    }
                }
            }

            void Emit(ImageAnalysis a)
            {
                if (gates.Any)
                {
                    a.GateViolations = gates.Evaluate(a);
                    violations.AddRange(a.GateViolations);
                }
                results.Add(a);
                Output(a);
            }
        });

        if (outFile != null && ShouldProcess(outFile, "Write the analysis as JSON"))
        {
            try
            {
                AnalysisJson.Write(outFile, results, violations.ToArray());
            }
            catch (DockOptException e)
            {
                ThrowTerminatingError(ToErrorRecord(e));
            }
        }
        base.EndProcessing();
        if (violations.Count > 0)
        {
            var e = new DockOptException("ImageAnalysisGateFailed", DockOptErrorCategory.InvalidResult,
                $"{violations.Count} image analysis gate(s) failed:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", violations),
                string.Join(", ", results.Where(r => r.GateViolations.Length > 0).Select(r => r.Image)),
                "Reduce the waste the Recommendations list (see the Waste property), or adjust the thresholds (-LowestEfficiency, -HighestReclaimableBytes, -HighestUserWastedPercent, -MinimumScore, .dockopt.yml).");
            ThrowTerminatingError(ToErrorRecord(e));
        }
    }
}
