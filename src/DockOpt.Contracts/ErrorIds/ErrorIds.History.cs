namespace DockOpt;

public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.ResourceUnavailable, "Another process holds the file open exclusively; retry when it has finished.")]
    public const string HistoryLocked = nameof(HistoryLocked);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "Give -HistoryPath a file path, or set DOCKOPT_HISTORY to one.")]
    public const string HistoryPathEmpty = nameof(HistoryPathEmpty);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "Get-DockOptHistory -Path ./reports/history.jsonl")]
    public const string HistoryPathMissing = nameof(HistoryPathMissing);

    [ErrorId(DockOptErrorCategory.ReadError, "Check the path and its permissions.")]
    public const string HistoryReadFailed = nameof(HistoryReadFailed);

    [ErrorId(DockOptErrorCategory.WriteError, "Check that the directory exists and is writable, or give another -HistoryPath.")]
    public const string HistoryWriteFailed = nameof(HistoryWriteFailed);
}
