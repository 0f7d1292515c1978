using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using DockOpt.Engine.Registry;

namespace DockOpt.Engine.Tests.Registry;

/// <summary>
/// RegistryClient against a local HttpListener standing in for registries whose behaviour docker-registry cannot show
/// here: a Bearer-token registry (Docker Hub, GHCR, Harbor) and a flaky one answering 503/429 with Retry-After.
/// </summary>
public sealed class RegistryClientStandInTests
{
    const string Manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\",\"size\":100},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd\",\"size\":1234}]}";
    static readonly string ManifestDigest = "sha256:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Manifest))).ToLowerInvariant();

    sealed class Server : IDisposable
    {
        readonly StandInListener _l = new(c => $"{c.Request.HttpMethod} {c.Request.Url!.PathAndQuery} auth={c.Request.Headers["Authorization"]}");
        public List<string> Seen => _l.Seen;
        public Func<HttpListenerContext, int, bool> Handle { get => _l.Handle; set => _l.Handle = value; }
        public int Port => _l.Port;
        public string Host => _l.Host;
        public void Dispose() => _l.Dispose();
    }

    static void Write(HttpListenerContext c, int status, string body, string? contentType = null) => StandInListener.Write(c, status, body, contentType);

    [Fact]
    public async Task Bearer_token_flow_against_a_stand_in_registry()
    {
        using var s = new Server();
        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("robot:tok-secret"));
        s.Handle = (c, _) =>
        {
            var path = c.Request.Url!.AbsolutePath;
            if (path == "/token")
            {
                if (c.Request.Headers["Authorization"] != basic) { Write(c, 401, "{}"); return true; }
                Assert.Equal("registry.stand.in", c.Request.QueryString["service"]);
                Assert.Equal("repository:team/app:pull", c.Request.QueryString["scope"]);
                Write(c, 200, "{\"token\":\"bearer-123\",\"expires_in\":300}", "application/json");
                return true;
            }
            if (c.Request.Headers["Authorization"] != "Bearer bearer-123")
            {
                c.Response.Headers["WWW-Authenticate"] = $"Bearer realm=\"http://127.0.0.1:{s.Port}/token\",service=\"registry.stand.in\",scope=\"repository:team/app:pull\"";
                Write(c, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
                return true;
            }
            if (path == "/v2/") { Write(c, 200, "{}"); return true; }
            if (path == "/v2/team/app/manifests/v1")
            {
                c.Response.Headers["Docker-Content-Digest"] = ManifestDigest;
                Write(c, 200, Manifest, "application/vnd.oci.image.manifest.v1+json");
                return true;
            }
            return false;
        };
        using var reg = new RegistryClient(new RegistryTarget(s.Host, "team/app"), new RegistryCredential("robot", "tok-secret", "test"),
            new RetryPolicy { MaxAttempts = 2, MaxTime = TimeSpan.FromSeconds(5) }, NullSink.Instance);
        var m = await reg.GetManifestAsync("v1", CancellationToken.None);
        Assert.NotNull(m);
        Assert.Equal(ManifestDigest, m!.Digest);
        Assert.Equal("sha256:" + new string('c', 64), m.ConfigDigest);
        Assert.Equal(1334, m.TotalSize);
        Assert.Null(await reg.GetManifestAsync("missing", CancellationToken.None));
        // One token fetch, reused for the second request.
        Assert.Single(s.Seen, x => x.StartsWith("GET /token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Wrong_credentials_for_a_stand_in_token_service_name_the_registry_without_the_secret()
    {
        using var s = new Server();
        s.Handle = (c, _) =>
        {
            if (c.Request.Url!.AbsolutePath == "/token") { Write(c, 401, "{}"); return true; }
            c.Response.Headers["WWW-Authenticate"] = $"Bearer realm=\"http://127.0.0.1:{s.Port}/token\",service=\"x\"";
            Write(c, 401, "{}");
            return true;
        };
        using var reg = new RegistryClient(new RegistryTarget(s.Host, "team/app"), new RegistryCredential("robot", "wrong-secret-value", "test"),
            new RetryPolicy(), NullSink.Instance);
        var e = await Assert.ThrowsAsync<DockOptException>(() => reg.GetManifestAsync("v1", CancellationToken.None));
        Assert.Equal("RegistryAuthenticationFailed", e.ErrorId);
        Assert.Contains(s.Host, e.Message);
        Assert.DoesNotContain("wrong-secret-value", e.Message + e.RecommendedAction);
    }

    [Fact]
    public async Task Transient_503_and_429_from_a_stand_in_are_retried_honouring_Retry_After()
    {
        using var s = new Server();
        s.Handle = (c, n) =>
        {
            if (c.Request.Url!.AbsolutePath == "/v2/") { Write(c, 200, "{}"); return true; }
            var count = s.Seen.Count(x => x.Contains("/manifests/"));
            if (count == 1) { Write(c, 503, "busy"); return true; }
            if (count == 2) { c.Response.Headers["Retry-After"] = "1"; Write(c, 429, "slow down"); return true; }
            c.Response.Headers["Docker-Content-Digest"] = ManifestDigest;
            Write(c, 200, Manifest, "application/vnd.oci.image.manifest.v1+json");
            return true;
        };
        using var reg = new RegistryClient(new RegistryTarget(s.Host, "team/app"), RegistryCredential.Anonymous,
            new RetryPolicy { MaxAttempts = 4, MaxTime = TimeSpan.FromSeconds(20), BaseDelay = TimeSpan.FromMilliseconds(50) }, NullSink.Instance);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var m = await reg.GetManifestAsync("v1", CancellationToken.None);
        Assert.Equal(ManifestDigest, m!.Digest);
        Assert.Equal(3, s.Seen.Count(x => x.Contains("/manifests/")));
        Assert.True(sw.Elapsed >= TimeSpan.FromSeconds(0.95), $"Retry-After: 1 was not honoured ({sw.Elapsed})");
    }

    [Fact]
    public async Task A_stand_in_that_stays_busy_gives_RegistryUnavailable_within_the_bound()
    {
        using var s = new Server();
        s.Handle = (c, _) =>
        {
            if (c.Request.Url!.AbsolutePath == "/v2/") { Write(c, 200, "{}"); return true; }
            Write(c, 502, "bad gateway");
            return true;
        };
        using var reg = new RegistryClient(new RegistryTarget(s.Host, "team/app"), RegistryCredential.Anonymous,
            new RetryPolicy { MaxAttempts = 3, MaxTime = TimeSpan.FromSeconds(5), BaseDelay = TimeSpan.FromMilliseconds(20) }, NullSink.Instance);
        var e = await Assert.ThrowsAsync<DockOptException>(() => reg.GetManifestAsync("v1", CancellationToken.None));
        Assert.Equal("RegistryUnavailable", e.ErrorId);
        Assert.Equal(3, s.Seen.Count(x => x.Contains("/manifests/")));
    }

    [Fact]
    public async Task A_closed_port_gives_RegistryUnreachable_within_the_time_bound()
    {
        var port = StandInListener.FreePort();
        using var reg = new RegistryClient(new RegistryTarget($"127.0.0.1:{port}", "a/b"), RegistryCredential.Anonymous,
            new RetryPolicy { MaxAttempts = 10, MaxTime = TimeSpan.FromSeconds(2), BaseDelay = TimeSpan.FromMilliseconds(100) }, NullSink.Instance);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<DockOptException>(() => reg.HeadManifestAsync("x", CancellationToken.None));
        Assert.Equal("RegistryUnreachable", e.ErrorId);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(4), sw.Elapsed.ToString());
    }
}
