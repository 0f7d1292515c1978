using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DockOpt.Engine.Registry;

/// <summary>AWS credentials (access key, secret, optional session token). <see cref="ToString"/> shows the key ID only.</summary>
public sealed class AwsCredentials
{
    public AwsCredentials(string accessKeyId, string secretAccessKey, string? sessionToken, string source, DateTime? expiresAt = null)
    {
        AccessKeyId = accessKeyId;
        SecretAccessKey = secretAccessKey;
        SessionToken = sessionToken;
        Source = source;
        ExpiresAt = expiresAt;
    }

    public string AccessKeyId { get; }
    internal string SecretAccessKey { get; }
    internal string? SessionToken { get; }
    public string Source { get; }
    public DateTime? ExpiresAt { get; }
    public override string ToString() => $"{AccessKeyId} ({Source})";
}
