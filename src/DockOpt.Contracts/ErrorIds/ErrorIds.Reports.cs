namespace DockOpt;

public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Create the report's folder first; DockOpt never creates folders for -OutFile.")]
    public const string ReportFolderNotFound = nameof(ReportFolderNotFound);

    [ErrorId(DockOptErrorCategory.WriteError, "Check that the report path is writable, not a folder, and the disk has room.")]
    public const string ReportWriteFailed = nameof(ReportWriteFailed);
}
