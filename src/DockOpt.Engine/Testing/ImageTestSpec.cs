namespace DockOpt.Engine.Testing;

/// <summary>
/// What Test-DockOptImage checks on an image. Built from parameters, from a DockOpt spec (YAML or .psd1, see
/// docs/about_DockOptImageTestSpec.md) or from a container-structure-test YAML (schemaVersion 2.0.0).
/// </summary>
public sealed class ImageTestSpec
{
    public MetadataSpec Metadata { get; set; } = new();
    public List<FileSpec> Files { get; } = new();
    public List<CommandSpec> Commands { get; } = new();
    public RuntimeSpec Runtime { get; set; } = new();

    /// <summary>goss-style resources: users, groups, packages, ports listening, processes running.</summary>
    public SystemSpec System { get; } = new();

    /// <summary>Companion containers started first, on a private network with the app (reachable by their names).</summary>
    public List<ServiceSpec> Services { get; } = new();

    /// <summary>License checks (container-structure-test licenseTests).</summary>
    public List<LicenseSpec> Licenses { get; } = new();

    /// <summary>Environment for every command check (container-structure-test globalEnvVars).</summary>
    public Dictionary<string, string> CommandEnv { get; } = new(StringComparer.Ordinal);

    /// <summary>The spec was read as container-structure-test.</summary>
    public bool IsContainerStructureTest { get; set; }

    /// <summary>Where the spec came from (path), for messages.</summary>
    public string? Source { get; set; }

    /// <summary>The checks that run when no spec file is given: non-root user, exec-form entrypoint, a HEALTHCHECK, and that it starts.</summary>
    public static ImageTestSpec Default()
    {
        var s = new ImageTestSpec();
        s.Metadata.NonRoot = true;
        s.Metadata.ExecForm = true;
        s.Metadata.Healthcheck = true;
        s.Runtime.Start = true;
        return s;
    }

    /// <summary>A copy to merge per-image parameters into, leaving this spec as it is.</summary>
    public ImageTestSpec Clone()
    {
        var c = new ImageTestSpec { Source = Source };
        c.Merge(this);
        return c;
    }

    /// <summary>Adds another spec's checks to this one (parameters on top of a spec file).</summary>
    public void Merge(ImageTestSpec other)
    {
        Metadata.Merge(other.Metadata);
        Files.AddRange(other.Files);
        Commands.AddRange(other.Commands);
        Runtime.Merge(other.Runtime);
        Licenses.AddRange(other.Licenses);
        Services.AddRange(other.Services);
        System.Merge(other.System);
        foreach (var kv in other.CommandEnv) CommandEnv[kv.Key] = kv.Value;
        IsContainerStructureTest |= other.IsContainerStructureTest;
    }
}

/// <summary>
/// container-structure-test licenseTests: with <see cref="Debian"/>, every package directory under /usr/share/doc must
/// have a copyright file (libgnutls30 excepted); that file and every one in <see cref="Files"/> must not name AGPL or WTFPL.
/// </summary>
public sealed class LicenseSpec
{
    public bool Debian { get; set; }
    public List<string> Files { get; } = new();
}

/// <summary>
/// A companion container (a database, a proxy in front of the app): started before the app, or after it is ready
/// (<see cref="AfterApp"/>), removed after the run.
/// </summary>
public sealed class ServiceSpec
{
    /// <summary>
    /// <c>after: app</c>: start this service once the app is ready (a proxy that needs 'app' to resolve and answer when it
    /// starts); by default services start before the app, in the order given.
    /// </summary>
    public bool AfterApp { get; set; }

    /// <summary>Its name on the private network (DNS alias) and in the results.</summary>
    public string Name { get; set; } = "";
    public string Image { get; set; } = "";
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);
    public string[]? Entrypoint { get; set; }

    /// <summary>Replaces the image's CMD.</summary>
    public string[]? Command { get; set; }

    /// <summary>Container ports published on 127.0.0.1 (for HTTP checks through the service).</summary>
    public List<string> Ports { get; } = new();

    /// <summary>When it counts as started (default: healthy if it has a HEALTHCHECK, else its published TCP ports accept, else running 1 s).</summary>
    public ReadinessSpec Ready { get; set; } = new();
}

