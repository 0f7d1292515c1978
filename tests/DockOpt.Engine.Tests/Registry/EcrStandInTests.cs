using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DockOpt.Engine.Registry;

namespace DockOpt.Engine.Tests.Registry;

/// <summary>
/// A local HttpListener standing in for the Amazon ECR control plane (the AWS cloud cannot be reached here). It checks
/// each request like AWS does: X-Amz-Target, content type, and the SigV4 signature recomputed from the bytes it received.
/// </summary>
public sealed class EcrStandIn : IDisposable
{
    readonly HttpListener _listener = new();
    readonly Task _loop;
    public const string AccessKey = "AKIDSTANDIN00000001";
    public const string SecretKey = "standin/secret+key/0123456789abcdefABCDEF";
    public const string SessionToken = "FwoGZXIvYXdzEStandInSessionToken";
    public readonly List<(string Target, JsonDocument Body, string Authorization)> Calls = new();
    public Func<string, JsonElement, (int Status, string Body)> Handler = (_, _) => (200, "{}");

    public EcrStandIn()
    {
        Port = LoopbackHttp.Start(_listener);
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }
    public Uri Endpoint => new($"http://127.0.0.1:{Port}/");

    async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            try { Handle(ctx); }
            catch (Exception e)
            {
                ctx.Response.StatusCode = 500;
                var b = Encoding.UTF8.GetBytes(e.Message);
                ctx.Response.OutputStream.Write(b);
            }
            finally { ctx.Response.Close(); }
        }
    }

    void Reply(HttpListenerContext ctx, int status, string body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/x-amz-json-1.1";
        var b = Encoding.UTF8.GetBytes(body);
        ctx.Response.OutputStream.Write(b);
    }

    void Handle(HttpListenerContext ctx)
    {
        var req = ctx.Request;
        using var ms = new MemoryStream();
        req.InputStream.CopyTo(ms);
        var body = ms.ToArray();
        var target = req.Headers["X-Amz-Target"] ?? "";
        var auth = req.Headers["Authorization"] ?? "";
        if (req.HttpMethod != "POST" || !target.StartsWith("AmazonEC2ContainerRegistry_V20150921.", StringComparison.Ordinal))
        { Reply(ctx, 400, "{\"__type\":\"UnknownOperationException\"}"); return; }
        if (req.ContentType != "application/x-amz-json-1.1")
        { Reply(ctx, 400, "{\"__type\":\"SerializationException\",\"message\":\"content type\"}"); return; }
        var m = Regex.Match(auth, @"^AWS4-HMAC-SHA256 Credential=(?<key>[^/]+)/(?<date>\d{8})/(?<region>[^/]+)/(?<service>[^/]+)/aws4_request, SignedHeaders=(?<sh>[^,]+), Signature=(?<sig>[0-9a-f]{64})$");
        if (!m.Success) { Reply(ctx, 400, "{\"__type\":\"IncompleteSignatureException\"}"); return; }
        var signed = m.Groups["sh"].Value.Split(';');
        foreach (var required in new[] { "host", "x-amz-date", "x-amz-target", "content-type", "x-amz-security-token" })
            if (!signed.Contains(required)) { Reply(ctx, 400, $"{{\"__type\":\"IncompleteSignatureException\",\"message\":\"{required} not signed\"}}"); return; }
        if (m.Groups["key"].Value != AccessKey) { Reply(ctx, 400, "{\"__type\":\"UnrecognizedClientException\",\"message\":\"unknown key\"}"); return; }
        if (req.Headers["X-Amz-Security-Token"] != SessionToken) { Reply(ctx, 400, "{\"__type\":\"UnrecognizedClientException\",\"message\":\"bad token\"}"); return; }
        var amzDate = req.Headers["X-Amz-Date"] ?? "";
        var when = DateTime.ParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
        var headers = signed.Select(h => new KeyValuePair<string, string>(h, h == "host" ? req.UserHostName : req.Headers[h] ?? "")).ToList();
        var expected = SigV4Signer.Sign("POST", req.Url!, headers, body, AccessKey, SecretKey, m.Groups["region"].Value, m.Groups["service"].Value, when, out _);
        if (expected != auth || m.Groups["service"].Value != "ecr")
        { Reply(ctx, 403, "{\"__type\":\"InvalidSignatureException\",\"message\":\"The request signature we calculated does not match the signature you provided.\"}"); return; }
        var action = target.Substring(target.IndexOf('.') + 1);
        var doc = JsonDocument.Parse(body.Length == 0 ? "{}" : Encoding.UTF8.GetString(body));
        lock (Calls) Calls.Add((action, doc, auth));
        var (status, reply) = Handler(action, doc.RootElement);
        if (status != 200) ctx.Response.Headers["X-Amzn-ErrorType"] = JsonDocument.Parse(reply).RootElement.GetProperty("__type").GetString();
        Reply(ctx, status, reply);
    }

    public void Dispose()
    {
        LoopbackHttp.Shutdown(_listener);
    }
}

