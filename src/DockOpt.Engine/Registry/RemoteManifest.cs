using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.Registry;

/// <summary>A manifest as the registry holds it under a tag or digest.</summary>
public sealed record RemoteManifest(string Digest, string MediaType, long ManifestSize, string? ConfigDigest, long[] LayerSizes, long ConfigSize)
{
    public bool IsIndex => MediaType.Contains("index", StringComparison.Ordinal) || MediaType.Contains("list", StringComparison.Ordinal);
    public long TotalSize => ConfigSize + LayerSizes.Sum();

    /// <summary>The layer digests in manifest order (same length as <see cref="LayerSizes"/>; empty for an index).</summary>
    public string[] LayerDigests { get; init; } = Array.Empty<string>();
}
