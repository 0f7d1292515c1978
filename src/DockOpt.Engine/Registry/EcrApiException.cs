using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DockOpt.Engine.Registry;

/// <summary>An error answer of the ECR API.</summary>
public sealed class EcrApiException : DockOptException
{
    public EcrApiException(string action, string type, string message, int status)
        : base(MapId(type), MapCategory(type), $"Amazon ECR {action} failed: {type}: {message}", action, Hint(type))
    {
        Type = type;
        Status = status;
    }

    public string Type { get; }
    public int Status { get; }

    static string MapId(string type) => type switch
    {
        "RepositoryNotFoundException" => ErrorIds.RepositoryNotFound,
        "UnrecognizedClientException" or "InvalidSignatureException" or "ExpiredTokenException" or "IncompleteSignature" => ErrorIds.EcrAuthFailed,
        "AccessDeniedException" => ErrorIds.EcrAccessDenied,
        _ => ErrorIds.EcrApiError,
    };

    static DockOptErrorCategory MapCategory(string type) => type switch
    {
        "RepositoryNotFoundException" => DockOptErrorCategory.ObjectNotFound,
        "AccessDeniedException" => DockOptErrorCategory.PermissionDenied,
        "UnrecognizedClientException" or "InvalidSignatureException" or "ExpiredTokenException" or "IncompleteSignature" => DockOptErrorCategory.AuthenticationError,
        "InvalidParameterException" => DockOptErrorCategory.InvalidArgument,
        _ => DockOptErrorCategory.InvalidResult,
    };

    static string? Hint(string type) => type switch
    {
        "RepositoryNotFoundException" => "Create it with -CreateRepository.",
        "AccessDeniedException" => "Grant the identity the ecr:* action named in the message.",
        "UnrecognizedClientException" or "InvalidSignatureException" or "ExpiredTokenException" => "Check the AWS credentials (AWS_PROFILE, keys, session token) and the region.",
        _ => null,
    };
}
