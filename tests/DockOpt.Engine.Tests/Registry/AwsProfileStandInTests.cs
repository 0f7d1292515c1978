using System.Net;
using System.Text;
using System.Text.Json;
using DockOpt.Engine.Registry;

namespace DockOpt.Engine.Tests.Registry;

/// <summary>
/// The AWS profile chain (role_arn + source_profile, credential_process, IAM Identity Center, region and endpoint
/// resolution) on the AWS SDK for Rust's own test files (Registry/Data/smithy-rs, copied verbatim). STS and the IAM
/// Identity Center portal cannot exist here: they are stand-ins on 127.0.0.1, reached only through the endpoint
/// overrides the AWS SDKs document (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_SSO, a [services] section), and the
/// stand-in STS verifies the SigV4 signature it receives.
/// </summary>
public sealed class AwsProfileStandInTests : IDisposable
{
    static readonly string Data = Path.Combine(AppContext.BaseDirectory, "Registry", "Data", "smithy-rs");
    readonly string _home = Path.Combine(Path.GetTempPath(), "dockopt-c-aws-" + Guid.NewGuid().ToString("n"));

    public void Dispose()
    {
        if (Directory.Exists(_home)) Directory.Delete(_home, true);
    }

    /// <summary>A fixture's fs/home copied to a temporary HOME, and its env.json with HOME pointing there.</summary>
    Dictionary<string, string> Fixture(string testCase, string fs = "fs")
    {
        var src = Path.Combine(Data, testCase, fs, "home");
        foreach (var f in Directory.EnumerateFiles(src, "*", SearchOption.AllDirectories))
        {
            var dest = Path.Combine(_home, Path.GetRelativePath(src, f));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(f, dest, true);
        }
        var env = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(Data, testCase, "env.json")))!;
        env["HOME"] = _home;
        env["AWS_EC2_METADATA_DISABLED"] = "true";
        return env;
    }

    static AwsCredentialChain Chain(Dictionary<string, string> env) => new(k => env.TryGetValue(k, out var v) ? v : null);

    /// <summary>The recorded AWS answer (the Data event of the response) of a fixture's http-traffic.json.</summary>
    static string RecordedResponse(string testCase)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Data, testCase, "http-traffic.json")));
        return doc.RootElement.GetProperty("events").EnumerateArray()
            .Select(e => e.GetProperty("action"))
            .Where(a => a.TryGetProperty("Data", out var d) && d.GetProperty("direction").GetString() == "Response")
            .Select(a => a.GetProperty("Data").GetProperty("data").GetProperty("Utf8").GetString()!).First();
    }

    /// <summary>
    /// Stand-in STS: parses the Authorization header, recomputes the SigV4 signature from what it received (the headers
    /// named in SignedHeaders, the body, x-amz-date) with the secret of the access key, and answers the recorded
    /// AssumeRole response only when both match (403 SignatureDoesNotMatch otherwise).
    /// </summary>
    sealed class StandInSts : IDisposable
    {
        readonly StandInListener _l;
        public readonly List<(string Authorization, string Body, bool SignatureValid, string Region)> Calls = new();

        public StandInSts(Dictionary<string, string> secrets, string answer)
        {
            _l = new StandInListener(c => c.Request.HttpMethod + " " + c.Request.Url!.PathAndQuery);
            _l.Handle = (c, n) =>
            {
                var body = new StreamReader(c.Request.InputStream).ReadToEnd();
                var auth = c.Request.Headers["Authorization"] ?? "";
                var m = System.Text.RegularExpressions.Regex.Match(auth,
                    @"^AWS4-HMAC-SHA256 Credential=(?<ak>[^/]+)/(?<date>\d{8})/(?<region>[^/]+)/(?<svc>[^/]+)/aws4_request, SignedHeaders=(?<sh>[^,]+), Signature=(?<sig>[0-9a-f]{64})$");
                var valid = false;
                if (m.Success && secrets.TryGetValue(m.Groups["ak"].Value, out var secret))
                {
                    var headers = m.Groups["sh"].Value.Split(';').Select(h => new KeyValuePair<string, string>(h, h == "host" ? c.Request.Headers["Host"]! : c.Request.Headers[h] ?? "")).ToList();
                    var when = DateTime.ParseExact(c.Request.Headers["x-amz-date"]!, "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture,
                        System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
                    var expected = SigV4Signer.Sign(c.Request.HttpMethod, c.Request.Url!, headers, Encoding.UTF8.GetBytes(body), m.Groups["ak"].Value, secret,
                        m.Groups["region"].Value, m.Groups["svc"].Value, when, out _);
                    valid = expected == auth && m.Groups["svc"].Value == "sts";
                }
                lock (Calls) Calls.Add((auth, body, valid, m.Groups["region"].Value));
                if (!valid) StandInListener.Write(c, 403, "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>signature</Message></Error></ErrorResponse>", "text/xml");
                else StandInListener.Write(c, 200, answer, "text/xml");
                return true;
            };
        }

        public string Url => $"http://{_l.Host}";
        public void Dispose() => _l.Dispose();
    }

    static readonly string[] Secrets = { "FAKE", "TESTSECRETKEY", "TESTSESSIONTOKEN", "secretkeycorrect", "tokencorrect", "a-token", "secret-access-token", "secret-refresh-token", "ABCDE123" };

    static void AssertNoSecret(params string?[] texts)
    {
        foreach (var t in texts)
            foreach (var s in Secrets)
                if (t != null) Assert.DoesNotContain(s, t.Replace("AKIAFAKE", "<key id>")); // the secret FAKE is part of its key ID
    }

    [Fact]
    public void SigV4_reproduces_the_signature_of_a_recorded_real_AssumeRole_request()
    {
        // e2e_assume_role/http-traffic.json: a real STS request signed by the AWS SDK for Rust with AKIAFAKE / FAKE.
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Data, "profile-provider/e2e_assume_role/http-traffic.json")));
        var events = doc.RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("action")).ToList();
        var req = events.First(a => a.TryGetProperty("Request", out _)).GetProperty("Request").GetProperty("request");
        var body = events.First(a => a.TryGetProperty("Data", out var d) && d.GetProperty("direction").GetString() == "Request").GetProperty("Data").GetProperty("data").GetProperty("Utf8").GetString()!;
        var h = req.GetProperty("headers");
        string H(string n) => h.GetProperty(n)[0].GetString()!;
        var recorded = H("authorization");
        var signed = recorded.Split("SignedHeaders=")[1].Split(',')[0].Split(';');
        var headers = signed.Select(n => new KeyValuePair<string, string>(n, H(n))).ToList();
        var auth = SigV4Signer.Sign("POST", new Uri(req.GetProperty("uri").GetString()!), headers, Encoding.UTF8.GetBytes(body), "AKIAFAKE", "FAKE",
            "us-east-1", "sts", new DateTime(2021, 8, 10, 0, 38, 33, DateTimeKind.Utc), out _);
        Assert.Equal(recorded, auth);
        Assert.EndsWith("Signature=cd5cb2aa1d20717ca17692bcbda711797ae9eb8bb1130690b021b3952b7ae56e", auth);
    }

    [Fact]
    public async Task Role_arn_with_source_profile_assumes_the_role_through_a_stand_in_STS_set_by_AWS_ENDPOINT_URL_STS()
    {
        var env = Fixture("profile-provider/assume_role_override_service_env_url");
        using var sts = new StandInSts(new() { ["AKIAFAKE"] = "FAKE" }, RecordedResponse("profile-provider/e2e_assume_role"));
        Assert.Equal("http://aws.sts-env-override", env["AWS_ENDPOINT_URL_STS"]); // the fixture's own override, pointed here at the stand-in
        env["AWS_ENDPOINT_URL_STS"] = sts.Url;
        var said = new List<string>();
        var c = await Chain(env).ResolveAsync("eu-west-1", said.Add, CancellationToken.None);

        Assert.Equal("ASIARTESTID", c.AccessKeyId);
        Assert.Equal(new DateTime(2021, 8, 5, 19, 58, 2, DateTimeKind.Utc), c.ExpiresAt);
        Assert.Contains("role arn:aws:iam::123456789:role/integration-test", c.Source);
        var call = Assert.Single(sts.Calls);
        Assert.True(call.SignatureValid, "the stand-in STS recomputed the SigV4 signature from the request it received");
        Assert.Equal("us-east-1", call.Region); // the profile's region, not the registry's
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIAFAKE/", call.Authorization);
        Assert.Contains("Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789%3Arole%2Fintegration-test&RoleSessionName=dockopt-", call.Body);
        AssertNoSecret(string.Join("\n", said), c.ToString());
    }

    [Fact]
    public async Task A_services_section_sets_the_stand_in_STS_endpoint_and_a_wrong_secret_fails_without_leaking_it()
    {
        var env = Fixture("profile-provider/assume_role_override_service_profile_url");
        using var sts = new StandInSts(new() { ["AKIAFAKE"] = "FAKE" }, RecordedResponse("profile-provider/e2e_assume_role"));
        var config = Path.Combine(_home, ".aws", "config");
        var text = File.ReadAllText(config);
        Assert.Contains("endpoint_url = http://aws.service-profile-override", text);
        File.WriteAllText(config, text.Replace("http://aws.service-profile-override", sts.Url));
        var c = await Chain(env).ResolveAsync("eu-west-1", _ => { }, CancellationToken.None);
        Assert.Equal("ASIARTESTID", c.AccessKeyId);
        Assert.True(Assert.Single(sts.Calls).SignatureValid);

        // Same files, another secret for AKIAFAKE at the stand-in: the signature no longer matches.
        using var other = new StandInSts(new() { ["AKIAFAKE"] = "NOT-THE-SECRET" }, RecordedResponse("profile-provider/e2e_assume_role"));
        File.WriteAllText(config, text.Replace("http://aws.service-profile-override", other.Url));
        var e = await Assert.ThrowsAsync<DockOptException>(() => Chain(env).ResolveAsync("eu-west-1", _ => { }, CancellationToken.None));
        Assert.Equal(ErrorIds.AwsAssumeRoleFailed, e.ErrorId);
        Assert.Contains("SignatureDoesNotMatch", e.Message);
        AssertNoSecret(e.Message, e.RecommendedAction, e.ToString());
    }

    [Fact]
    public async Task Mfa_serial_is_refused_with_AwsMfaNotSupported_and_nothing_is_sent_to_the_stand_in_STS()
    {
        var env = Fixture("profile-provider/e2e_assume_role");
        env.Remove("AWS_ACCESS_KEY_ID");
        env.Remove("AWS_SECRET_ACCESS_KEY");
        using var sts = new StandInSts(new() { ["AKIAFAKE"] = "FAKE" }, RecordedResponse("profile-provider/e2e_assume_role"));
        env["AWS_ENDPOINT_URL_STS"] = sts.Url;
        var config = Path.Combine(_home, ".aws", "config");
        // The MFA line as the AWS CLI user guide writes it (cli-configure-role, "Using multi-factor authentication").
        File.WriteAllText(config, File.ReadAllText(config).Replace("source_profile = base", "source_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/saanvi"));
        var e = await Assert.ThrowsAsync<DockOptException>(() => Chain(env).ResolveAsync("eu-west-1", _ => { }, CancellationToken.None));
        Assert.Equal(ErrorIds.AwsMfaNotSupported, e.ErrorId);
        Assert.Contains("arn:aws:iam::123456789012:mfa/saanvi", e.Message);
        Assert.Empty(sts.Calls);
        AssertNoSecret(e.Message, e.RecommendedAction);
    }

    [Fact]
    public async Task A_source_profile_loop_is_AwsProfileInvalid()
    {
        var env = Fixture("profile-provider/e2e_assume_role");
        env.Remove("AWS_ACCESS_KEY_ID");
        env.Remove("AWS_SECRET_ACCESS_KEY");
        File.WriteAllText(Path.Combine(_home, ".aws", "config"),
            "[default]\nrole_arn = arn:aws:iam::123456789:role/a\nsource_profile = b\n\n[profile b]\nrole_arn = arn:aws:iam::123456789:role/b\nsource_profile = default\n");
        var e = await Assert.ThrowsAsync<DockOptException>(() => Chain(env).ResolveAsync("eu-west-1", _ => { }, CancellationToken.None));
        Assert.Equal(ErrorIds.AwsProfileInvalid, e.ErrorId);
        Assert.Contains("default -> b -> default", e.Message);
    }

    [Fact]
    public async Task Credential_process_of_the_fixture_runs_and_its_past_Expiration_is_refused_without_the_secret()
    {
        Precondition.RequireHost(File.Exists("/bin/sh") && (File.Exists("/usr/bin/base64") || File.Exists("/bin/base64")), "credential_process needs /bin/sh and base64");
        var env = Fixture("profile-provider/credential_process");
        var e = await Assert.ThrowsAsync<DockOptException>(() => Chain(env).ResolveAsync("eu-west-1", _ => { }, CancellationToken.None));
        Assert.Equal(ErrorIds.AwsCredentialProcessFailed, e.ErrorId);
        Assert.Contains("expired at 2022-05-02 18:36:00Z", e.Message);   // the fixture's Expiration, 2022-05-02T18:36:00+00:00
        Assert.Contains("(echo)", e.Message);
        AssertNoSecret(e.Message, e.RecommendedAction, e.ToString());
        Assert.DoesNotContain("eyAiVmVyc2lvbiI6", e.ToString()); // nor the command line
    }

    [Fact]
    public async Task Credential_process_credentials_are_kept_until_their_Expiration_and_bad_output_is_refused()
    {
        Precondition.RequireHost(File.Exists("/bin/sh"), "credential_process needs /bin/sh");
        Directory.CreateDirectory(Path.Combine(_home, ".aws"));
        var counter = Path.Combine(_home, "runs");
        var script = Path.Combine(_home, "creds.sh");
        var exp = DateTime.UtcNow.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        File.WriteAllText(script, $"#!/bin/sh\necho run >> '{counter}'\nprintf '{{\"Version\": 1, \"AccessKeyId\": \"ASIAPROCESS\", \"SecretAccessKey\": \"TESTSECRETKEY\", \"SessionToken\": \"TESTSESSIONTOKEN\", \"Expiration\": \"{exp}\"}}'\n");
        File.WriteAllText(Path.Combine(_home, ".aws", "config"), $"[default]\ncredential_process = /bin/sh {script}\n");
        var env = new Dictionary<string, string> { ["HOME"] = _home, ["AWS_EC2_METADATA_DISABLED"] = "true" };
        var said = new List<string>();
        var a = await Chain(env).ResolveAsync("eu-west-1", said.Add, CancellationToken.None);
        var b = await Chain(env).ResolveAsync("eu-west-1", said.Add, CancellationToken.None);
        Assert.Equal("ASIAPROCESS", a.AccessKeyId);
        Assert.Equal(DateTime.Parse(exp, null, System.Globalization.DateTimeStyles.AdjustToUniversal), a.ExpiresAt);
        Assert.Same(a, b);
        Assert.Single(File.ReadAllLines(counter)); // run once: the credentials are valid for another hour
        AssertNoSecret(string.Join("\n", said), a.ToString());

        Assert.Equal("Version", Assert.Throws<DockOptException>(() => AwsCredentialChain.ParseProcessOutput(
            "{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"TESTSECRETKEY\"}", "p", "x")).Message.Contains("\"Version\": 1") ? "Version" : "");
        File.WriteAllText(Path.Combine(_home, ".aws", "config"), "[default]\ncredential_process = /bin/sh -c 'echo TESTSECRETKEY; echo failing >&2; exit 3'\n");
        var e = await Assert.ThrowsAsync<DockOptException>(() => Chain(env).ResolveAsync("eu-west-1", _ => { }, CancellationToken.None));
        Assert.Equal(ErrorIds.AwsCredentialProcessFailed, e.ErrorId);
        Assert.Contains("exited with code 3: failing", e.Message);
        AssertNoSecret(e.Message, e.ToString());
    }

    sealed class StandInPortal : IDisposable
    {
        readonly StandInListener _l;
        public readonly List<(string PathAndQuery, string? Token)> Calls = new();

        public StandInPortal(string answer, string token)
        {
            _l = new StandInListener(c => c.Request.Url!.PathAndQuery);
            _l.Handle = (c, _) =>
            {
                var seen = c.Request.Headers["x-amz-sso_bearer_token"];
                lock (Calls) Calls.Add((c.Request.Url!.PathAndQuery, seen));
                if (seen != token) StandInListener.Write(c, 401, "{\"message\":\"Session token not found or invalid\",\"__type\":\"com.amazonaws.switchboard.portal#UnauthorizedException\"}", "application/json");
                else StandInListener.Write(c, 200, answer, "application/json");
                return true;
            };
        }

        public string Url => $"http://{_l.Host}";
        public void Dispose() => _l.Dispose();
    }

    [Fact]
    public async Task Sso_start_url_profile_uses_the_cached_token_with_a_stand_in_SSO_portal_set_by_AWS_ENDPOINT_URL_SSO()
    {
        var env = Fixture("default-credential-provider-chain/sso_assume_role");
        // The fixture's cache file is named after the SHA-1 of the start URL, as the AWS CLI names it.
        Assert.True(File.Exists(AwsCredentialChain.SsoCacheFile(_home, "https://ssotest.awsapps.com/start")));
        using var portal = new StandInPortal(RecordedResponse("default-credential-provider-chain/sso_assume_role"), "a-token");
        env["AWS_ENDPOINT_URL_SSO"] = portal.Url;
        var said = new List<string>();
        var c = await Chain(env).ResolveAsync("eu-west-1", said.Add, CancellationToken.None);
        Assert.Equal("ASIARCORRECT", c.AccessKeyId);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1234567890000).UtcDateTime, c.ExpiresAt);
        var call = Assert.Single(portal.Calls);
        Assert.Equal("/federation/credentials?account_id=123456789&role_name=MySsoRole", call.PathAndQuery);
        Assert.Equal("a-token", call.Token);
        AssertNoSecret(string.Join("\n", said), c.ToString());
        // Region as the AWS CLI resolves it: the fixture's AWS_REGION (us-west-2) beats the profile's region (us-east-2).
        Assert.Equal("us-west-2", Chain(env).ResolveRegion());
        env.Remove("AWS_REGION");
        env["AWS_DEFAULT_REGION"] = "eu-central-1";
        Assert.Equal("eu-central-1", Chain(env).ResolveRegion());
        env.Remove("AWS_DEFAULT_REGION");
        Assert.Equal("us-east-2", Chain(env).ResolveRegion());
    }

    [Fact]
    public async Task Sso_session_profile_reads_the_token_named_after_the_session_and_the_stand_in_SSO_portal_answers()
    {
        var env = Fixture("profile-provider/sso_token");
        Assert.True(File.Exists(AwsCredentialChain.SsoCacheFile(_home, "dev")));   // 34c6fceca75e456f25e7e99531e2425c6c1de443.json
        using var portal = new StandInPortal(RecordedResponse("default-credential-provider-chain/sso_assume_role"), "secret-access-token");
        env["AWS_ENDPOINT_URL_SSO"] = portal.Url;
        // As the fixture is, the profile names no account or role: it gives a token, not credentials (the SDK's expected error too).
        var e = await Assert.ThrowsAsync<DockOptException>(() => Chain(env).ResolveAsync("us-east-1", _ => { }, CancellationToken.None));
        Assert.Equal(ErrorIds.AwsProfileInvalid, e.ErrorId);
        Assert.Contains("access token, not AWS credentials", e.Message);
        Assert.Empty(portal.Calls);

        var config = Path.Combine(_home, ".aws", "config");
        File.WriteAllText(config, File.ReadAllText(config).Replace("sso_session = dev", "sso_session = dev\nsso_account_id = 111122223333\nsso_role_name = ReadOnly"));
        var c = await Chain(env).ResolveAsync("us-east-1", _ => { }, CancellationToken.None);
        Assert.Equal("ASIARCORRECT", c.AccessKeyId);
        Assert.Equal("/federation/credentials?account_id=111122223333&role_name=ReadOnly", Assert.Single(portal.Calls).PathAndQuery);
    }

    [Fact]
    public async Task An_expired_or_refused_SSO_token_is_AwsSsoLoginRequired_naming_the_login_command_not_the_token()
    {
        var env = Fixture("profile-provider/sso_token");
        var config = Path.Combine(_home, ".aws", "config");
        File.WriteAllText(config, File.ReadAllText(config).Replace("sso_session = dev", "sso_session = dev\nsso_account_id = 111122223333\nsso_role_name = ReadOnly"));
        using var portal = new StandInPortal("{}", "another-token");
        env["AWS_ENDPOINT_URL_SSO"] = portal.Url;
        var refused = await Assert.ThrowsAsync<DockOptException>(() => Chain(env).ResolveAsync("us-east-1", _ => { }, CancellationToken.None));
        Assert.Equal(ErrorIds.AwsSsoLoginRequired, refused.ErrorId);
        Assert.Contains("aws sso login --sso-session dev", refused.RecommendedAction);

        var cache = AwsCredentialChain.SsoCacheFile(_home, "dev");
        File.WriteAllText(cache, File.ReadAllText(cache).Replace("2199-11-14T04:05:45Z", "2020-11-14T04:05:45Z"));
        var expired = await Assert.ThrowsAsync<DockOptException>(() => Chain(env).ResolveAsync("us-east-1", _ => { }, CancellationToken.None));
        Assert.Equal(ErrorIds.AwsSsoLoginRequired, expired.ErrorId);
        Assert.Contains("expired at 2020-11-14 04:05:45Z", expired.Message);
        Assert.Single(portal.Calls); // the expired token was not sent
        AssertNoSecret(refused.Message, refused.ToString(), expired.Message, expired.ToString());
    }
}
