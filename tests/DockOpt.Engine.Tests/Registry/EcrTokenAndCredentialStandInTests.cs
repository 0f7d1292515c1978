using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using DockOpt.Engine.Registry;

namespace DockOpt.Engine.Tests.Registry;

/// <summary>
/// ECR token refresh and the AWS container/instance-metadata credential sources, against local HttpListeners standing in
/// for what cannot exist here: the ECR control plane (<see cref="EcrStandIn"/>, which verifies SigV4), an ECR data plane
/// answering ECR's "expired token" 403, the ECS/EKS container credentials endpoint and EC2 instance metadata (IMDSv2).
/// </summary>
public sealed class EcrTokenAndCredentialStandInTests
{
    /// <summary>A <see cref="StandInListener"/> with a synchronous (status, body) handler; records "METHOD path".</summary>
    sealed class Listener : IDisposable
    {
        readonly StandInListener _l = new(c => $"{c.Request.HttpMethod} {c.Request.Url!.AbsolutePath}");
        public Func<HttpListenerContext, (int Status, string Body)> Handle = _ => (404, "");

        public Listener() => _l.Handle = (c, _) =>
        {
            var (status, body) = Handle(c);
            StandInListener.Write(c, status, body);
            return true;
        };

        public List<string> Seen => _l.Seen;
        public int Port => _l.Port;
        public string Host => _l.Host;
        public void Dispose() => _l.Dispose();
    }

