using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DockOpt.Engine.Registry;

/// <summary>Settings for -CreateRepository.</summary>
public sealed class EcrRepositorySettings
{
    /// <summary>MUTABLE or IMMUTABLE (or the *_WITH_EXCLUSION forms).</summary>
    public string? ImageTagMutability { get; init; }
    public bool? ScanOnPush { get; init; }

    /// <summary>AES256, KMS or KMS_DSSE.</summary>
    public string? EncryptionType { get; init; }
    public string? KmsKey { get; init; }
}
