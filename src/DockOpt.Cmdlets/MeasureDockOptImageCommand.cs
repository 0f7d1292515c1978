using System.Management.Automation;
using DockOpt.Engine.Analysis;

namespace DockOpt.Cmdlets;

/// <summary>Measures images layer by layer: sizes, reclaimable bytes with causes, duplicates, efficiency, score and recommendations.</summary>
// The default set is Archive (its -Path is not mandatory) so that piped files bind -Path by FullName before -Name takes
// their file name; piped strings and DockOpt objects still bind -Name, the only parameter that takes input by value.
[Cmdlet(VerbsDiagnostic.Measure, "DockOptImage", DefaultParameterSetName = ParameterSets.Archive, SupportsShouldProcess = true)]
[OutputType(typeof(ImageAnalysis), typeof(string))]
public sealed class MeasureDockOptImageCommand : EngineCmdlet
{
    static readonly string[] Formats = { "Json" };

    readonly List<string> _names = new();
    readonly List<string> _archives = new();
    readonly List<string> _unresolved = new();
    readonly List<string> _remote = new();
    readonly Dictionary<string, string> _archiveSources = new(StringComparer.Ordinal);
    string? _format;

    /// <summary>
    /// Images: local names, IDs or wildcards, or references with a transport: docker://host/repo:tag[@digest] (read from the
    /// registry, no pull), docker-daemon:name, docker-archive:path, oci-archive:path, oci:dir. Every DockOpt object that
    /// names an image binds from the pipeline.
    /// </summary>
    [Parameter(ParameterSetName = ParameterSets.Name, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Image", "ImageId", "Id")]
    [SupportsWildcards]
    [ImageNameTransformation]
    [ArgumentCompleter(typeof(ImageNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Image archives: docker save tars, OCI archive tars or OCI layout directories (wildcards allowed).</summary>
    [Parameter(ParameterSetName = ParameterSets.Archive, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>Image archives, taken literally (no wildcard expansion).</summary>
    [Parameter(ParameterSetName = ParameterSets.ArchiveLiteralPath, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    /// <summary>The base image: its layers are the base layers (diff IDs shared as a prefix).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ImageNameCompleter))]
    public string? BaseImage { get; set; }

    /// <summary>
    /// What to judge the images as: Application (a non-root USER and a HEALTHCHECK count), Base (they are listed as Info and
    /// deduct nothing), or Auto (default): Base when CMD/ENTRYPOINT is nothing more than a shell or interpreter.
    /// </summary>
    [Parameter]
    [ValidateSet("Auto", "Base", "Application", IgnoreCase = true)]
    public string Profile { get; set; } = "Auto";

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

    /// <summary>Gate: fail when a recommendation at or above this severity is present.</summary>
    [Parameter]
    [SeverityTransformation]
    public Severity? FailOn { get; set; }

    /// <summary>Path globs whose waste and duplicates are not counted (e.g. /var/log/**, *.pyc).</summary>
    [Parameter]
    public string[]? IgnorePath { get; set; }

    /// <summary>Settings file (default: ./.dockopt.yml when present; ./.dive-ci is read too).</summary>
    [Parameter]
    public string? ConfigPath { get; set; }

    /// <summary>Report format: Json (all analyses and the gate verdict, with schemaVersion).</summary>
    [Parameter]
    [ValidateSet("Json", IgnoreCase = true)]
    public string? Format { get; set; }

    /// <summary>Writes the report to this file (format from -Format or the extension); the analyses still go to the pipeline.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutFile { get; set; }

    /// <summary>The platform to pick from a multi-platform image (os/arch[/variant], e.g. linux/arm64); default: the host's.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Platform { get; set; }

    /// <summary>Do not use (or fill) the per-session layer cache (DockOpt's own; docker's build cache is not involved).</summary>
    [Parameter]
    public SwitchParameter NoLayerCache { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        try
        {
            _format = ReportFormat.Resolve(Format, OutFile, Formats);
        }
        catch (DockOptException e)
        {
            ThrowTerminatingError(ToErrorRecord(e));
        }
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ParameterSets.Name)
        {
            foreach (var n in Name ?? Array.Empty<string>())
                if (!string.IsNullOrWhiteSpace(n))
                {
                    switch (ClassifyImage(n))
                    {
                        case null: _unresolved.Add(n); break;
                        case { Transport: DockOpt.Engine.Images.ImageTransport.Engine } i: _names.Add(i.Value); break;
                        case { Transport: DockOpt.Engine.Images.ImageTransport.Registry } i: _remote.Add(i.Value); break;
                        case var i:
                            _archives.Add(i.Value);
                            _archiveSources[i.Value] = i.Qualified;
                            break;
                    }
                }
            return;
        }
        _archives.AddRange(ResolvePaths(ParameterSetName == ParameterSets.Archive ? Path : LiteralPath,
            ParameterSetName == ParameterSets.ArchiveLiteralPath, _unresolved));
    }

    protected override void EndProcessing()
    {
        AnalysisGates gates;
        try
        {
            gates = AnalysisGates.FromFiles(SessionState.Path.CurrentFileSystemLocation.ProviderPath,
                ConfigPath == null ? null : GetUnresolvedProviderPathFromPSPath(ConfigPath));
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

        var nothing = _names.Count == 0 && _archives.Count == 0 && _unresolved.Count == 0 && _remote.Count == 0;
        if (nothing && MyInvocation.ExpectingInput)
        {
            base.EndProcessing();
            return;
        }
        if (nothing)
            ThrowTerminatingError(ToErrorRecord(new DockOptException(ErrorIds.ImageNameRequired, DockOptErrorCategory.InvalidArgument,
                "Give the images to measure: names, DockOpt objects from the pipeline, or archives with -Path.", null,
                "For example: Measure-DockOptImage app:1, or Get-DockOptImage app* | Measure-DockOptImage.")));

        var request = new ImageMeasureService.Request
        {
            Names = _names,
            Archives = _archives,
            Remote = _remote,
            Platform = Platform,
            ArchiveSources = _archiveSources,
            Unresolved = _unresolved,
            BaseImage = BaseImage,
            Gates = gates,
            FailOn = FailOn,
            UseLayerCache = !NoLayerCache,
            Profile = Enum.Parse<ImageProfile>(Profile, ignoreCase: true),
        };
        var textOnly = _format != null && OutFile == null;
        ImageMeasureService.Outcome? outcome = null;
        Run(async ct => outcome = await new ImageMeasureService(this, IsTerminating)
            .MeasureAsync(request, GetEngineAsync, a => { if (!textOnly) Output(a); }, ct).ConfigureAwait(false));

        var violations = outcome!.GateReasons.ToArray();
        if (textOnly)
            WriteObject(AnalysisJson.Serialize(outcome.Analyses, outcome.Gated ? violations : Array.Empty<string>()));
        else if (OutFile != null)
        {
            var outFile = GetUnresolvedProviderPathFromPSPath(OutFile);
            if (ShouldProcess(outFile, $"Write the analysis as {_format}"))
            {
                try
                {
                    AnalysisJson.Write(outFile, outcome.Analyses, outcome.Gated ? violations : Array.Empty<string>());
                }
                catch (DockOptException e)
                {
                    ThrowTerminatingError(ToErrorRecord(e));
                }
            }
        }
        base.EndProcessing();
        if (outcome.GateError() is { } gateError) ThrowTerminatingError(ToErrorRecord(gateError));
    }
}