    static string TokenReply(string password) => JsonSerializer.Serialize(new
    {
        authorizationData = new[] { new { authorizationToken = Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:" + password)), expiresAt = 1900000000.0 } },
    });

    static string CredentialsJson(string secret) => JsonSerializer.Serialize(new
    {
        AccessKeyId = EcrStandIn.AccessKey, SecretAccessKey = secret, Token = EcrStandIn.SessionToken, Expiration = "2030-01-01T00:00:00Z",
    });

    static Func<string, string?> Env(Dictionary<string, string> d) => k => d.TryGetValue(k, out var v) ? v : null;

    static Dictionary<string, string> BaseEnv() => new()
    {
        ["HOME"] = "/nonexistent-dockopt-home", ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent-dockopt-home/c", ["AWS_CONFIG_FILE"] = "/nonexistent-dockopt-home/f",
    };

    /// <summary>ECR's data-plane answer to an expired authorization token (HTTP 403, distribution error DENIED).</summary>
    const string EcrExpiredBody = "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"Your authorization token has expired. Reauthenticate and try again.\"}]}";

    [Fact]
    public async Task Ecr_stand_in_expired_token_403_is_refreshed_once_and_the_call_succeeds()
    {
        // A unique account: the ECR token cache is process-wide.
        var target = new RegistryTarget("210987654321.dkr.ecr.eu-west-1.amazonaws.com", "team/app");
        using var ecr = new EcrStandIn();
        var passwords = new[] { "ecr-token-A-0001", "ecr-token-B-0002" };
        var tokenCalls = 0;
        ecr.Handler = (action, _) => action == "GetAuthorizationToken" ? (200, TokenReply(passwords[Math.Min(tokenCalls++, 1)])) : (400, "{\"__type\":\"UnknownOperationException\"}");

        // The registry stand-in: Basic auth for user AWS; token A is expired, token B is good.
        const string manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\",\"size\":10},\"layers\":[]}";
        var basicA = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:" + passwords[0]));
        var basicB = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:" + passwords[1]));
        using var reg = new Listener();
        var rejectedA = 0;
        reg.Handle = c =>
        {
            var auth = c.Request.Headers["Authorization"];
            if (auth == basicA) { rejectedA++; return (403, EcrExpiredBody); }
            if (auth != basicB)
            {
                c.Response.Headers["WWW-Authenticate"] = "Basic realm=\"https://210987654321.dkr.ecr.eu-west-1.amazonaws.com/\",service=\"ecr.amazonaws.com\"";
                return (401, "Not Authorized\n");
            }
            if (c.Request.Url!.AbsolutePath == "/v2/team/app/manifests/v1")
            {
                c.Response.ContentType = "application/vnd.oci.image.manifest.v1+json";
                return (200, manifest);
            }
            return (404, "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}");
        };

        var configDir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var env = BaseEnv();
            env["AWS_ACCESS_KEY_ID"] = EcrStandIn.AccessKey;
            env["AWS_SECRET_ACCESS_KEY"] = EcrStandIn.SecretKey;
            env["AWS_SESSION_TOKEN"] = EcrStandIn.SessionToken;
            var auth = new RegistryAuth
            {
                Config = new DockerConfigCredentials(configDir), AwsChain = new AwsCredentialChain(Env(env)), EcrEndpoint = ecr.Endpoint,
                Retry = new RetryPolicy { MaxAttempts = 2, MaxTime = TimeSpan.FromSeconds(5) },
            };
            var sink = new RecordingSink();
            var first = await auth.ResolveAsync(target, sink, CancellationToken.None);
            Assert.Equal("ECR GetAuthorizationToken", first.Source);
            // Cached: no second control-plane call.
            Assert.Same(first, await auth.ResolveAsync(target, sink, CancellationToken.None));
            Assert.Equal(1, tokenCalls);

            // The data plane is the stand-in on loopback (ECR's DNS names cannot resolve here); auth is for the ECR host.
            using var client = new RegistryClient(new RegistryTarget(reg.Host, target.Repository), first,
                new RetryPolicy { MaxAttempts = 2, MaxTime = TimeSpan.FromSeconds(5) }, sink);
            var direct = await Assert.ThrowsAsync<DockOptException>(() => client.GetManifestAsync("v1", CancellationToken.None));
            Assert.Equal("RegistryTokenExpired", direct.ErrorId);
            Assert.DoesNotContain(passwords[0], direct.Message);

            var m = await auth.WithEcrTokenRefreshAsync(target, client, () => client.GetManifestAsync("v1", CancellationToken.None), sink, CancellationToken.None);
            Assert.NotNull(m);
            Assert.Equal("sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc", m!.ConfigDigest);
            Assert.Equal(2, tokenCalls);
            Assert.Equal(2, ecr.Calls.Count(x => x.Target == "GetAuthorizationToken"));
            Assert.Equal(2, rejectedA);
            Assert.Equal("AWS", client.Credential.Username);
            // The refreshed token replaced the expired one in the cache.
            var cached = await auth.ResolveAsync(target, sink, CancellationToken.None);
            Assert.Equal("***", cached.Scrub(passwords[1]));
            Assert.Equal(2, tokenCalls);
            Assert.NotSame(first, cached);
            Assert.DoesNotContain(sink.All, l => l.Contains(passwords[0]) || l.Contains(passwords[1]) || l.Contains(EcrStandIn.SecretKey));
        }
        finally
        {
            RegistryAuth.Forget(target.Host);
            Directory.Delete(configDir, true);
        }
    }

    [Fact]
    public async Task Ecr_stand_in_expired_token_on_a_non_ECR_host_is_not_retried()
    {
        using var reg = new Listener();
        reg.Handle = _ => (403, EcrExpiredBody);
        var target = new RegistryTarget(reg.Host, "team/app");
        var auth = new RegistryAuth { Config = new DockerConfigCredentials(Directory.CreateTempSubdirectory().FullName) };
        using var client = new RegistryClient(target, new RegistryCredential("u", "p-secret", "test"), new RetryPolicy(), NullSink.Instance);
        var calls = 0;
        var e = await Assert.ThrowsAsync<DockOptException>(() => auth.WithEcrTokenRefreshAsync(target, client, () => { calls++; return client.GetManifestAsync("v1", CancellationToken.None); }, NullSink.Instance, CancellationToken.None));
        Assert.Equal("RegistryTokenExpired", e.ErrorId);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Container_credentials_from_a_stand_in_endpoint_sign_GetAuthorizationToken()
    {
        const string authToken = "container-auth-token-0123456789";
        using var meta = new Listener();
        string? seenAuth = null;
        meta.Handle = c =>
        {
            if (c.Request.Url!.AbsolutePath != "/creds") return (404, "");
            seenAuth = c.Request.Headers["Authorization"];
            return seenAuth == authToken ? (200, CredentialsJson(EcrStandIn.SecretKey)) : (401, "{\"message\":\"bad token\"}");
        };
        using var ecr = new EcrStandIn();
        ecr.Handler = (_, _) => (200, TokenReply("ecr-password-container"));
        var env = BaseEnv();
        env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = $"http://{meta.Host}/creds";
        env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = authToken;
        env["AWS_EC2_METADATA_DISABLED"] = "true";
        var chain = new AwsCredentialChain(Env(env));

        var creds = await chain.ResolveAsync("eu-west-1", _ => { }, CancellationToken.None);
        Assert.Equal(EcrStandIn.AccessKey, creds.AccessKeyId);
        Assert.Equal("container credentials", creds.Source);
        Assert.Equal(new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc), creds.ExpiresAt);
        Assert.Equal(authToken, seenAuth);

        // The stand-in control plane recomputes the SigV4 signature with the same secret and session token.
        var auth = new RegistryAuth { AwsChain = chain, EcrEndpoint = ecr.Endpoint };
        var sink = new RecordingSink();
        using var client = auth.NewEcrClient(RegistryTarget.ParseEcr("123456789012.dkr.ecr.eu-west-1.amazonaws.com")!, sink);
        var token = await client.GetAuthorizationTokenAsync(CancellationToken.None);
        Assert.Equal("AWS", token.Username);
        var call = Assert.Single(ecr.Calls);
        Assert.StartsWith($"AWS4-HMAC-SHA256 Credential={EcrStandIn.AccessKey}/", call.Authorization);
        Assert.Contains(sink.All, l => l.Contains(EcrStandIn.AccessKey) && l.Contains("container credentials"));
        Assert.DoesNotContain(sink.All, l => l.Contains(EcrStandIn.SecretKey) || l.Contains(EcrStandIn.SessionToken) || l.Contains(authToken) || l.Contains("ecr-password-container"));

        // A wrong authorization token: no credentials, and neither the token nor a secret in the error.
        env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "wrong-container-token-9876";
        var e = await Assert.ThrowsAsync<DockOptException>(() => new AwsCredentialChain(Env(env)).ResolveAsync("eu-west-1", _ => { }, CancellationToken.None));
        Assert.Equal("AwsCredentialsNotFound", e.ErrorId);
        Assert.Contains("container credentials (401)", e.Message);
        foreach (var secret in new[] { "wrong-container-token-9876", authToken, EcrStandIn.SecretKey, EcrStandIn.SessionToken })
            Assert.DoesNotContain(secret, e.Message + e.RecommendedAction + e.ToString());
    }

    [Fact]
    public async Task Instance_metadata_IMDSv2_stand_in_gives_credentials_that_sign_GetAuthorizationToken()
    {
        const string imdsToken = "imds-session-token-AQAEAxyz";
        using var imds = new Listener();
        imds.Handle = c =>
        {
            var path = c.Request.Url!.AbsolutePath;
            if (c.Request.HttpMethod == "PUT" && path == "/latest/api/token")
                return c.Request.Headers["X-aws-ec2-metadata-token-ttl-seconds"] is { Length: > 0 } ? (200, imdsToken) : (400, "");
            if (c.Request.Headers["X-aws-ec2-metadata-token"] != imdsToken) return (401, "");
            if (c.Request.HttpMethod == "GET" && path == "/latest/meta-data/iam/security-credentials/") return (200, "ci-instance-role");
            if (c.Request.HttpMethod == "GET" && path == "/latest/meta-data/iam/security-credentials/ci-instance-role")
                return (200, CredentialsJson(EcrStandIn.SecretKey));
            return (404, "");
        };
        using var ecr = new EcrStandIn();
        ecr.Handler = (_, _) => (200, TokenReply("ecr-password-imds"));
        var env = BaseEnv();
        env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = $"http://{imds.Host}/";
        var chain = new AwsCredentialChain(Env(env));

        var creds = await chain.ResolveAsync("eu-west-1", _ => { }, CancellationToken.None);
        Assert.Equal(EcrStandIn.AccessKey, creds.AccessKeyId);
        Assert.Equal("instance profile ci-instance-role", creds.Source);
        Assert.Equal(new[] { "PUT /latest/api/token", "GET /latest/meta-data/iam/security-credentials/", "GET /latest/meta-data/iam/security-credentials/ci-instance-role" }, imds.Seen);

        var auth = new RegistryAuth { AwsChain = chain, EcrEndpoint = ecr.Endpoint };
        using (var client = auth.NewEcrClient(RegistryTarget.ParseEcr("123456789012.dkr.ecr.eu-west-1.amazonaws.com")!, NullSink.Instance))
        {
            var token = await client.GetAuthorizationTokenAsync(CancellationToken.None);
            Assert.Equal("AWS", token.Username);
        }
        Assert.Single(ecr.Calls);

        // Instance metadata handing out a different secret: the stand-in rejects the signature; no secret in the error.
        const string otherSecret = "imds/other+secret/ZYXWVUTSRQ0987654321";
        imds.Handle = c => c.Request.HttpMethod == "PUT" ? (200, imdsToken)
            : c.Request.Url!.AbsolutePath.EndsWith("/security-credentials/") ? (200, "ci-instance-role") : (200, CredentialsJson(otherSecret));
        var bad = new RegistryAuth { AwsChain = new AwsCredentialChain(Env(env)), EcrEndpoint = ecr.Endpoint };
        using var badClient = bad.NewEcrClient(RegistryTarget.ParseEcr("123456789012.dkr.ecr.eu-west-1.amazonaws.com")!, NullSink.Instance);
        var e = await Assert.ThrowsAsync<EcrApiException>(() => badClient.GetAuthorizationTokenAsync(CancellationToken.None));
        Assert.Equal("EcrAuthFailed", e.ErrorId);
        foreach (var secret in new[] { otherSecret, imdsToken, EcrStandIn.SecretKey, EcrStandIn.SessionToken })
            Assert.DoesNotContain(secret, e.Message + e.RecommendedAction + e.ToString());
    }
}

sealed class RecordingSink : IDockOptSink
{
    public readonly List<string> All = new();
    public void Output(object o) { lock (All) All.Add(o.ToString() ?? ""); }
    public void Verbose(string m) { lock (All) All.Add(m); }
    public void Warning(string m) { lock (All) All.Add(m); }
    public void Debug(string m) { lock (All) All.Add(m); }
    public void Information(string m, params string[] tags) { lock (All) All.Add(m); }
    public void Progress(DockOptProgress p) { }
    public void Error(DockOptException e) { lock (All) All.Add(e.Message); }
    public bool ShouldProcess(string target, string action) => true;
}
