using System.Collections.Concurrent;
using System.IO.Pipes;
using System.Net.Sockets;
using DockOpt.Engine.Registry;

namespace DockOpt.Engine.Building.BuildKit;

/// <summary><c>grpc.health.v1.Health</c>: the daemon checks it every second and ends the session at the first failure.</summary>
public sealed class HealthService : ISessionService
{
    static readonly byte[] Serving = new ProtoWriter().UInt(1, 1).ToArray();
    int _checks;

    public IEnumerable<string> Methods => new[] { "/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch" };

    public int Checks => _checks;

    public async Task HandleAsync(IGrpcServerCall call)
    {
        await call.ReadMessageAsync().ConfigureAwait(false);
        Interlocked.Increment(ref _checks);
        await call.WriteMessageAsync(Serving).ConfigureAwait(false);
        if (call.Method.EndsWith("/Watch", StringComparison.Ordinal))
            await Task.Delay(Timeout.Infinite, call.CancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// <c>moby.filesync.v1.Auth</c>: registry credentials for the daemon's pulls (base images, cache sources, a
/// <c># syntax</c> frontend) from DockOpt's credential chain (config.json helpers and auths, ECR). Token-authority
/// methods answer UNIMPLEMENTED, so the daemon fetches tokens itself with these credentials.
/// </summary>
public sealed class AuthService : ISessionService
{
    readonly Func<string, CancellationToken, Task<(string User, string Secret)?>> _lookup;
    readonly ConcurrentQueue<string> _hosts = new();

    public AuthService(Func<string, CancellationToken, Task<(string User, string Secret)?>> lookup) => _lookup = lookup;

    /// <summary>The registry chain as Publish uses it: config.json (credHelpers, credsStore, auths), then ECR.</summary>
    public static AuthService FromRegistryAuth(RegistryAuth auth, IDockOptSink quietSink) => new(async (host, ct) =>
    {
        RegistryCredential c;
        try
        {
            // Docker Hub arrives as registry-1.docker.io; config.json's https://index.docker.io/v1/ matches it.
            c = await auth.ResolveAsync(new RegistryTarget(host, "_"), quietSink, ct).ConfigureAwait(false);
        }
        catch (DockOptException)
        {
            return null;
        }
        if (c.IsAnonymous) return null;
        return c.IdentityToken != null ? ("", c.IdentityToken) : (c.Username ?? "", c.Secret ?? "");
    });

    /// <summary>Hosts the daemon asked about (no secrets).</summary>
    public IReadOnlyCollection<string> HostsAsked => _hosts.ToArray();

    public IEnumerable<string> Methods => new[]
    {
        "/moby.filesync.v1.Auth/Credentials", "/moby.filesync.v1.Auth/FetchToken",
        "/moby.filesync.v1.Auth/GetTokenAuthority", "/moby.filesync.v1.Auth/VerifyTokenAuthority",
    };

    public async Task HandleAsync(IGrpcServerCall call)
    {
        if (!call.Method.EndsWith("/Credentials", StringComparison.OrdinalIgnoreCase))
            throw new GrpcException(GrpcStatus.Unimplemented, "token authority not provided");
        var req = await call.ReadMessageAsync().ConfigureAwait(false) ?? Array.Empty<byte>();
        var host = "";
        var r = new ProtoReader(req);
        while (r.Next())
        {
            if (r.Field == 1 && r.Wire == 2) host = r.String();
            else r.Skip();
        }
        _hosts.Enqueue(host);
        var found = await _lookup(host, call.CancellationToken).ConfigureAwait(false);
        var w = new ProtoWriter();
        if (found is { } f) w.String(1, f.User).String(2, f.Secret);
        await call.WriteMessageAsync(w.ToArray()).ConfigureAwait(false);
    }
}

/// <summary><c>moby.buildkit.secrets.v1.Secrets/GetSecret</c>: values read from files or environment variables when asked, never kept.</summary>
public sealed class SecretsService : ISessionService
{
    public const int MaxSecretBytes = 500 * 1024;
    readonly IReadOnlyDictionary<string, BuildSecret> _secrets;

    public SecretsService(IReadOnlyDictionary<string, BuildSecret> secrets) => _secrets = secrets;

    public IEnumerable<string> Methods => new[] { "/moby.buildkit.secrets.v1.Secrets/GetSecret" };

    public async Task HandleAsync(IGrpcServerCall call)
    {
        var req = await call.ReadMessageAsync().ConfigureAwait(false) ?? Array.Empty<byte>();
        var id = "";
        var r = new ProtoReader(req);
        while (r.Next())
        {
            if (r.Field == 1 && r.Wire == 2) id = r.String();
            else r.Skip();
        }
        if (!_secrets.TryGetValue(id, out var secret))
            throw new GrpcException(GrpcStatus.NotFound, $"secret {id} not found");
        var data = secret.Read();
        try
        {
            await call.WriteMessageAsync(new ProtoWriter().Bytes(1, data).ToArray()).ConfigureAwait(false);
        }
        finally
        {
            Array.Clear(data);
        }
    }
}

/// <summary>One -Secret: a file or an environment variable, read only when the daemon asks.</summary>
public sealed class BuildSecret
{
    public string Id { get; init; } = "";
    public string? File { get; init; }
    public string? Env { get; init; }

    public byte[] Read()
    {
        if (Env != null)
        {
            var v = Environment.GetEnvironmentVariable(Env);
            if (v == null) throw new GrpcException(GrpcStatus.NotFound, $"secret {Id}: environment variable {Env} is not set");
            return System.Text.Encoding.UTF8.GetBytes(v);
        }
        var info = new FileInfo(File!);
        if (!info.Exists) throw new GrpcException(GrpcStatus.NotFound, $"secret {Id}: file not found");
        if (info.Length > SecretsService.MaxSecretBytes) throw new GrpcException(GrpcStatus.ResourceExhausted, $"secret {Id} is larger than 500 KiB");
        return System.IO.File.ReadAllBytes(info.FullName);
    }

    /// <summary>Parses docker's <c>id=NAME,src=FILE</c> / <c>id=NAME,env=VAR</c> (also <c>source=</c>, <c>type=file|env</c>).</summary>
    public static BuildSecret Parse(string spec, string workingDirectory)
    {
        string? id = null, src = null, env = null, type = null;
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) throw Invalid(spec, $"'{part}' is not key=value");
            var k = part.Substring(0, eq).Trim().ToLowerInvariant();
            var v = part.Substring(eq + 1).Trim();
            switch (k)
            {
                case "id": id = v; break;
                case "src" or "source": src = v; break;
                case "env": env = v; break;
                case "type": type = v; break;
                default: throw Invalid(spec, $"unknown key '{k}'");
            }
        }
        if (string.IsNullOrEmpty(id)) throw Invalid(spec, "no id");
        if (type == "env" && env == null) { env = src ?? id; src = null; }
        if (src == null && env == null)
        {
            if (type == "file" || Environment.GetEnvironmentVariable(id) == null) src = id;
            else env = id;
        }
        if (src != null)
        {
            var full = Path.GetFullPath(src, workingDirectory);
            if (!System.IO.File.Exists(full))
                throw new DockOptException(ErrorIds.BuildSecretInvalid, DockOptErrorCategory.ObjectNotFound,
                    $"The file of secret '{id}' does not exist: '{full}'.", id, "Give an existing file as src=, or env= with an environment variable.");
            return new BuildSecret { Id = id, File = full };
        }
        return new BuildSecret { Id = id, Env = env };
    }

    static DockOptException Invalid(string spec, string why) => new(ErrorIds.BuildSecretInvalid, DockOptErrorCategory.InvalidArgument,
        $"The secret '{spec}' is not valid: {why}.", spec, "Give -Secret as 'id=NAME,src=FILE', 'id=NAME,env=VARIABLE', or a hashtable @{ NAME = 'FILE' }.");
}

/// <summary>
/// <c>moby.sshforward.v1.SSH</c>: forwards ssh-agent connections made inside <c>RUN --mount=type=ssh</c> to a local
/// agent socket (one gRPC stream per agent connection, raw bytes in <c>BytesMessage</c>).
/// </summary>
public sealed class SshService : ISessionService
{
    readonly IReadOnlyDictionary<string, string> _agents;