/// <summary>A mount for the containers of the run (docker run --mount).</summary>
public sealed class MountSpec
{
    /// <summary>bind, volume or tmpfs.</summary>
    public string Type { get; set; } = "bind";

    /// <summary>Host path (bind), volume name (volume; empty: anonymous), unused for tmpfs.</summary>
    public string? Source { get; set; }
    public string Target { get; set; } = "";
    public bool ReadOnly { get; set; }
}

public sealed class MetadataSpec
{
    /// <summary>The configured user must not resolve to UID 0.</summary>
    public bool? NonRoot { get; set; }

    /// <summary>Exact User (container-structure-test <c>user</c>).</summary>
    public string? User { get; set; }

    /// <summary>Ports that must be exposed, with protocol (<c>5000</c> means <c>5000/tcp</c>).</summary>
    public List<string> ExposedPorts { get; } = new();
    public List<string> UnexposedPorts { get; } = new();

    /// <summary>A HEALTHCHECK must be defined (and not NONE).</summary>
    public bool? Healthcheck { get; set; }
    public TimeSpan? HealthcheckMaxInterval { get; set; }
    public TimeSpan? HealthcheckMaxTimeout { get; set; }
    public TimeSpan? HealthcheckMaxStartPeriod { get; set; }
    public int? HealthcheckMinRetries { get; set; }

    /// <summary>ENTRYPOINT and CMD must be exec form (not <c>/bin/sh -c …</c>).</summary>
    public bool? ExecForm { get; set; }

    /// <summary>Expected STOPSIGNAL (names or numbers; <c>SIGTERM</c> also accepts an unset signal).</summary>
    public string? StopSignal { get; set; }

    public List<KeyMatch> Labels { get; } = new();
    public List<KeyMatch> Env { get; } = new();
    public List<string> EnvNames { get; } = new();
    public List<string> AbsentEnvNames { get; } = new();
    public long? MaxSize { get; set; }
    public int? MaxLayers { get; set; }
    public string[]? Entrypoint { get; set; }
    public string[]? Cmd { get; set; }
    public string? Workdir { get; set; }
    public List<string> Volumes { get; } = new();
    public List<string> UnmountedVolumes { get; } = new();

    public void Merge(MetadataSpec o)
    {
        NonRoot = o.NonRoot ?? NonRoot;
        User = o.User ?? User;
        ExposedPorts.AddRange(o.ExposedPorts);
        UnexposedPorts.AddRange(o.UnexposedPorts);
        Healthcheck = o.Healthcheck ?? Healthcheck;
        HealthcheckMaxInterval = o.HealthcheckMaxInterval ?? HealthcheckMaxInterval;
        HealthcheckMaxTimeout = o.HealthcheckMaxTimeout ?? HealthcheckMaxTimeout;
        HealthcheckMaxStartPeriod = o.HealthcheckMaxStartPeriod ?? HealthcheckMaxStartPeriod;
        HealthcheckMinRetries = o.HealthcheckMinRetries ?? HealthcheckMinRetries;
        ExecForm = o.ExecForm ?? ExecForm;
        StopSignal = o.StopSignal ?? StopSignal;
        Labels.AddRange(o.Labels);
        Env.AddRange(o.Env);
        EnvNames.AddRange(o.EnvNames);
        AbsentEnvNames.AddRange(o.AbsentEnvNames);
        MaxSize = o.MaxSize ?? MaxSize;
        MaxLayers = o.MaxLayers ?? MaxLayers;
        Entrypoint = o.Entrypoint ?? Entrypoint;
        Cmd = o.Cmd ?? Cmd;
        Workdir = o.Workdir ?? Workdir;
        Volumes.AddRange(o.Volumes);
        UnmountedVolumes.AddRange(o.UnmountedVolumes);
    }
}

/// <summary>A key with an exact value or a regex (label or env).</summary>
public sealed class KeyMatch
{
    public string Key { get; set; } = "";
    public string? Value { get; set; }
    public bool IsRegex { get; set; }
}

