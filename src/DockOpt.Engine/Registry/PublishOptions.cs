using System.Diagnostics;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using DockOpt.Engine.DockerApi;

namespace DockOpt.Engine.Registry;

/// <summary>What and how to publish.</summary>
public sealed class PublishOptions
{
    public required RegistryTarget Target { get; init; }
    public required IReadOnlyList<string> Tags { get; init; }
    public RegistryAuth Auth { get; init; } = new();
    public RetryPolicy Retry { get; init; } = new();
    public bool CreateRepository { get; init; }
    public EcrRepositorySettings RepositorySettings { get; init; } = new();
    public bool WaitForScan { get; init; }
    public TimeSpan ScanTimeout { get; init; } = DefaultScanTimeout;
    public TimeSpan ScanPollInterval { get; init; } = DefaultScanPollInterval;

    /// <summary>The one default of the scan wait (Publish-DockOptImage -ScanTimeout uses it too).</summary>
    public static readonly TimeSpan DefaultScanTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The one default of the scan poll interval (5 s, as the AWS SDK's waiter).</summary>
    public static readonly TimeSpan DefaultScanPollInterval = TimeSpan.FromSeconds(5);

    /// <summary>Keep the local <c>registry/repository:tag</c> tags the push needed (removed by default when DockOpt created them).</summary>
    public bool KeepLocalTags { get; init; }

    /// <summary>Where registry CA certificates live (<c>/etc/docker/certs.d</c>, as dockerd reads them).</summary>
    public string? CertsDirectory { get; init; }
}
