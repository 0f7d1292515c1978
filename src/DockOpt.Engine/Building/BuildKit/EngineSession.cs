using System.Net.Security;
using System.Security.Authentication;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using DockOpt.Engine.DockerApi;

namespace DockOpt.Engine.Building.BuildKit;

/// <summary>
/// A BuildKit session on the Engine API: a second connection to the engine, <c>POST /session</c> upgraded to h2c, on
/// which DockOpt is the HTTP/2 and gRPC server for the daemon's calls (health, file sync, auth, secrets, ssh).
/// </summary>
public sealed class EngineSession : IAsyncDisposable
{
    readonly Http2Server _server;

    EngineSession(string id, Http2Server server)
    {
        Id = id;
        _server = server;
    }

    public string Id { get; }

    public Http2Server Server => _server;

    /// <summary>25 characters of base 36, like the docker CLI's session IDs.</summary>
    public static string NewId()
    {
        const string alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
        var bytes = RandomNumberGenerator.GetBytes(25);
        return new string(bytes.Select(b => alphabet[b % 36]).ToArray());
    }

    /// <summary>
    /// The shared key lets the daemon compare a new upload with the previous one from the same directory (only
    /// changed files travel). Stable per machine, user and context directory.
    /// </summary>
    public static string SharedKey(string contextDirectory)
    {
        var node = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"dockopt:{Environment.MachineName}:{Environment.UserName}"))).ToLowerInvariant();
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(node + ":" + contextDirectory))).ToLowerInvariant();
    }

    public static async Task<EngineSession> OpenAsync(EngineEndpoint endpoint, SessionServiceSet services, string name, string sharedKey,
        Action<string>? log, CancellationToken ct)
    {
        var id = NewId();
        Stream io;
        try
        {
            io = await DialAsync(endpoint, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or AuthenticationException)
        {
            throw new DockOptException(ErrorIds.BuildKitSessionFailed, DockOptErrorCategory.ConnectionError,
                $"Cannot open a BuildKit session connection to {endpoint}: {e.Message}", endpoint.ToString(),
                "Check that the engine is running, or use -Builder Classic.", e);
        }
        try
        {
            var sb = new StringBuilder();
            sb.Append("POST /session HTTP/1.1\r\n");
            sb.Append("Host: docker\r\n");
            sb.Append("User-Agent: DockOpt\r\n");
            sb.Append("Content-Length: 0\r\n");
            sb.Append("Connection: Upgrade\r\n");
            sb.Append("Upgrade: h2c\r\n");
            sb.Append("X-Docker-Expose-Session-Uuid: ").Append(id).Append("\r\n");
            sb.Append("X-Docker-Expose-Session-Name: ").Append(Sanitize(name)).Append("\r\n");
            sb.Append("X-Docker-Expose-Session-Sharedkey: ").Append(sharedKey).Append("\r\n");
            foreach (var m in services.Methods) sb.Append("X-Docker-Expose-Session-Grpc-Method: ").Append(m).Append("\r\n"); // one line per method
            sb.Append("\r\n");
            await io.WriteAsync(Encoding.ASCII.GetBytes(sb.ToString()), ct).ConfigureAwait(false);
            await io.FlushAsync(ct).ConfigureAwait(false);

            // Read the answer byte by byte up to the blank line: what follows is already HTTP/2 and stays in the stream.
            var head = new List<byte>(256);
            var one = new byte[1];
            // an engine that accepts the upgrade request and never answers must not hang the build (issue 18 item 4)
            var limit = EngineTimeouts.FromEnvironment(EngineTimeouts.RequestVariable, EngineTimeouts.DefaultRequest);
            using var answerBy = CancellationTokenSource.CreateLinkedTokenSource(ct);
            answerBy.CancelAfter(limit);
            while (true)
            {
                int n;
                try { n = await io.ReadAsync(one, answerBy.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw EngineTimeouts.Timeout(endpoint, "POST /session (the BuildKit session upgrade)", limit, idle: false);
                }
                if (n == 0) throw new IOException("the engine closed the connection before answering POST /session");
                head.Add(one[0]);
                if (head.Count >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r') break;
                if (head.Count > 64 * 1024) throw new IOException("the answer to POST /session has no end of headers");
            }
            var text = Encoding.ASCII.GetString(head.ToArray());
            var statusLine = text.Split("\r\n")[0];
            var parts = statusLine.Split(' ', 3);
            if (parts.Length < 2 || parts[1] != "101")
            {
                var body = "";
                try
                {
                    var buf = new byte[4096];
                    using var t = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    var n = await io.ReadAsync(buf, t.Token).ConfigureAwait(false);
                    body = EngineErrors.ExtractMessage(Encoding.UTF8.GetString(buf, 0, n));
                }
                catch (Exception e) when (e is IOException or OperationCanceledException) { }
                throw new DockOptException(ErrorIds.BuildKitSessionFailed, DockOptErrorCategory.ConnectionError,
                    $"The engine at {endpoint} refused the BuildKit session: {statusLine} {body}".Trim(), endpoint.ToString(),
                    "Something between DockOpt and the engine may not support the HTTP upgrade of POST /session; use -Builder Classic.");
            }
            var server = new Http2Server(io, services, log);
            server.Start();
            return new EngineSession(id, server);
        }
        catch
        {
            await io.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    static string Sanitize(string s) => new(s.Where(c => c >= 0x20 && c < 0x7f).ToArray());

    /// <summary>A raw connection to the engine, as the HTTP client makes them (unix socket, named pipe, TCP with optional TLS).</summary>
    internal static async Task<Stream> DialAsync(EngineEndpoint ep, CancellationToken ct)
    {
        switch (ep.Uri.Scheme)
        {
            case "unix":
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(ep.Uri.AbsolutePath), ct).ConfigureAwait(false);
                    return new NetworkStream(s, ownsSocket: true);
                }
                catch
                {
                    s.Dispose();
                    throw;
                }
            }
            case "ssh":
                return SshDialer.Connect(ep, TimeSpan.FromSeconds(10));
            case "npipe":
            {
                var pipeName = ep.Uri.AbsolutePath.TrimStart('/');
                if (pipeName.StartsWith("pipe/", StringComparison.Ordinal)) pipeName = pipeName.Substring(5);
                var server = string.IsNullOrEmpty(ep.Uri.Host) ? "." : ep.Uri.Host;
                var pipe = new System.IO.Pipes.NamedPipeClientStream(server, pipeName, System.IO.Pipes.PipeDirection.InOut, System.IO.Pipes.PipeOptions.Asynchronous);
                await pipe.ConnectAsync(ct).ConfigureAwait(false);
                return pipe;
            }
            default:
            {
                var port = ep.Uri.IsDefaultPort || ep.Uri.Port <= 0 ? (ep.UseTls ? 2376 : 2375) : ep.Uri.Port;
                var tcp = new TcpClient { NoDelay = true };
                await tcp.ConnectAsync(ep.Uri.Host, port, ct).ConfigureAwait(false);
                Stream stream = tcp.GetStream();
                if (!ep.UseTls) return stream;
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                var options = new SslClientAuthenticationOptions { TargetHost = ep.Uri.Host };
                if (ep.CertPath != null && ep.KeyPath != null && File.Exists(ep.CertPath) && File.Exists(ep.KeyPath))
                {
                    using var pem = X509Certificate2.CreateFromPemFile(ep.CertPath, ep.KeyPath);
                    options.ClientCertificates = new X509CertificateCollection { new X509Certificate2(pem.Export(X509ContentType.Pkcs12)) };
                }
                if (!ep.TlsVerify || ep.SkipTlsVerify) options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
                else if (ep.CaPath != null && File.Exists(ep.CaPath))
                {
                    var ca = DockerEngine.LoadCaBundle(ep.CaPath);
                    options.RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                    {
                        if (cert == null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
                        using var chain = new X509Chain();
                        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                        chain.ChainPolicy.CustomTrustStore.AddRange(ca);
                        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                        return chain.Build(new X509Certificate2(cert));
                    };
                }
                await ssl.AuthenticateAsClientAsync(options, ct).ConfigureAwait(false);
                return ssl;
            }
        }
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync().ConfigureAwait(false);
}
