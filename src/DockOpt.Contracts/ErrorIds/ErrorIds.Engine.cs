namespace DockOpt;

public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.PermissionDenied, "Read the message: it names what failed and the object it failed on.")]
    public const string EngineAccessDenied = nameof(EngineAccessDenied);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "Correct the parameter named in the message (see Get-Help <cmdlet> -Parameter <name>).")]
    public const string EngineBadRequest = nameof(EngineBadRequest);

    [ErrorId(DockOptErrorCategory.ResourceExists, "Read the message: it names what failed and the object it failed on.")]
    public const string EngineConflict = nameof(EngineConflict);

    [ErrorId(DockOptErrorCategory.InvalidResult, "Read the message: it names what failed and the object it failed on.")]
    public const string EngineError = nameof(EngineError);

    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Check the name or path in the message; list what exists (Get-DockOptImage, Get-ChildItem) and try again.")]
    public const string EngineObjectNotFound = nameof(EngineObjectNotFound);

    [ErrorId(DockOptErrorCategory.InvalidData, "Point DOCKER_CERT_PATH at the folder with the engine's ca.pem, cert.pem and key.pem.")]
    public const string EngineTlsInvalid = nameof(EngineTlsInvalid);
}
