namespace DockOpt;

public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.InvalidArgument, "Give -Format, or an -OutFile ending in .sarif, .json, .xml, .md or .html.")]
    public const string ReportFormatUnknown = nameof(ReportFormatUnknown);

    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Create the folder of -OutFile first; DockOpt never creates folders.")]
    public const string ReportFolderNotFound = nameof(ReportFolderNotFound);

    [ErrorId(DockOptErrorCategory.WriteError, "Check that the -OutFile folder is writable and has free space.")]
    public const string ReportWriteFailed = nameof(ReportWriteFailed);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "Pipe DockOpt results (builds, comparisons, analyses, findings, test results, scans, publishes, history) or give -HistoryPath.")]
    public const string ReportInputEmpty = nameof(ReportInputEmpty);
}