public sealed class FileSpec
{
    public string? Name { get; set; }
    public string Path { get; set; } = "";
    public bool Exists { get; set; } = true;

    /// <summary>file, directory, symlink (or any).</summary>
    public string? Type { get; set; }

    /// <summary>Permission bits (octal, e.g. <c>0755</c>) or a Go/ls mode string (<c>-rwxr-xr-x</c>).</summary>
    public string? Mode { get; set; }
    public long? Uid { get; set; }
    public long? Gid { get; set; }
    public List<string> Contains { get; } = new();
    public List<string> NotContains { get; } = new();
    public string? Sha256 { get; set; }

    /// <summary>owner, group, other or any: that execute bit must be set (container-structure-test isExecutableBy).</summary>
    public string? ExecutableBy { get; set; }
}

public sealed class CommandSpec
{
    public string Name { get; set; } = "";
    public string[] Command { get; set; } = Array.Empty<string>();
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
    public long ExitCode { get; set; }
    public List<string> Stdout { get; } = new();
    public List<string> NotStdout { get; } = new();
    public List<string> Stderr { get; } = new();
    public List<string> NotStderr { get; } = new();
    public Dictionary<string, string> Env { get; } = new(StringComparer.Ordinal);
    public string? User { get; set; }

    /// <summary>
    /// Run in a container of its own (the image's user, env and workdir; the entrypoint replaced by the command) rather
    /// than by docker exec in the app container. Commands also run this way when the app container is not running.
    /// </summary>
    public bool Separate { get; set; }

    /// <summary>Commands run first, each in its own container, their filesystem changes kept for the command (container-structure-test setup).</summary>
    public List<string[]> Setup { get; } = new();

    /// <summary>Commands run after the command on its final filesystem; a failure is reported in the message, not as a failed check.</summary>
    public List<string[]> Teardown { get; } = new();
}

public sealed class RuntimeSpec
{
    /// <summary>Start a container at all (null: when any runtime check asks for it).</summary>
    public bool? Start { get; set; }

    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);
    public string[]? Arguments { get; set; }
    public long? Memory { get; set; }
    public double? Cpus { get; set; }

    /// <summary>Run docker's init (tini) as PID 1, like docker run --init.</summary>
    public bool? Init { get; set; }

    /// <summary>Container ports to publish on 127.0.0.1 (besides the exposed ones).</summary>
    public List<string> Ports { get; } = new();

    public ReadinessSpec Ready { get; set; } = new();
    public List<HttpCheckSpec> Http { get; } = new();

    /// <summary>The container must become healthy within start period + retries × interval.</summary>
    public bool? Healthy { get; set; }

    public ResourceSpec? Resources { get; set; }

    /// <summary>User for the containers of the run (docker run --user).</summary>
    public string? User { get; set; }
    public bool? Privileged { get; set; }
    public bool? Tty { get; set; }
    public List<string> CapAdd { get; } = new();
    public List<string> CapDrop { get; } = new();

    /// <summary>docker run -v style bind mounts: <c>/host:/container[:ro]</c>.</summary>
    public List<string> Binds { get; } = new();
    public List<MountSpec> Mounts { get; } = new();

    /// <summary>Env files (KEY=VALUE lines; a bare KEY takes the host's value), read when the spec is read.</summary>
    public List<string> EnvFiles { get; } = new();

    /// <summary>Names passed from this process's environment (container-structure-test containerRunOptions.envVars).</summary>
    public List<string> HostEnv { get; } = new();

    /// <summary>none, bridge, host or a network's name.</summary>
    public string? Network { get; set; }

    /// <summary>Read-only root filesystem (docker run --read-only).</summary>
    public bool? ReadOnly { get; set; }

    /// <summary>
    /// Probe the image's HEALTHCHECK this often in the test container (docker run --health-interval), instead of the image's
    /// interval (30 s by default: the engine runs the first probe only then). The probe command, timeout, start period and
    /// retries stay the image's; metadata.healthcheck still checks the image's own timing.
    /// </summary>
    public TimeSpan? HealthInterval { get; set; }

    /// <summary>Check graceful shutdown (null: default on when a container runs).</summary>
    public bool? Shutdown { get; set; }
    public TimeSpan? GracePeriod { get; set; }

    public void Merge(RuntimeSpec o)
    {
        Start = o.Start ?? Start;
        foreach (var kv in o.Environment) Environment[kv.Key] = kv.Value;
        Arguments = o.Arguments ?? Arguments;
        Memory = o.Memory ?? Memory;
        Cpus = o.Cpus ?? Cpus;
        Init = o.Init ?? Init;
        Ports.AddRange(o.Ports);
        Ready.Merge(o.Ready);
        Http.AddRange(o.Http);
        Healthy = o.Healthy ?? Healthy;
        Resources = o.Resources ?? Resources;
        User = o.User ?? User;
        Privileged = o.Privileged ?? Privileged;
        Tty = o.Tty ?? Tty;
        CapAdd.AddRange(o.CapAdd);
        CapDrop.AddRange(o.CapDrop);
        Binds.AddRange(o.Binds);
        Mounts.AddRange(o.Mounts);
        EnvFiles.AddRange(o.EnvFiles);
        HostEnv.AddRange(o.HostEnv);
        Network = o.Network ?? Network;
        ReadOnly = o.ReadOnly ?? ReadOnly;
        Shutdown = o.Shutdown ?? Shutdown;
        GracePeriod = o.GracePeriod ?? GracePeriod;
        HealthInterval = o.HealthInterval ?? HealthInterval;
    }
}

