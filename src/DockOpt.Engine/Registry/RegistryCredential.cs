using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace DockOpt.Engine.Registry;

/// <summary>Credentials for one registry. <see cref="ToString"/> never shows the secret.</summary>
public sealed class RegistryCredential
{
    public RegistryCredential(string? username, string? secret, string source, string? identityToken = null, DateTime? expiresAt = null)
    {
        Username = username;
        Secret = secret;
        Source = source;
        IdentityToken = identityToken;
        ExpiresAt = expiresAt;
    }

    public static readonly RegistryCredential Anonymous = new(null, null, "anonymous");

    public string? Username { get; }
    internal string? Secret { get; }
    internal string? IdentityToken { get; }

    /// <summary>Where the credential came from (no secret).</summary>
    public string Source { get; }

    /// <summary>UTC expiry (ECR tokens: 12 h).</summary>
    public DateTime? ExpiresAt { get; }

    public bool IsAnonymous => Secret == null && IdentityToken == null;

    /// <summary>Every secret string this credential holds, for scrubbing messages.</summary>
    internal IEnumerable<string> Secrets()
    {
        if (!string.IsNullOrEmpty(Secret)) { yield return Secret!; yield return Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Secret}")); }
        if (!string.IsNullOrEmpty(IdentityToken)) yield return IdentityToken!;
    }

    /// <summary>Removes any secret from <paramref name="text"/>.</summary>
    public string Scrub(string text)
    {
        foreach (var s in Secrets())
            if (s.Length >= 4) text = text.Replace(s, "***", StringComparison.Ordinal);
        return text;
    }

    /// <summary>X-Registry-Auth for the engine: base64url JSON AuthConfig.</summary>
    public string ToEngineAuthHeader(string serverAddress)
    {
        var o = new Dictionary<string, string> { ["serveraddress"] = serverAddress };
        if (IdentityToken != null) o["identitytoken"] = IdentityToken;
        else if (Secret != null)
        {
            o["username"] = Username ?? "";
            o["password"] = Secret;
        }
        var json = JsonSerializer.SerializeToUtf8Bytes(o);
        return Convert.ToBase64String(json).Replace('+', '-').Replace('/', '_');
    }

    public override string ToString() => IsAnonymous ? "anonymous" : $"{Username ?? "<token>"} ({Source})";
}
