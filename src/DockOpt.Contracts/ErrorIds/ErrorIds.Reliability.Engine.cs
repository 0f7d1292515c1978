namespace DockOpt;

// Issue 18 (engine side): every way the Docker engine, an image archive or a publish destination can fail ends in one
// of these ids. The existing engine ids (thrown as literals before the catalogue) are catalogued here too, so that a
// check by reflection over ErrorIds knows every id an engine fault can produce.
public static partial class ErrorIds
{
    /// <summary>The engine answered, but not with the JSON the Engine API documents (a proxy, another service on the port, a broken engine).</summary>
    [ErrorId(DockOptErrorCategory.InvalidData,
        "Check that -Engine / DOCKER_HOST points at a Docker engine and not at another service or a proxy that rewrites answers.")]
    public const string EngineResponseInvalid = nameof(EngineResponseInvalid);

    /// <summary>The connection to the engine broke in the middle of an answer (the engine stopped or was killed).</summary>
    [ErrorId(DockOptErrorCategory.ConnectionError,
        "The engine stopped or restarted during the command: check 'systemctl status docker' and the engine's log, then run the command again.")]
    public const string EngineConnectionLost = nameof(EngineConnectionLost);

    /// <summary>The engine accepted the request and then said nothing for longer than the timeout.</summary>
    [ErrorId(DockOptErrorCategory.OperationTimeout,
        "The engine is stalled or overloaded: check 'docker info'. Raise the limit with DOCKOPT_ENGINE_TIMEOUT (requests) or DOCKOPT_ENGINE_IDLE_TIMEOUT (builds, pushes, logs, exports), e.g. '5m'.")]
    public const string EngineTimeout = nameof(EngineTimeout);

    /// <summary>A DOCKOPT_ENGINE_*TIMEOUT value that is not a duration.</summary>
    [ErrorId(DockOptErrorCategory.InvalidArgument, "Give a duration such as 30s, 2m, 1h30m or a number of seconds (greater than 0).")]
    public const string EngineTimeoutInvalid = nameof(EngineTimeoutInvalid);

    /// <summary>A failure DockOpt did not foresee: the .NET exception type is in the message.</summary>
    [ErrorId(DockOptErrorCategory.NotSpecified, "This is a DockOpt defect: report it with the command and the message (the exception type is in it).")]
    public const string UnexpectedError = nameof(UnexpectedError);

    [ErrorId(DockOptErrorCategory.InvalidData, "Fix or remove the record in the history file; kinds are Build, Measure and Compare, durations finite and not negative.")]
    public const string HistoryRecordInvalid = nameof(HistoryRecordInvalid);

    /// <summary>A publish destination (-Destination, -Registry/-Repository) that names no registry, or names it with http:// or another scheme.</summary>
    [ErrorId(DockOptErrorCategory.InvalidArgument,
        "Give host[:port]/repository (https:// may lead; http:// may not: the engine pushes over HTTPS unless the registry is in its insecure-registries).")]
    public const string InvalidDestination = nameof(InvalidDestination);
}
