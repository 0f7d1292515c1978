using System.Management.Automation;
using DockOpt.Engine.History;
using DockOpt.Engine.Reporting;

namespace DockOpt.Cmdlets;

/// <summary>
/// Writes one self-contained report (HTML with inline CSS and SVG charts, or Markdown) of any DockOpt results piped
/// in, plus size and build-time trends from history files.
/// </summary>
[Cmdlet(VerbsData.Export, "DockOptReport", SupportsShouldProcess = true)]
[OutputType(typeof(string), typeof(FileInfo))]
public sealed class ExportDockOptReportCommand : DockOptCmdlet
{
    readonly ReportData _data = new();
    readonly HashSet<string> _ignoredTypes = new(StringComparer.Ordinal);

    /// <summary>DockOpt results: BuildResult, ImageComparison, ImageAnalysis, LintFinding, ImageTestResult, ImageTestSummary, SecurityReport, SecurityFinding, Vulnerability, PublishResult, HistoryRecord, HistorySummary.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [AllowNull]
    public object[]? InputObject { get; set; }

    /// <summary>History files (JSON lines, as written by -HistoryPath of Invoke-DockOptBuild and Compare-DockOptImage) for the size and build-time trends.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? HistoryPath { get; set; }

    /// <summary>Html (default: one self-contained page with charts) or Markdown (for pull-request comments and step summaries). Without -Format, an -OutFile ending in .html or .md decides.</summary>
    [Parameter]
    [ValidateSet("Html", "Markdown", IgnoreCase = true)]
    public string? Format { get; set; }

    /// <summary>The file to write. Without it the report text goes to the pipeline. The folder must exist.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutFile { get; set; }

    /// <summary>The report's title.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Title { get; set; } = "DockOpt report";

    /// <summary>With -OutFile: also write the file's FileInfo to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (InputObject == null) return;
        foreach (var o in InputObject)
        {
            var item = o is PSObject p ? p.BaseObject : o;
            if (item == null) continue;
            if (item is System.Collections.IEnumerable e && item is not string)
            {
                foreach (var inner in e) Add(inner is PSObject pi ? pi.BaseObject : inner);
                continue;
            }
            Add(item);
        }
    }

    void Add(object? item)
    {
        if (item == null || _data.Add(item)) return;
        if (_ignoredTypes.Add(item.GetType().FullName ?? "?"))
            WriteWarning($"Export-DockOptReport ignores objects of type {item.GetType().FullName}: it reports DockOpt builds, comparisons, analyses, lint findings, test results, scans, publishes and history.");
    }

    protected override void EndProcessing()
    {
        DockOpt.Engine.Reporting.ReportFormat format;
        try { format = ReportFile.Resolve(Format, OutFile); }
        catch (DockOptException e) { ThrowTerminatingError(ToErrorRecord(e)); return; }

        foreach (var hp in HistoryPath ?? Array.Empty<string>())
        {
            var path = GetUnresolvedProviderPathFromPSPath(hp);
            if (!File.Exists(path))
            {
                WriteError(ToErrorRecord(new DockOptException(ErrorIds.HistoryNotFound, DockOptErrorCategory.ObjectNotFound,
                    $"The history file '{path}' does not exist.", path,
                    "Record history with -HistoryPath or $env:DOCKOPT_HISTORY on Invoke-DockOptBuild and Compare-DockOptImage first.")));
                continue;
            }
            try
            {
                foreach (var r in new HistoryStore(path).Read((line, reason) => WriteWarning($"{path}:{line}: unreadable history line skipped ({reason}).")))
                    _data.History.Add(r);
            }
            catch (DockOptException e) { WriteError(ToErrorRecord(e)); }
        }

        if (_data.IsEmpty)
        {
            ThrowTerminatingError(ToErrorRecord(new DockOptException(ErrorIds.ReportInputEmpty, DockOptErrorCategory.InvalidArgument,
                "Export-DockOptReport got no DockOpt results to report.", null,
                "Pipe DockOpt results (builds, comparisons, analyses, findings, test results, scans, publishes, history) or give -HistoryPath.")));
            return;
        }

        var text = format == DockOpt.Engine.Reporting.ReportFormat.Html
            ? HtmlReportRenderer.Render(_data, Title, DateTime.UtcNow)
            : MarkdownRenderers.All(_data, Title);

        if (OutFile == null)
        {
            WriteObject(text);
            return;
        }
        var target = GetUnresolvedProviderPathFromPSPath(OutFile);
        if (!ShouldProcess(target, $"Write the {format} report")) return;
        try { ReportFile.Write(target, text); }
        catch (DockOptException e) { ThrowTerminatingError(ToErrorRecord(e)); return; }
        if (PassThru) WriteObject(new FileInfo(target));
    }
}
