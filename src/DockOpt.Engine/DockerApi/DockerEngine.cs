using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Docker.DotNet;
using Docker.DotNet.X509;

namespace DockOpt.Engine.DockerApi;

/// <summary>
/// A connection to one Docker engine: the only place that talks to Docker.DotNet. The API version is negotiated
/// (the lower of the engine's and <see cref="MaxClientApiVersion"/>), never pinned. Besides the typed
/// <see cref="Client"/>, <see cref="SendAsync"/> gives raw streaming HTTP for endpoints read as streams.
/// </summary>
public sealed class DockerEngine : IDisposable
{
    /// <summary>The newest API version this build of DockOpt speaks.</summary>
    public static readonly Version MaxClientApiVersion = new(1, 47);

    /// <summary>Oldest engine API DockOpt supports.</summary>
    public static readonly Version MinClientApiVersion = new(1, 40);

    readonly HttpClient _http;
    readonly EngineFlavor _flavor;
    DockerClient? _client;

    DockerEngine(EngineEndpoint endpoint, HttpClient http, EngineFlavor flavor, Version apiVersion, string? engineVersion, string? os)
    {
        Endpoint = endpoint;
        _http = http;
        _flavor = flavor;
        ApiVersion = apiVersion;
        EngineVersion = engineVersion;
        EngineOs = os;
    }

    /// <summary>"Docker", "Podman" (its Docker-compatible service), or null when the engine did not say.</summary>
    public string? EngineProduct => _flavor.Product;

    /// <summary>Podman's Docker-compatible service: no BuildKit, Buildah behind /build (see <see cref="PodmanCompatHandler"/>).</summary>
    public bool IsPodman => _flavor.IsPodman;

    /// <summary>Why this engine cannot run BuildKit builds whatever its API version says, or null.</summary>
    public string? BuildKitMissingReason => IsPodman
        ? $"the engine is Podman {EngineVersion} (its /build runs Buildah; it has no BuildKit sessions)"
        : null;

    public EngineEndpoint Endpoint { get; }

    /// <summary>The negotiated API version used in every request path.</summary>
    public Version ApiVersion { get; }

    /// <summary>The engine's own version (Server header), when it told.</summary>
    public string? EngineVersion { get; }

    public string? EngineOs { get; }

    /// <summary>Typed Docker.DotNet client bound to the negotiated version.</summary>
    public DockerClient Client => _client ??= BuildClient();

    public override string ToString() => Endpoint.ToString();

