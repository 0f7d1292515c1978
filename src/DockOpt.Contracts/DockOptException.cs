namespace DockOpt;

/// <summary>
/// Error categories the engine can report. Names match System.Management.Automation.ErrorCategory
/// so the cmdlet shim maps them by name; the engine never references PowerShell.
/// </summary>
public enum DockOptErrorCategory
{
    NotSpecified,
    ConnectionError,
    ObjectNotFound,
    InvalidArgument,
    InvalidData,
    InvalidOperation,
    InvalidResult,
    OperationStopped,
    OperationTimeout,
    PermissionDenied,
    ReadError,
    WriteError,
    ResourceUnavailable,
    ResourceExists,
    AuthenticationError,
    SecurityError,
    ParserError,
    LimitsExceeded,
    NotImplemented,
    DeviceError,
    SyntaxError,
}

/// <summary>
/// An error with a stable ErrorId, a category, the offending object and a hint of what to do.
/// Thrown by the engine; turned into an ErrorRecord by the cmdlets.
/// </summary>
public class DockOptException : Exception
{
    public DockOptException(string errorId, DockOptErrorCategory category, string message,
        object? target = null, string? recommendedAction = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Category = category;
        Target = target;
        RecommendedAction = recommendedAction;
    }

    /// <summary>Stable, PascalCase identifier (for example <c>EngineUnreachable</c>).</summary>
    public string ErrorId { get; }

    public DockOptErrorCategory Category { get; }

    /// <summary>The object the error is about (a name, a path, an endpoint).</summary>
    public object? Target { get; }

    /// <summary>What the user can do about it.</summary>
    public string? RecommendedAction { get; }
}
