namespace DockOpt.Engine.Building.BuildKit;

/// <summary>gRPC status codes used by the session services.</summary>
public enum GrpcStatus
{
    OK = 0, Cancelled = 1, Unknown = 2, InvalidArgument = 3, DeadlineExceeded = 4, NotFound = 5, AlreadyExists = 6,
    PermissionDenied = 7, ResourceExhausted = 8, FailedPrecondition = 9, Aborted = 10, OutOfRange = 11,
    Unimplemented = 12, Internal = 13, Unavailable = 14, DataLoss = 15, Unauthenticated = 16,
}

/// <summary>Ends a call with a gRPC status other than OK.</summary>
public sealed class GrpcException : Exception
{
    public GrpcException(GrpcStatus status, string message) : base(message) => Status = status;
    public GrpcStatus Status { get; }
}

/// <summary>
/// One incoming gRPC call as a session service sees it, whatever carries it: the Engine API's <c>/session</c> h2c
/// connection, or (for a standalone buildkitd) the HTTP/2 connection tunnelled inside <c>Control.Session</c>.
/// </summary>
public interface IGrpcServerCall
{
    /// <summary>Full method path, e.g. <c>/moby.filesync.v1.FileSync/DiffCopy</c>.</summary>
    string Method { get; }

    /// <summary>Request metadata: lower-case keys, one entry per value, in arrival order.</summary>
    IReadOnlyList<(string Name, string Value)> Metadata { get; }

    /// <summary>Cancelled when the caller resets the stream or the connection ends.</summary>
    CancellationToken CancellationToken { get; }

    /// <summary>The next request message, or null when the caller half-closed.</summary>
    ValueTask<byte[]?> ReadMessageAsync();

    ValueTask WriteMessageAsync(ReadOnlyMemory<byte> message);
}

public static class GrpcCallExtensions
{
    public static IEnumerable<string> Values(this IGrpcServerCall call, string key) =>
        call.Metadata.Where(m => string.Equals(m.Name, key, StringComparison.OrdinalIgnoreCase)).Select(m => m.Value);

    public static string? Value(this IGrpcServerCall call, string key) => call.Values(key).FirstOrDefault();
}

/// <summary>A set of gRPC methods served on a session.</summary>
public interface ISessionService
{
    /// <summary>Full method paths this service answers; advertised to the daemon one header per method.</summary>
    IEnumerable<string> Methods { get; }

    Task HandleAsync(IGrpcServerCall call);
}

/// <summary>
/// The session's services, independent of the transport: the h2c server asks it for the advertised methods and hands
/// it every call. Unknown methods end with UNIMPLEMENTED (never a stream reset: BuildKit reads that as "nothing here").
/// </summary>
public sealed class SessionServiceSet
{
    readonly Dictionary<string, ISessionService> _byMethod = new(StringComparer.OrdinalIgnoreCase);
    readonly List<string> _methods = new();

    public SessionServiceSet Add(ISessionService service)
    {
        foreach (var m in service.Methods)
        {
            _byMethod[m] = service;
            _methods.Add(m);
        }
        return this;
    }

    public IReadOnlyList<string> Methods => _methods;

    public Task DispatchAsync(IGrpcServerCall call) =>
        _byMethod.TryGetValue(call.Method, out var s)
            ? s.HandleAsync(call)
            : throw new GrpcException(GrpcStatus.Unimplemented, $"unknown method {call.Method}");
}