public class EcrStandInTests
{
    static readonly EcrHost Host = RegistryTarget.ParseEcr("123456789012.dkr.ecr.eu-west-1.amazonaws.com")!;

    static EcrClient Client(EcrStandIn s, string secret = EcrStandIn.SecretKey) =>
        new(Host, _ => Task.FromResult(new AwsCredentials(EcrStandIn.AccessKey, secret, EcrStandIn.SessionToken, "test")),
            new RetryPolicy { MaxAttempts = 2, MaxTime = TimeSpan.FromSeconds(5) }, NullSink.Instance, s.Endpoint);

    [Fact]
    public async Task GetAuthorizationToken_against_a_stand_in_is_signed_and_decoded()
    {
        using var s = new EcrStandIn();
        s.Handler = (action, _) => (200, JsonSerializer.Serialize(new
        {
            authorizationData = new[] { new { authorizationToken = Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:ecr-password-123")), expiresAt = 1900000000.0, proxyEndpoint = "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com" } },
        }));
        using var c = Client(s);
        var cred = await c.GetAuthorizationTokenAsync(CancellationToken.None);
        Assert.Equal("AWS", cred.Username);
        Assert.Equal(DateTime.UnixEpoch.AddSeconds(1900000000), cred.ExpiresAt);
        Assert.DoesNotContain("ecr-password-123", cred.ToString());
        var call = Assert.Single(s.Calls);
        Assert.Equal("GetAuthorizationToken", call.Target);
        Assert.Contains("/eu-west-1/ecr/aws4_request", call.Authorization);
        // The registry credential carries the password into X-Registry-Auth (base64url JSON).
        var header = cred.ToEngineAuthHeader("123456789012.dkr.ecr.eu-west-1.amazonaws.com").Replace('-', '+').Replace('_', '/');
        using var json = JsonDocument.Parse(Convert.FromBase64String(header));
        Assert.Equal("ecr-password-123", json.RootElement.GetProperty("password").GetString());
    }

    [Fact]
    public async Task A_wrong_secret_is_rejected_by_the_stand_in_signature_check()
    {
        using var s = new EcrStandIn();
        using var c = Client(s, "not-the-secret");
        var e = await Assert.ThrowsAsync<EcrApiException>(() => c.GetAuthorizationTokenAsync(CancellationToken.None));
        Assert.Equal("InvalidSignatureException", e.Type);
        Assert.Equal("EcrAuthFailed", e.ErrorId);
        Assert.DoesNotContain("not-the-secret", e.Message);
        Assert.Empty(s.Calls);
    }

    [Fact]
    public async Task CreateRepository_against_a_stand_in_sends_settings_and_treats_already_exists_as_success()
    {
        using var s = new EcrStandIn();
        var existing = new HashSet<string>();
        s.Handler = (action, body) =>
        {
            var name = body.GetProperty("repositoryName").GetString()!;
            if (!existing.Add(name))
                return (400, "{\"__type\":\"com.amazonaws.ecr#RepositoryAlreadyExistsException\",\"message\":\"The repository already exists\"}");
            return (200, "{\"repository\":{\"repositoryName\":\"" + name + "\"}}");
        };
        using var c = Client(s);
        var settings = new EcrRepositorySettings { ImageTagMutability = "IMMUTABLE", ScanOnPush = true, EncryptionType = "KMS", KmsKey = "arn:aws:kms:eu-west-1:123456789012:key/k" };
        Assert.True(await c.CreateRepositoryAsync("team/app", settings, CancellationToken.None));
        Assert.False(await c.CreateRepositoryAsync("team/app", settings, CancellationToken.None));
        Assert.Equal(2, s.Calls.Count);
        var b = s.Calls[0].Body.RootElement;
        Assert.Equal("CreateRepository", s.Calls[0].Target);
        Assert.Equal("123456789012", b.GetProperty("registryId").GetString());
        Assert.Equal("IMMUTABLE", b.GetProperty("imageTagMutability").GetString());
        Assert.True(b.GetProperty("imageScanningConfiguration").GetProperty("scanOnPush").GetBoolean());
        Assert.Equal("KMS", b.GetProperty("encryptionConfiguration").GetProperty("encryptionType").GetString());
    }

    [Fact]
    public async Task DescribeImageScanFindings_against_a_stand_in_polls_until_complete_and_sums_severities()
    {
        using var s = new EcrStandIn();
        var polls = 0;
        s.Handler = (action, body) =>
        {
            Assert.Equal("sha256:" + new string('a', 64), body.GetProperty("imageId").GetProperty("imageDigest").GetString());
            return ++polls < 3
                ? (polls == 1 ? (400, "{\"__type\":\"ScanNotFoundException\",\"message\":\"no scan yet\"}") : (200, "{\"imageScanStatus\":{\"status\":\"IN_PROGRESS\"}}"))
                : (200, "{\"imageScanStatus\":{\"status\":\"COMPLETE\",\"description\":\"The scan was completed successfully.\"},\"imageScanFindings\":{\"imageScanCompletedAt\":1764100000,\"findingSeverityCounts\":{\"CRITICAL\":1,\"HIGH\":2,\"MEDIUM\":5,\"LOW\":7,\"INFORMATIONAL\":3,\"UNDEFINED\":1}}}");
        };
        using var c = Client(s);
        var r = await c.WaitForScanAsync("team/app", "sha256:" + new string('a', 64), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50), CancellationToken.None);
        Assert.Equal("COMPLETE", r.Status);
        Assert.Equal((1, 2, 5, 7, 3, 1), (r.Critical, r.High, r.Medium, r.Low, r.Informational, r.Undefined));
        Assert.Equal(19, r.Total);
        Assert.Equal(3, polls);
        Assert.All(s.Calls, call => Assert.Equal("DescribeImageScanFindings", call.Target));
    }

    [Fact]
    public async Task WaitForScan_against_a_stand_in_is_bounded_by_its_timeout()
    {
        using var s = new EcrStandIn();
        s.Handler = (_, _) => (200, "{\"imageScanStatus\":{\"status\":\"IN_PROGRESS\"}}");
        using var c = Client(s);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var r = await c.WaitForScanAsync("team/app", "sha256:" + new string('b', 64), TimeSpan.FromMilliseconds(600), TimeSpan.FromMilliseconds(100), CancellationToken.None);
        Assert.Equal("IN_PROGRESS", r.Status);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(3), sw.Elapsed.ToString());
    }