    /// <param name="agents">id → agent socket path (a Unix socket, or a Windows named pipe <c>\\.\pipe\…</c>).</param>
    public SshService(IReadOnlyDictionary<string, string> agents) => _agents = agents;

    public IEnumerable<string> Methods => new[] { "/moby.sshforward.v1.SSH/CheckAgent", "/moby.sshforward.v1.SSH/ForwardAgent" };

    /// <summary>Parses <c>default</c>, <c>default=PATH</c> or <c>ID=PATH</c>; the default agent is SSH_AUTH_SOCK.</summary>
    public static (string Id, string Path) Parse(string spec, string workingDirectory)
    {
        var eq = spec.IndexOf('=');
        var id = eq < 0 ? spec.Trim() : spec.Substring(0, eq).Trim();
        var path = eq < 0 ? null : spec.Substring(eq + 1).Trim();
        if (id.Length == 0) throw Invalid(spec, "no id");
        if (string.IsNullOrEmpty(path))
        {
            path = Environment.GetEnvironmentVariable("SSH_AUTH_SOCK");
            if (string.IsNullOrEmpty(path) && OperatingSystem.IsWindows()) path = @"\\.\pipe\openssh-ssh-agent";
            if (string.IsNullOrEmpty(path)) throw Invalid(spec, "no path given and SSH_AUTH_SOCK is not set");
        }
        else if (!path.StartsWith(@"\\", StringComparison.Ordinal)) path = System.IO.Path.GetFullPath(path, workingDirectory);
        if (path.Contains(',')) throw Invalid(spec, "only one socket per id (key files are not supported; use an agent)");
        if (!path.StartsWith(@"\\", StringComparison.Ordinal) && !System.IO.File.Exists(path))
            throw new DockOptException(ErrorIds.BuildSshInvalid, DockOptErrorCategory.ObjectNotFound,
                $"The ssh agent socket '{path}' for '{id}' does not exist.", spec, "Start ssh-agent (eval $(ssh-agent)) and ssh-add a key, or give ID=SOCKET.");
        return (id, path);
    }

