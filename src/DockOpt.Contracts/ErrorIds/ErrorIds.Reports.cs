namespace DockOpt;

/// <summary>Reports (-Format and -OutFile on every reporting cmdlet).</summary>
public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.InvalidArgument, "Give -Format, or an -OutFile ending in .sarif, .json, .xml, .md, .html or .txt that names a format this cmdlet writes.")]
    public const string ReportFormatUnknown = nameof(ReportFormatUnknown);

    [ErrorId(DockOptErrorCategory.WriteError, "Check that the -OutFile folder exists and is writable.")]
    public const string ReportWriteFailed = nameof(ReportWriteFailed);

    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Create the folder of -OutFile first; DockOpt never creates folders for reports.")]
    public const string ReportFolderNotFound = nameof(ReportFolderNotFound);

    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Record history with -HistoryPath or $env:DOCKOPT_HISTORY on Invoke-DockOptBuild and Compare-DockOptImage first.")]
    public const string HistoryNotFound = nameof(HistoryNotFound);
}
