namespace DockOpt;

public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Check the reference (registry host, repository, tag or digest) and that the credentials may read it.")]
    public const string CopySourceNotFound = nameof(CopySourceNotFound);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "Give the source as host[:port]/repository[:tag|@sha256:<digest>], optionally prefixed docker://.")]
    public const string InvalidCopySource = nameof(InvalidCopySource);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "Give one local image per platform; check each image's platform with 'docker image inspect --format {{.Os}}/{{.Architecture}}/{{.Variant}}'.")]
    public const string DuplicatePlatform = nameof(DuplicatePlatform);
}