/// <summary>Composite readiness: every condition given must hold. None given: healthy if the image has a HEALTHCHECK, else the published ports accept TCP.</summary>
public sealed class ReadinessSpec
{
    public bool? Healthy { get; set; }
    public string? LogPattern { get; set; }
    public string? HttpPath { get; set; }
    public string? HttpPort { get; set; }
    public bool? Tcp { get; set; }
    public TimeSpan? Timeout { get; set; }

    public bool IsEmpty => Healthy == null && LogPattern == null && HttpPath == null && Tcp == null;

    public void Merge(ReadinessSpec o)
    {
        Healthy = o.Healthy ?? Healthy;
        LogPattern = o.LogPattern ?? LogPattern;
        HttpPath = o.HttpPath ?? HttpPath;
        HttpPort = o.HttpPort ?? HttpPort;
        Tcp = o.Tcp ?? Tcp;
        Timeout = o.Timeout ?? Timeout;
    }
}

public sealed class HttpCheckSpec
{
    public string? Name { get; set; }
    public string Method { get; set; } = "GET";
    public string Path { get; set; } = "/";

    /// <summary>Send the request to this service's published port instead of the app's (a proxy in front of the app).</summary>
    public string? Service { get; set; }

    /// <summary>Container port (e.g. <c>5000</c>); default: the only or first published TCP port.</summary>
    public string? Port { get; set; }
    public bool Tls { get; set; }
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
    public string? Body { get; set; }
    public string? ContentType { get; set; }

    /// <summary>Expected status codes or ranges (<c>200</c>, <c>200-299</c>, <c>2xx</c>); default 200-299.</summary>
    public List<string> Status { get; } = new();
    public string? BodyPattern { get; set; }

    /// <summary>JSON property path (dot-separated, <c>items.0.name</c>) → expected value (as text).</summary>
    public Dictionary<string, string> Json { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> ResponseHeaders { get; } = new(StringComparer.OrdinalIgnoreCase);
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
    public int Retries { get; set; }
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Requests to send for latency percentiles (1: no latency check).</summary>
    public int Requests { get; set; } = 1;
    public TimeSpan? MaxP95 { get; set; }
    public bool SkipCertificateCheck { get; set; }
}

public sealed class ResourceSpec
{
    public long? MaxMemory { get; set; }
    public double? MaxCpuPercent { get; set; }
    public long? MaxPids { get; set; }
    public TimeSpan? MaxStartup { get; set; }
}
