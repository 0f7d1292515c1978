namespace DockOpt;

public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.InvalidArgument, "Give a regular file (or a symbolic link to one): a FIFO, socket or device would block or never end when read.")]
    public const string FileNotRegular = nameof(FileNotRegular);

    [ErrorId(DockOptErrorCategory.InvalidData, "-Fix rewrites UTF-8 files only: convert the file to UTF-8 (iconv -f <encoding> -t UTF-8) or apply the fixes by hand.")]
    public const string DockerfileFixRefused = nameof(DockerfileFixRefused);

    [ErrorId(DockOptErrorCategory.PermissionDenied, "Run as a user who may give the file its owner and group back (its owner or root), or apply the fixes by hand.")]
    public const string DockerfileFixOwnerNotPreserved = nameof(DockerfileFixOwnerNotPreserved);

    [ErrorId(DockOptErrorCategory.InvalidData, "Add instructions (FROM, then RUN, COPY, …): the Dockerfile is empty or holds only comments.")]
    public const string DockerfileEmpty = nameof(DockerfileEmpty);

    [ErrorId(DockOptErrorCategory.WriteError, "The filesystem is read-only: give -HistoryPath on a writable filesystem (or remount it read-write).")]
    public const string HistoryReadOnly = nameof(HistoryReadOnly);

    [ErrorId(DockOptErrorCategory.InvalidData, "Give a text Dockerfile: this file holds binary data (NUL bytes).")]
    public const string DockerfileBinary = nameof(DockerfileBinary);

    [ErrorId(DockOptErrorCategory.NotImplemented, "Heredocs need BuildKit's Dockerfile 1.4 frontend: use -Builder BuildKit (or Auto on an engine with BuildKit) and '# syntax=docker/dockerfile:1.4', or rewrite the heredoc as RUN lines.")]
    public const string DockerfileHeredocNeedsBuildKit = nameof(DockerfileHeredocNeedsBuildKit);
}
