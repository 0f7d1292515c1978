using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Docker.DotNet;
using Docker.DotNet.X509;

namespace DockOpt.Engine.DockerApi;

/// <summary>Maps engine error answers to DockOpt errors.</summary>
public static class EngineErrors
{
    public static string ExtractMessage(string body)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("message", out var m) && m.ValueKind == System.Text.Json.JsonValueKind.String)
                return Dockerfiles.MessageText.Summarise(m.GetString() ?? body);
        }
        catch (System.Text.Json.JsonException) { }
        return Dockerfiles.MessageText.Summarise(body.Trim()); // an engine (or a proxy in front of it) may answer megabytes
    }

    public static DockOptException FromStatus(HttpStatusCode status, string message, string notFoundErrorId, object? target) => status switch
    {
        HttpStatusCode.NotFound => new DockOptException(notFoundErrorId, DockOptErrorCategory.ObjectNotFound, message, target,
            "Check the name with Get-DockOptImage."),
        HttpStatusCode.Conflict => new DockOptException(ErrorIds.EngineConflict, DockOptErrorCategory.ResourceExists, message, target, null),
        HttpStatusCode.BadRequest => new DockOptException(ErrorIds.EngineBadRequest, DockOptErrorCategory.InvalidArgument, message, target, null),
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new DockOptException(ErrorIds.EngineAccessDenied, DockOptErrorCategory.PermissionDenied, message, target, null),
        _ => new DockOptException(ErrorIds.EngineError, DockOptErrorCategory.InvalidResult, $"The Docker engine answered HTTP {(int)status}: {message}", target, null),
    };

    /// <summary>Converts a Docker.DotNet exception into a DockOpt one.</summary>
    public static DockOptException FromApi(DockerApiException e, string notFoundErrorId, object? target) =>
        FromStatus(e.StatusCode, ExtractMessage(e.ResponseBody ?? e.Message), notFoundErrorId, target);
}
