using System.Net.Http;
using System.Text.Json;

namespace DockOpt.Engine.DockerApi;

/// <summary>
/// The one place a .NET exception that escaped the engine becomes a DockOpt error, so none reaches the user raw.
/// Faults with a known cause get their own id (the engine's JSON, a broken connection, an unreadable file); anything
/// else is UnexpectedError naming the exception type.
/// </summary>
public static class EngineFaults
{
    /// <summary>The DockOpt error for <paramref name="e"/>; null for a DockOptException or a cancellation (already handled).</summary>
    public static DockOptException? Translate(Exception e, bool talksToEngine, bool userCancelled = false)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } agg) e = agg.InnerExceptions[0];
        if (talksToEngine && e is not DockOptException && SshTransportException.Find(e) is { } ssh)
            return ssh.ToDockOpt("the engine endpoint"); // ssh ended under a connection: its own message (host key, permission…)
        switch (e)
        {
            case DockOptException:
                return null;
            case OperationCanceledException when userCancelled:
                return null;
            case OperationCanceledException when talksToEngine:
                // the typed client's own request timeout (DockerEngine.RequestTimeout)
                return new DockOptException(ErrorIds.EngineTimeout, DockOptErrorCategory.OperationTimeout,
                    "The Docker engine did not answer in time.", null,
                    $"The engine is stalled or overloaded: check 'docker info'. Raise the limit with {EngineTimeouts.RequestVariable} (for example '5m').", e);
            case JsonException when talksToEngine || FromDockerClient(e):
            case InvalidOperationException when FromJson(e) && (talksToEngine || FromDockerClient(e)):
            case KeyNotFoundException when talksToEngine && FromJson(e):
            case FormatException when talksToEngine && FromJson(e):
                return new DockOptException(ErrorIds.EngineResponseInvalid, DockOptErrorCategory.InvalidData,
                    $"The Docker engine's answer is not the JSON the Engine API documents ({e.GetType().Name}: {e.Message}).", null,
                    "Check that -Engine / DOCKER_HOST points at a Docker engine and not at another service or a proxy that rewrites answers.", e);
            case HttpRequestException or HttpIOException when talksToEngine:
                return new DockOptException(ErrorIds.EngineConnectionLost, DockOptErrorCategory.ConnectionError,
                    $"The connection to the Docker engine broke: {e.Message}", null,
                    "The engine stopped or restarted during the command: check 'systemctl status docker' and the engine's log, then run the command again.", e);
            case IOException when talksToEngine && e.InnerException is HttpIOException or HttpRequestException or System.Net.Sockets.SocketException:
                return new DockOptException(ErrorIds.EngineConnectionLost, DockOptErrorCategory.ConnectionError,
                    $"The connection to the Docker engine broke: {e.Message}", null,
                    "The engine stopped or restarted during the command: check 'systemctl status docker' and the engine's log, then run the command again.", e);
            default:
                return new DockOptException(ErrorIds.UnexpectedError, DockOptErrorCategory.NotSpecified,
                    $"{e.GetType().FullName}: {e.Message}", null,
                    "This is a DockOpt defect: report it with the command and this message.", e);
        }
    }

    static bool FromDockerClient(Exception e) => Stack(e).Contains("Docker.DotNet", StringComparison.Ordinal);

    static bool FromJson(Exception e) => Stack(e).Contains("System.Text.Json", StringComparison.Ordinal);

    static string Stack(Exception e) => e.StackTrace ?? "";
}
