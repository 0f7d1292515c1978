using System.Management.Automation;
using DockOpt.Engine.History;

namespace DockOpt.Cmdlets;

/// <summary>Reads DockOpt history files (builds and comparisons), filtered, or summarized per image with -Summary.</summary>
[Cmdlet(VerbsCommon.Get, "DockOptHistory", DefaultParameterSetName = ParameterSets.Path)]
[OutputType(typeof(HistoryRecord), typeof(HistorySummary))]
public sealed class GetDockOptHistoryCommand : DockOptCmdlet
{
    readonly List<string> _paths = new();

    /// <summary>History files (JSON lines; wildcards allowed). Default: $env:DOCKOPT_HISTORY.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.Path)]
    [Alias("HistoryPath", "FullName")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>History files, taken literally (no wildcard expansion).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.LiteralPath)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    /// <summary>Only records of these images: repository:tag, repository, image ID prefix; wildcards allowed. Comparisons also match on their reference image.</summary>
    [Parameter]
    [Alias("Image", "ImageId")]
    [SupportsWildcards]
    [ImageNameTransformation]
    [ArgumentCompleter(typeof(ImageNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Only records of images with these tags (wildcards allowed).</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Tag { get; set; }

    /// <summary>Only records of these kinds: Build, Comparison.</summary>
    [Parameter]
    [ValidateSet(HistoryKind.Build, HistoryKind.Comparison, IgnoreCase = true)]
    public string[]? Kind { get; set; }

    /// <summary>Only records made at or after this time.</summary>
    [Parameter]
    public DateTime? Since { get; set; }

    /// <summary>One HistorySummary per image and kind instead of the records.</summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }

    protected override void ProcessRecord()
    {
        var literal = ParameterSetName == ParameterSets.LiteralPath;
        var paths = literal ? LiteralPath : Path;
        if (paths == null) return;
        _paths.AddRange(ResolvePaths(paths, literal));
    }

    protected override void EndProcessing()
    {
        if (_paths.Count == 0)
        {
            var env = HistoryStore.ResolvePath(null, SessionState.Path.CurrentFileSystemLocation.ProviderPath);
            if (env == null)
            {
                ThrowTerminatingError(ToErrorRecord(new DockOptException(ErrorIds.HistoryPathMissing, DockOptErrorCategory.InvalidArgument,
                    "No history file: give -Path or set $env:DOCKOPT_HISTORY.", null, "Get-DockOptHistory -Path ./reports/history.jsonl")));
                return;
            }
            _paths.Add(env);
        }

        var query = new HistoryQuery { Image = Name, Tag = Tag, Kind = Kind, Since = Since };
        var summarize = Summary.IsPresent;
        Run(ct =>
        {
            var all = new List<HistoryRecord>();
            foreach (var path in _paths)
            {
                ct.ThrowIfCancellationRequested();
                if (!File.Exists(path))
                {
                    Error(new DockOptException(ErrorIds.HistoryNotFound, DockOptErrorCategory.ObjectNotFound,
                        $"The history file '{path}' does not exist.", path,
                        "Record history with -HistoryPath or $env:DOCKOPT_HISTORY on Invoke-DockOptBuild and Compare-DockOptImage first."));
                    continue;
                }
                try
                {
                    var store = new HistoryStore(path);
                    foreach (var r in store.Read((line, reason) => Warning($"{path}:{line}: unreadable history line skipped ({reason}).")))
                    {
                        ct.ThrowIfCancellationRequested();
                        if (!query.Matches(r)) continue;
                        if (summarize) all.Add(r);
                        else Output(r);
                    }
                }
                catch (DockOptException e)
                {
                    Error(e);
                }
            }
            if (summarize)
                foreach (var s in HistoryQuery.Summarize(all))
                    Output(s);
            return Task.CompletedTask;
        });
        base.EndProcessing();
    }
}
