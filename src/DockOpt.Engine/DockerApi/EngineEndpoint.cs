using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DockOpt.Engine.DockerApi;

/// <summary>Where the Docker engine is and how to reach it, resolved as the docker CLI resolves it.</summary>
public sealed class EngineEndpoint
{
    public EngineEndpoint(Uri uri, string source)
    {
        Uri = uri;
        Source = source;
    }

    /// <summary>unix://, tcp://, npipe:// or http(s)://.</summary>
    public Uri Uri { get; }

    /// <summary>Where the endpoint came from (for messages): "-Engine", "DOCKER_HOST", "context 'x'", "default".</summary>
    public string Source { get; }

    public bool TlsVerify { get; init; }
    public bool UseTls { get; init; }
    public string? CaPath { get; init; }
    public string? CertPath { get; init; }
    public string? KeyPath { get; init; }
    public bool SkipTlsVerify { get; init; }

    /// <summary>Display form, e.g. <c>unix:///var/run/docker.sock</c>.</summary>
    public override string ToString() => Uri.Scheme == "unix" ? "unix://" + Uri.AbsolutePath : Uri.OriginalString;
}