    /// <summary>Resolves the endpoint, pings it and negotiates the API version. Fails within the timeout with EngineUnreachable.</summary>
    public static async Task<DockerEngine> ConnectAsync(EngineOptions options, CancellationToken ct)
    {
        var endpoint = EngineEndpointResolver.Resolve(options.Engine);
        if (endpoint.Uri.Scheme == "unix" && UnixSocketProblem(endpoint.Uri.AbsolutePath) is { } socketProblem)
            throw Unreachable(endpoint, socketProblem, null); // say what is wrong, not "Cannot assign requested address"
        var flavor = new EngineFlavor();
        var http = CreateHttpClient(endpoint, flavor, options.ConnectTimeout);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.ConnectTimeout);
            HttpResponseMessage resp;
            try
            {
                resp = await http.GetAsync("/_ping", HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                if (endpoint.Uri.Scheme == "ssh")
                    throw new DockOptException(ErrorIds.EngineSshFailed, DockOptErrorCategory.ConnectionError,
                        $"Cannot reach the Docker engine at {endpoint} (from {endpoint.Source}): ssh and 'docker system dial-stdio' gave no answer within {options.ConnectTimeout.TotalSeconds:0} s.",
                        endpoint.ToString(), "Check that the host is reachable on that port ('ssh -v USER@HOST docker version' shows where it stops) and that the remote engine runs.");
                throw Unreachable(endpoint, $"no answer within {options.ConnectTimeout.TotalSeconds:0} s", null);
            }
            catch (Exception e) when (SshTransportException.Find(e) is { } ssh)
            {
                throw ssh.ToDockOpt(endpoint.Source);
            }
            catch (HttpRequestException e) when (e.InnerException is DockOptException own)
            {
                throw own; // the transport's own error (the ssh client could not be started)
            }
            catch (HttpRequestException e)
            {
                throw Unreachable(endpoint, (e.InnerException ?? e).Message, e);
            }
            catch (SocketException e)
            {
                throw Unreachable(endpoint, e.Message, e);
            }
            catch (IOException e)
            {
                throw Unreachable(endpoint, e.Message, e);
            }
            using (resp)
            {
                if (!resp.IsSuccessStatusCode && resp.StatusCode != HttpStatusCode.InternalServerError)
                    throw Unreachable(endpoint, $"/_ping answered HTTP {(int)resp.StatusCode}", null);
                var server = TryHeader(resp, "Api-Version");
                var version = Negotiate(server);
                var (product, engineVersion) = EngineFlavor.FromPing(resp.Headers);
                flavor.Product = product;
                return new DockerEngine(endpoint, http, flavor, version, engineVersion, TryHeader(resp, "OSType") ?? (product == "Podman" ? "linux" : null))
                {
                    RequestTimeout = options.RequestTimeout ?? EngineTimeouts.FromEnvironment(EngineTimeouts.RequestVariable, EngineTimeouts.DefaultRequest),
                    IdleTimeout = options.IdleTimeout ?? EngineTimeouts.FromEnvironment(EngineTimeouts.IdleVariable, EngineTimeouts.DefaultIdle),
                };
            }
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    /// <summary>Why a unix socket path cannot be an engine's socket (missing, or a folder), or null.</summary>
    internal static string? UnixSocketProblem(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (Directory.Exists(path)) return $"'{path}' is a folder, not a socket";
            if (!info.Exists)
            {
                var dir = Path.GetDirectoryName(path);
                return !string.IsNullOrEmpty(dir) && !Directory.Exists(dir)
                    ? $"there is no socket at '{path}' (the folder '{dir}' does not exist)"
                    : $"there is no socket at '{path}' (no such file: the engine is not running, or listens elsewhere)";
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return null;
    }

    /// <summary>min(engine, client max); an engine older than the client minimum is still tried at its own version.</summary>
    public static Version Negotiate(string? serverApiVersion)
    {
        if (string.IsNullOrEmpty(serverApiVersion) || !Version.TryParse(serverApiVersion, out var server))
            return MinClientApiVersion; // very old engines did not send the header
        return server < MaxClientApiVersion ? server : MaxClientApiVersion;
    }

    static string? TryHeader(HttpResponseMessage resp, string name) =>
        resp.Headers.TryGetValues(name, out var v) ? v.FirstOrDefault() : null;

    static DockOptException Unreachable(EngineEndpoint ep, string detail, Exception? inner)
    {
        var hint = ep.Uri.Scheme == "unix"
            ? $"Start the Docker engine (for example 'sudo systemctl start docker' or 'dockerd &'), check that you may read '{ep.Uri.AbsolutePath}', or point DOCKER_HOST / -Engine at a running engine. On a fresh Debian machine './build.ps1 Bootstrap' installs and starts one."
            : "Start the Docker engine, check the address and TLS settings (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH), or point DOCKER_HOST / -Engine at a running engine.";
        return new DockOptException(ErrorIds.EngineUnreachable, DockOptErrorCategory.ConnectionError,
            $"Cannot reach the Docker engine at {ep} (from {ep.Source}): {detail}.", ep.ToString(), hint, inner);
    }

    static HttpClient CreateHttpClient(EngineEndpoint ep, EngineFlavor flavor, TimeSpan connectTimeout)
    {
        var (handler, baseAddress) = CreateHandler(ep, connectTimeout);
        return new HttpClient(new PodmanCompatHandler(handler, flavor), disposeHandler: true) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The transport for an endpoint: unix socket, named pipe, TCP (with TLS), or one ssh dial-stdio process per connection.</summary>
    static (SocketsHttpHandler Handler, Uri BaseAddress) CreateHandler(EngineEndpoint ep, TimeSpan connectTimeout)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = 16,
        };
        Uri baseAddress;
        switch (ep.Uri.Scheme)
        {
            case "unix":
                var socketPath = ep.Uri.AbsolutePath;
                handler.ConnectCallback = async (_, token) =>
                {
                    var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await s.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), token).ConfigureAwait(false);
                        return new NetworkStream(s, ownsSocket: true);
                    }
                    catch
                    {
                        s.Dispose();
                        throw;
                    }
                };
                baseAddress = new Uri("http://docker.sock");
                break;
            case "ssh":
                handler.ConnectCallback = (_, _) => ValueTask.FromResult(SshDialer.Connect(ep, connectTimeout));
                handler.ConnectTimeout = connectTimeout + TimeSpan.FromSeconds(5);
                handler.MaxConnectionsPerServer = 4; // each connection is an ssh process and a login on the remote host
                baseAddress = new Uri("http://docker.ssh");
                break;
            case "npipe":
                var pipeName = ep.Uri.AbsolutePath.TrimStart('/');
                if (pipeName.StartsWith("pipe/", StringComparison.Ordinal)) pipeName = pipeName.Substring(5);
                var server = string.IsNullOrEmpty(ep.Uri.Host) ? "." : ep.Uri.Host;
                handler.ConnectCallback = async (_, token) =>
                {
                    var pipe = new System.IO.Pipes.NamedPipeClientStream(server, pipeName, System.IO.Pipes.PipeDirection.InOut, System.IO.Pipes.PipeOptions.Asynchronous);
                    await pipe.ConnectAsync(token).ConfigureAwait(false);
                    return pipe;
                };
                baseAddress = new Uri("http://docker.pipe");
                break;
            default:
                var scheme = ep.UseTls ? "https" : "http";
                baseAddress = new UriBuilder(scheme, ep.Uri.Host, ep.Uri.IsDefaultPort ? (ep.UseTls ? 2376 : 2375) : ep.Uri.Port).Uri;
                if (ep.UseTls)
                {
                    var ssl = new SslClientAuthenticationOptions();
                    if (ep.CertPath != null && ep.KeyPath != null && File.Exists(ep.CertPath) && File.Exists(ep.KeyPath))
                        ssl.ClientCertificates = new X509CertificateCollection { LoadClientCertificate(ep.CertPath, ep.KeyPath) };
                    if (!ep.TlsVerify || ep.SkipTlsVerify)
                        ssl.RemoteCertificateValidationCallback = (_, _, _, _) => true;
                    else if (ep.CaPath != null && File.Exists(ep.CaPath))
                    {
                        var ca = LoadCaBundle(ep.CaPath);
                        ssl.RemoteCertificateValidationCallback = (_, cert, chain, errors) => ValidateWithCa(cert, ca, errors);
                    }
                    handler.SslOptions = ssl;
                }
                break;
        }
        return (handler, baseAddress);
    }

    static X509Certificate2 LoadClientCertificate(string certPath, string keyPath)
    {
        var cert = X509Certificate2.CreateFromPemFile(certPath, keyPath);
        // Linux SslStream needs an exportable, persisted key; round-trip through PKCS#12.
        return new X509Certificate2(cert.Export(X509ContentType.Pkcs12));
    }

    /// <summary>A ca.pem holds one or more certificates and no key.</summary>
    internal static X509Certificate2Collection LoadCaBundle(string path)
    {
        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPemFile(path);
        if (bundle.Count == 0)
            throw new DockOptException(ErrorIds.EngineTlsInvalid, DockOptErrorCategory.InvalidData,
                $"The CA file '{path}' holds no PEM certificate.", path, "Point DOCKER_CERT_PATH at the folder with the engine's ca.pem, cert.pem and key.pem.");
        return bundle;
    }

    static bool ValidateWithCa(X509Certificate? cert, X509Certificate2Collection ca, SslPolicyErrors errors)
    {
        if (cert == null) return false;
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(cert));
    }

    DockerClient BuildClient()
    {
        if (Endpoint.Uri.Scheme == "ssh" || (IsPodman && !Endpoint.UseTls))
        {
            // Docker.DotNet has no ssh transport, and its own transports would bypass the Podman mending: give it ours.
            return new DockerClientBuilder().WithEndpoint(new Uri("http://docker.sock")).WithApiVersion(ApiVersion).WithTimeout(RequestTimeout)
                .WithTransportOptions(new OwnTransport(), this).Build();
        }
        var builder = new DockerClientBuilder().WithEndpoint(Endpoint.Uri).WithApiVersion(ApiVersion)
            .WithTimeout(RequestTimeout);
        if (Endpoint.UseTls && Endpoint.Uri.Scheme is "tcp" or "https")
        {
            X509Certificate2? clientCert = null;
            if (Endpoint.CertPath != null && Endpoint.KeyPath != null && File.Exists(Endpoint.CertPath) && File.Exists(Endpoint.KeyPath))
                clientCert = LoadClientCertificate(Endpoint.CertPath, Endpoint.KeyPath);
            var creds = new CertificateCredentials(clientCert!);
            if (!Endpoint.TlsVerify || Endpoint.SkipTlsVerify)
                creds.ServerCertificateValidationCallback = (_, _, _, _) => true;
            else if (Endpoint.CaPath != null && File.Exists(Endpoint.CaPath))
            {
                var ca = LoadCaBundle(Endpoint.CaPath);
                creds.ServerCertificateValidationCallback = (_, cert, _, errors) => ValidateWithCa(cert, ca, errors);
            }
            builder = builder.WithAuthProvider(creds);
        }
        return builder.Build();
    }

    /// <summary>How long a bounded request may take, and each read of its answer (see <see cref="EngineTimeouts"/>).</summary>
    public TimeSpan RequestTimeout { get; private set; } = EngineTimeouts.DefaultRequest;

    /// <summary>How long a long-running request (build, push, logs, export…) may go without any byte moving.</summary>
    public TimeSpan IdleTimeout { get; private set; } = EngineTimeouts.DefaultIdle;

    /// <summary>
    /// Raw request against the versioned API (<c>/v1.41/…</c>); the response is not buffered. The answer's headers must
    /// come, and every read of its body progress, within <see cref="RequestTimeout"/> (or <see cref="IdleTimeout"/> for a
    /// long-running request, whose upload also counts as progress): else EngineTimeout. A connection that breaks is
    /// EngineConnectionLost.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, HttpContent? content, CancellationToken ct,
        IDictionary<string, string>? headers = null)
    {
        var path = $"/v{ApiVersion.Major}.{ApiVersion.Minor}{(pathAndQuery.StartsWith('/') ? "" : "/")}{pathAndQuery}";
        var longRunning = EngineTimeouts.IsLongRunning(path);
        var limit = longRunning ? IdleTimeout : RequestTimeout;
        var what = EngineTimeouts.What(method, pathAndQuery);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(limit);
        var req = new HttpRequestMessage(method, path)
        {
            // an upload that moves is progress: each write restarts the clock
            Content = content == null ? null : longRunning ? new ProgressContent(content, () => { try { cts.CancelAfter(limit); } catch (ObjectDisposedException) { } }) : content,
        };
        if (headers != null)
            foreach (var kv in headers) req.Headers.TryAddWithoutValidation(kv.Key, kv.Value);
        HttpResponseMessage resp;
        try
        {
            resp = await _http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw EngineTimeouts.Timeout(Endpoint, what, limit, longRunning);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && SshTransportException.Find(e) is { } ssh)
        {
            throw ssh.ToDockOpt(Endpoint.Source);
        }
        catch (HttpRequestException e) when (!ct.IsCancellationRequested)
        {
            throw EngineTimeouts.ConnectionLost(Endpoint, what, e);
        }
        catch (IOException e) when (!ct.IsCancellationRequested)
        {
            throw EngineTimeouts.ConnectionLost(Endpoint, what, e);
        }
        var endpoint = Endpoint;
        resp.Content = new WatchedContent(resp.Content, s => new WatchedStream(s, limit,
            () => EngineTimeouts.Timeout(endpoint, what, limit, longRunning),
            e => EngineTimeouts.ConnectionLost(endpoint, what, e)));
        return resp;
    }

    /// <summary>Sends a request and throws a DockOptException for an error answer (message from the engine's JSON).</summary>
    public async Task<HttpResponseMessage> SendCheckedAsync(HttpMethod method, string pathAndQuery, HttpContent? content,
        CancellationToken ct, string notFoundErrorId = ErrorIds.EngineObjectNotFound, object? target = null)
    {
        var resp = await SendAsync(method, pathAndQuery, content, ct).ConfigureAwait(false);
        if (resp.IsSuccessStatusCode) return resp;
        using (resp)
        {
            var body = await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            var message = EngineErrors.ExtractMessage(body);
            throw EngineErrors.FromStatus(resp.StatusCode, message, notFoundErrorId, target ?? pathAndQuery);
        }
    }

    /// <summary>Gives Docker.DotNet the same transport and mending as the raw client (its own connections).</summary>
    sealed class OwnTransport : Docker.DotNet.Handler.Abstractions.IDockerHandlerFactory<DockerEngine>
    {
        public Docker.DotNet.Handler.Abstractions.ResolvedTransport CreateHandler(DockerEngine engine,
            Docker.DotNet.Handler.Abstractions.ResolvedClientOptions options, Microsoft.Extensions.Logging.ILogger logger)
        {
            var (handler, baseAddress) = DockerEngine.CreateHandler(engine.Endpoint, TimeSpan.FromSeconds(5));
            return new Docker.DotNet.Handler.Abstractions.ResolvedTransport(new PodmanCompatHandler(handler, engine._flavor), baseAddress);
        }

        public Docker.DotNet.Handler.Abstractions.ResolvedTransport CreateHandler(Docker.DotNet.Handler.Abstractions.ResolvedClientOptions options,
            Microsoft.Extensions.Logging.ILogger logger) =>
            throw new NotSupportedException("DockOpt's transport needs its engine.");

        // DockOpt's typed calls are inspect/list/history only; attach and exec go through SendAsync.
        public Task<Docker.DotNet.Handler.Abstractions.WriteClosableStream> HijackStreamAsync(HttpContent content) =>
            throw new NotSupportedException("Hijacked streams are not used through the typed client.");
    }

    public void Dispose()
    {
        _client?.Dispose();
        _http.Dispose();
    }
}