    [Fact]
    public async Task Throttling_from_the_stand_in_is_retried()
    {
        using var s = new EcrStandIn();
        var n = 0;
        s.Handler = (_, _) => ++n == 1 ? (400, "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}") : (200, "{\"authorizationData\":[{\"authorizationToken\":\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:x1")) + "\",\"expiresAt\":1900000000}]}");
        using var c = Client(s);
        var cred = await c.GetAuthorizationTokenAsync(CancellationToken.None);
        Assert.Equal("AWS", cred.Username);
        Assert.Equal(2, n);
    }

    [Fact]
    public async Task AwsCredentialChain_web_identity_via_a_stand_in_sts()
    {
        var l = new HttpListener();
        var port = LoopbackHttp.Start(l);
        string? seenToken = null, seenRole = null;
        var server = Task.Run(async () =>
        {
            var ctx = await l.GetContextAsync();
            var form = new StreamReader(ctx.Request.InputStream).ReadToEnd();
            var q = form.Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));
            seenToken = q["WebIdentityToken"];
            seenRole = q["RoleArn"];
            var xml = "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleWithWebIdentityResult><Credentials>" +
                      "<AccessKeyId>ASIASTANDIN</AccessKeyId><SecretAccessKey>s3cr3t</SecretAccessKey><SessionToken>tok</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration>" +
                      "</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";
            var b = Encoding.UTF8.GetBytes(xml);
            ctx.Response.OutputStream.Write(b);
            ctx.Response.Close();
        });
        var tokenFile = Path.GetTempFileName();
        File.WriteAllText(tokenFile, "oidc-jwt-from-github\n");
        try
        {
            var env = new Dictionary<string, string>
            {
                ["AWS_WEB_IDENTITY_TOKEN_FILE"] = tokenFile, ["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/ci",
                ["AWS_ENDPOINT_URL_STS"] = $"http://127.0.0.1:{port}/", ["HOME"] = "/nonexistent", ["AWS_EC2_METADATA_DISABLED"] = "true",
            };
            var chain = new AwsCredentialChain(k => env.TryGetValue(k, out var v) ? v : null);
            var c = await chain.ResolveAsync("eu-west-1", _ => { }, CancellationToken.None);
            await server;
            Assert.Equal("ASIASTANDIN", c.AccessKeyId);
            Assert.Equal(new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc), c.ExpiresAt);
            Assert.Equal("oidc-jwt-from-github", seenToken);
            Assert.Equal("arn:aws:iam::123456789012:role/ci", seenRole);
        }
        finally
        {
            File.Delete(tokenFile);
            LoopbackHttp.Shutdown(l);
        }
    }

    [Fact]
    public async Task AwsCredentialChain_reads_environment_then_profile_files()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "credentials"), "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d\n\n[ci]\naws_access_key_id=AKIDCI\naws_secret_access_key=c\naws_session_token=t\n");
            var env = new Dictionary<string, string> { ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(dir, "credentials"), ["AWS_CONFIG_FILE"] = Path.Combine(dir, "config"), ["AWS_EC2_METADATA_DISABLED"] = "true" };
            var chain = new AwsCredentialChain(k => env.TryGetValue(k, out var v) ? v : null);
            Assert.Equal("AKIDDEFAULT", (await chain.ResolveAsync("us-east-1", _ => { }, CancellationToken.None)).AccessKeyId);
            env["AWS_PROFILE"] = "ci";
            Assert.Equal("AKIDCI", (await chain.ResolveAsync("us-east-1", _ => { }, CancellationToken.None)).AccessKeyId);
            env["AWS_ACCESS_KEY_ID"] = "AKIDENV";
            env["AWS_SECRET_ACCESS_KEY"] = "e";
            Assert.Equal("AKIDENV", (await chain.ResolveAsync("us-east-1", _ => { }, CancellationToken.None)).AccessKeyId);
            env.Remove("AWS_ACCESS_KEY_ID");
            env["AWS_PROFILE"] = "missing";
            var e = await Assert.ThrowsAsync<DockOptException>(() => chain.ResolveAsync("us-east-1", _ => { }, CancellationToken.None));
            Assert.Equal("AwsCredentialsNotFound", e.ErrorId);
        }
        finally { Directory.Delete(dir, true); }
    }

    static int FreePort() => StandInListener.FreePort();
}
