using System.Collections;
using System.Management.Automation;
using DockOpt.Engine.Building;
using DockOpt.Engine.History;

namespace DockOpt.Cmdlets;

/// <summary>
/// Builds an image with the engine's classic builder from a context packed exactly as the docker CLI packs it,
/// and emits a DockOpt.BuildResult (image, size, layers, per-step timing and cache hits, git commit).
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "DockOptBuild", SupportsShouldProcess = true)]
[OutputType(typeof(BuildResult))]
public sealed class InvokeDockOptBuildCommand : EngineCmdlet
{
    int _activity;
    string? _historyFile;

    /// <summary>The build context directory (default: the current location).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ContextPath", "Context")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = ".";

    /// <summary>The Dockerfile (default: Dockerfile in the context). A relative path is relative to the current location; it may live outside the context.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "File", "f")]
    public string? Dockerfile { get; set; }

    /// <summary>Names for the image (name:tag); the first one names the result.</summary>
    [Parameter]
    [Alias("t")]
    public string[]? Tag { get; set; }

    /// <summary>The stage of a multi-stage Dockerfile to build.</summary>
    [Parameter]
    public string? Target { get; set; }

    /// <summary>Build arguments (ARG values). A $null value takes the environment variable of the same name, as docker build --build-arg NAME does.</summary>
    [Parameter]
    public Hashtable? BuildArg { get; set; }

    /// <summary>Labels to set on the image.</summary>
    [Parameter]
    public Hashtable? Label { get; set; }

    /// <summary>Do not use the build cache.</summary>
    [Parameter]
    public SwitchParameter NoCache { get; set; }

    /// <summary>Always try to pull newer versions of the base images.</summary>
    [Parameter]
    public SwitchParameter Pull { get; set; }

    /// <summary>The target platform (os/arch[/variant]) when the engine supports several.</summary>
    [Parameter]
    public string? Platform { get; set; }

    /// <summary>Images to consider as cache sources.</summary>
    [Parameter]
    public string[]? CacheFrom { get; set; }

    /// <summary>Append each build to this JSON-lines history file (default: $env:DOCKOPT_HISTORY; none when neither is set).</summary>
    [Parameter]
    public string? HistoryPath { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _historyFile = HistoryStore.ResolvePath(
            HistoryPath != null ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(HistoryPath) : null,
            SessionState.Path.CurrentFileSystemLocation.ProviderPath);
    }

    protected override void ProcessRecord()
    {
        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        var dockerfile = string.IsNullOrEmpty(Dockerfile) ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Dockerfile);
        var request = new BuildRequest
        {
            ContextPath = path,
            Dockerfile = dockerfile,
            WorkingDirectory = SessionState.Path.CurrentFileSystemLocation.ProviderPath,
            Tags = Tag?.Where(t => !string.IsNullOrWhiteSpace(t)).ToArray() ?? Array.Empty<string>(),
            Target = Target,
            BuildArgs = ToArgs(BuildArg),
            Labels = Label == null ? new Dictionary<string, string>() :
                Label.Cast<DictionaryEntry>().ToDictionary(e => e.Key.ToString()!, e => e.Value?.ToString() ?? "", StringComparer.Ordinal),
            NoCache = NoCache,
            Pull = Pull,
            Platform = Platform,
            CacheFrom = CacheFrom ?? Array.Empty<string>(),
            ActivityId = ++_activity,
        };
        var what = request.Tags.Count > 0 ? $"Build image {string.Join(", ", request.Tags)}" : "Build an untagged image";
        if (!ShouldProcess(path, _historyFile != null ? $"{what} and append the build to the history file '{_historyFile}'" : what)) return;
        RunPerItem(async ct =>
        {
            var engine = await GetEngineAsync(ct).ConfigureAwait(false);
            var result = await new BuildDriver(engine, this).BuildAsync(request, ct).ConfigureAwait(false);
            Output(result);
            HistoryStore.Record(_historyFile, HistoryRecords.FromBuild(result), this);
        });
    }

    static Dictionary<string, string?> ToArgs(Hashtable? h)
    {
        var d = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (h == null) return d;
        foreach (DictionaryEntry e in h)
        {
            var key = e.Key.ToString()!;
            d[key] = e.Value == null ? Environment.GetEnvironmentVariable(key) : LanguagePrimitives.ConvertTo<string>(e.Value);
        }
        return d;
    }
}
