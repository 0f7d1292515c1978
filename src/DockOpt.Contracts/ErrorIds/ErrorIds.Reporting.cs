namespace DockOpt;

/// <summary>Export-DockOptReport.</summary>
public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.InvalidArgument, "Pipe DockOpt results (builds, comparisons, analyses, findings, test results, scans, publishes, history) or give -HistoryPath.")]
    public const string ReportInputEmpty = nameof(ReportInputEmpty);
}