    static DockOptException Invalid(string spec, string why) => new(ErrorIds.BuildSshInvalid, DockOptErrorCategory.InvalidArgument,
        $"The ssh forwarding '{spec}' is not valid: {why}.", spec, "Give -Ssh as 'default' (the agent in SSH_AUTH_SOCK) or 'ID=SOCKET'.");

    public async Task HandleAsync(IGrpcServerCall call)
    {
        if (call.Method.EndsWith("/CheckAgent", StringComparison.OrdinalIgnoreCase))
        {
            var req = await call.ReadMessageAsync().ConfigureAwait(false) ?? Array.Empty<byte>();
            var id = "";
            var r = new ProtoReader(req);
            while (r.Next())
            {
                if (r.Field == 1 && r.Wire == 2) id = r.String();
                else r.Skip();
            }
            if (id.Length == 0) id = "default";
            if (!_agents.ContainsKey(id)) throw new GrpcException(GrpcStatus.NotFound, $"unset ssh forward key {id}");
            await call.WriteMessageAsync(Array.Empty<byte>()).ConfigureAwait(false);
            return;
        }
        var key = call.Value("buildkit.ssh.id");
        if (string.IsNullOrEmpty(key)) key = "default";
        if (!_agents.TryGetValue(key, out var path)) throw new GrpcException(GrpcStatus.NotFound, $"unset ssh forward key {key}");
        await using var agent = await ConnectAsync(path, call.CancellationToken).ConfigureAwait(false);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(call.CancellationToken);
        var toAgent = Task.Run(async () =>
        {
            while (await call.ReadMessageAsync().ConfigureAwait(false) is { } msg)
            {
                await agent.WriteAsync(BytesMessageData(msg), done.Token).ConfigureAwait(false);
                await agent.FlushAsync(done.Token).ConfigureAwait(false);
            }
            done.Cancel(); // the container closed its end
        });
        var buf = new byte[16 * 1024];
        try
        {
            int n;
            while ((n = await agent.ReadAsync(buf, done.Token).ConfigureAwait(false)) > 0)
                await call.WriteMessageAsync(new ProtoWriter().Bytes(1, buf.AsSpan(0, n)).ToArray()).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (done.IsCancellationRequested && !call.CancellationToken.IsCancellationRequested)
        {
        }
        try { await toAgent.ConfigureAwait(false); }
        catch (OperationCanceledException) { }
    }

    static byte[] BytesMessageData(byte[] msg)
    {
        var r = new ProtoReader(msg);
        var data = new MemoryStream();
        while (r.Next())
        {
            if (r.Field == 1 && r.Wire == 2) data.Write(r.Bytes());
            else r.Skip();
        }
        return data.ToArray();
    }

    static async Task<Stream> ConnectAsync(string path, CancellationToken ct)
    {
        if (path.StartsWith(@"\\", StringComparison.Ordinal))
        {
            var name = path.Substring(path.LastIndexOf('\\') + 1);
            var pipe = new NamedPipeClientStream(".", name, PipeDirection.InOut, PipeOptions.Asynchronous);
            await pipe.ConnectAsync(ct).ConfigureAwait(false);
            return pipe;
        }
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await s.ConnectAsync(new UnixDomainSocketEndPoint(path), ct).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            s.Dispose();
            throw new GrpcException(GrpcStatus.Unavailable, $"cannot connect to the ssh agent: {e.Message}");
        }
        return new NetworkStream(s, ownsSocket: true);
    }
}
