using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DockOpt.Engine.Registry;

/// <summary>
/// Shared config/credentials profiles as the AWS CLI reads them: role_arn with source_profile (chains allowed) or
/// credential_source, web_identity_token_file, IAM Identity Center (sso_session / sso_start_url with a cached token),
/// static keys and credential_process, in botocore's order. Endpoints follow the SDKs' documented overrides
/// (AWS_ENDPOINT_URL_&lt;SERVICE&gt;, AWS_ENDPOINT_URL, a [services] section, endpoint_url); nothing else redirects them.
/// </summary>
public sealed partial class AwsCredentialChain
{
    /// <summary>Credentials from STS, SSO or a process, kept until 5 minutes before they expire (keyed by what produced them).</summary>
    static readonly ConcurrentDictionary<string, AwsCredentials> Cache = new(StringComparer.Ordinal);
    static readonly TimeSpan ExpiryMargin = TimeSpan.FromMinutes(5);

    /// <summary>How long a credential_process may run.</summary>
    public TimeSpan ProcessTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The two shared files, parsed.</summary>
    sealed class AwsFiles
    {
        public AwsFiles(Dictionary<string, Dictionary<string, string>> creds, Dictionary<string, Dictionary<string, string>> conf)
        {
            Creds = creds;
            Conf = conf;
        }

        public Dictionary<string, Dictionary<string, string>> Creds { get; }
        public Dictionary<string, Dictionary<string, string>> Conf { get; }

        public Dictionary<string, string>? ConfigSection(string profile) =>
            Conf.TryGetValue(profile == "default" ? "default" : "profile " + profile, out var s) ? s
            : Conf.TryGetValue(profile == "default" ? "profile default" : profile, out s) ? s : null;

        /// <summary>The profile's settings from both files; the credentials file wins for a key in both.</summary>
        public Dictionary<string, string>? Profile(string name)
        {
            var conf = ConfigSection(name);
            Creds.TryGetValue(name, out var creds);
            if (conf == null && creds == null) return null;
            var merged = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var kv in conf ?? new()) merged[kv.Key] = kv.Value;
            foreach (var kv in creds ?? new()) merged[kv.Key] = kv.Value;
            return merged;
        }

        public AwsCredentials? StaticKeys(string name, bool fromCredentialsFile, string file)
        {
            var s = fromCredentialsFile ? (Creds.TryGetValue(name, out var c) ? c : null) : ConfigSection(name);
            if (s == null || !s.TryGetValue("aws_access_key_id", out var k) || !s.TryGetValue("aws_secret_access_key", out var secret) || k.Length == 0) return null;
            return new AwsCredentials(k, secret, s.TryGetValue("aws_session_token", out var t) && t.Length > 0 ? t : null, $"profile {name} ({file})");
        }
    }

    async Task<AwsCredentials?> FromProfileAsync(string profile, string credFile, string confFile, string region, Action<string> verbose, CancellationToken ct)
    {
        var files = new AwsFiles(ReadIni(credFile), ReadIni(confFile));
        if (files.Profile(profile) == null) return null;
        return await FromNamedProfileAsync(files, profile, region, verbose, new List<string>(), (credFile, confFile), ct).ConfigureAwait(false);
    }

    /// <summary>One profile, in botocore's order: role_arn, web identity, IAM Identity Center, credentials-file keys, credential_process, config-file keys.</summary>
    async Task<AwsCredentials?> FromNamedProfileAsync(AwsFiles f, string name, string region, Action<string> verbose, List<string> chain,
        (string Creds, string Conf) paths, CancellationToken ct)
    {
        var p = f.Profile(name) ?? throw ProfileInvalid(name, $"source_profile '{name}' is in neither {paths.Creds} nor {paths.Conf}");
        if (chain.Contains(name)) throw ProfileInvalid(name, $"source_profile forms a loop: {string.Join(" -> ", chain)} -> {name}");
        chain.Add(name);
        string? S(string key) => p.TryGetValue(key, out var v) && v.Length > 0 ? v : null;

        if (S("role_arn") is { } roleArn)
        {
            if (S("web_identity_token_file") is { } wf)
            {
                verbose($"AWS credentials: web identity token of profile {name} for role {roleArn}.");
                return await AssumeRoleWithWebIdentityAsync(roleArn, wf, S("role_session_name") ?? "dockopt", RegionOf(p) ?? region, ct).ConfigureAwait(false);
            }
            if (S("mfa_serial") is { } mfa)
                throw new DockOptException(ErrorIds.AwsMfaNotSupported, DockOptErrorCategory.AuthenticationError,
                    $"Profile '{name}' assumes the role {roleArn} with an MFA device ({mfa}); DockOpt runs unattended and cannot ask for a code.", name,
                    $"Get session credentials first (for example 'aws configure export-credentials --profile {name} --format env') and set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, or use a profile without mfa_serial.");
            AwsCredentials source;
            if (S("source_profile") is { } sp)
                source = sp == name
                    ? f.StaticKeys(name, true, paths.Creds) ?? f.StaticKeys(name, false, paths.Conf) ?? throw ProfileInvalid(name, $"profile '{name}' is its own source_profile but has no aws_access_key_id/aws_secret_access_key")
                    : await FromNamedProfileAsync(f, sp, region, verbose, chain, paths, ct).ConfigureAwait(false)
                      ?? throw ProfileInvalid(name, $"its source_profile '{sp}' gives no credentials");
            else if (S("credential_source") is { } cs)
                source = await FromCredentialSourceAsync(cs, name, ct).ConfigureAwait(false);
            else
                throw ProfileInvalid(name, "role_arn needs source_profile or credential_source");
            return await AssumeRoleAsync(f, p, name, roleArn, source, RegionOf(p) ?? region, verbose, ct).ConfigureAwait(false);
        }
        if (S("sso_session") != null || S("sso_start_url") != null || S("sso_account_id") != null)
            return await FromSsoAsync(f, p, name, verbose, ct).ConfigureAwait(false);
        if (f.StaticKeys(name, true, paths.Creds) is { } fromCreds) return fromCreds;
        if (S("credential_process") is { } cmd) return await FromProcessAsync(cmd, name, verbose, ct).ConfigureAwait(false);
        return f.StaticKeys(name, false, paths.Conf);
    }

    /// <summary>The region as the AWS CLI resolves it: AWS_REGION, AWS_DEFAULT_REGION, then the profile's region (null when none).</summary>
    public string? ResolveRegion(string? profile = null)
    {
        if (NullIfEmpty(_env("AWS_REGION")) is { } r) return r;
        if (NullIfEmpty(_env("AWS_DEFAULT_REGION")) is { } d) return d;
        var name = profile ?? NullIfEmpty(_env("AWS_PROFILE")) ?? NullIfEmpty(_env("AWS_DEFAULT_PROFILE")) ?? "default";
        var confFile = NullIfEmpty(_env("AWS_CONFIG_FILE")) ?? Path.Combine(Home, ".aws", "config");
        var p = new AwsFiles(new(), ReadIni(confFile)).Profile(name);
        return p != null && p.TryGetValue("region", out var pr) && pr.Length > 0 ? pr : null;
    }

    string? RegionOf(Dictionary<string, string> p) =>
        NullIfEmpty(_env("AWS_REGION")) ?? NullIfEmpty(_env("AWS_DEFAULT_REGION")) ?? (p.TryGetValue("region", out var r) && r.Length > 0 ? r : null);

    /// <summary>
    /// A configured endpoint, in the SDKs' documented order: AWS_ENDPOINT_URL_&lt;SERVICE&gt;, AWS_ENDPOINT_URL, the profile's
    /// [services] section, the profile's endpoint_url; none when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or the profile's
    /// ignore_configured_endpoint_urls) is true.
    /// </summary>
    string? ConfiguredEndpoint(string envId, string serviceKey, AwsFiles? f, Dictionary<string, string>? p)
    {
        if (string.Equals(_env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true", StringComparison.OrdinalIgnoreCase)) return null;
        if (p != null && p.TryGetValue("ignore_configured_endpoint_urls", out var ig) && ig.Equals("true", StringComparison.OrdinalIgnoreCase)) return null;
        if (NullIfEmpty(_env("AWS_ENDPOINT_URL_" + envId)) is { } specific) return specific;
        if (NullIfEmpty(_env("AWS_ENDPOINT_URL")) is { } global) return global;
        if (p != null && f != null && p.TryGetValue("services", out var svc) && f.Conf.TryGetValue("services " + svc, out var section)
            && section.TryGetValue(serviceKey + ".endpoint_url", out var u) && u.Length > 0) return u;
        return p != null && p.TryGetValue("endpoint_url", out var e) && e.Length > 0 ? e : null;
    }

    string StsEndpoint(AwsFiles? f, string region, Dictionary<string, string>? p = null) =>
        ConfiguredEndpoint("STS", "sts", f, p) ?? $"https://sts.{region}.amazonaws.com{(region.StartsWith("cn-", StringComparison.Ordinal) ? ".cn" : "")}/";

    static DockOptException ProfileInvalid(string profile, string why) => new(ErrorIds.AwsProfileInvalid, DockOptErrorCategory.InvalidData,
        $"AWS profile '{profile}' cannot give credentials: {why}.", profile,
        "Fix the profile in ~/.aws/config (or AWS_CONFIG_FILE); 'aws configure list --profile <name>' shows what the AWS CLI reads.");

    static bool Fresh(AwsCredentials c) => c.ExpiresAt == null || c.ExpiresAt.Value - DateTime.UtcNow > ExpiryMargin;

    /// <summary>credential_source of a role profile: Environment, Ec2InstanceMetadata or EcsContainer.</summary>
    async Task<AwsCredentials> FromCredentialSourceAsync(string source, string profile, CancellationToken ct)
    {
        AwsCredentials? c = source switch
        {
            "Environment" when NullIfEmpty(_env("AWS_ACCESS_KEY_ID")) is { } id && NullIfEmpty(_env("AWS_SECRET_ACCESS_KEY")) is { } s =>
                new AwsCredentials(id, s, NullIfEmpty(_env("AWS_SESSION_TOKEN")), "environment"),
            "Ec2InstanceMetadata" => await FromInstanceMetadataAsync(ct).ConfigureAwait(false),
            "EcsContainer" => (await FromContainerAsync(ct).ConfigureAwait(false)).Credentials,
            "Environment" => null,
            _ => throw ProfileInvalid(profile, $"credential_source '{source}' is not Environment, Ec2InstanceMetadata or EcsContainer"),
        };
        return c ?? throw ProfileInvalid(profile, $"its credential_source {source} gives no credentials");
    }

    /// <summary>STS AssumeRole (Query API, POST form, SigV4 service sts) with the source credentials.</summary>
    async Task<AwsCredentials> AssumeRoleAsync(AwsFiles f, Dictionary<string, string> p, string profile, string roleArn, AwsCredentials source,
        string region, Action<string> verbose, CancellationToken ct)
    {
        string? S(string key) => p.TryGetValue(key, out var v) && v.Length > 0 ? v : null;
        var session = S("role_session_name") ?? "dockopt-" + DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var url = StsEndpoint(f, region, p);
        var key = $"assume|{url}|{roleArn}|{source.AccessKeyId}|{S("external_id")}|{S("duration_seconds")}";
        if (Cache.TryGetValue(key, out var cached) && Fresh(cached)) return cached;
        var form = new List<KeyValuePair<string, string>>
        {
            new("Action", "AssumeRole"), new("Version", "2011-06-15"), new("RoleArn", roleArn), new("RoleSessionName", session),
        };
        if (S("duration_seconds") is { } ds) form.Add(new("DurationSeconds", ds));
        if (S("external_id") is { } ext) form.Add(new("ExternalId", ext));
        var body = Encoding.UTF8.GetBytes(string.Join("&", form.Select(kv => SigV4Signer.UriEncode(kv.Key, false) + "=" + SigV4Signer.UriEncode(kv.Value, false))));
        verbose($"AWS credentials: profile {profile} assumes {roleArn} with {source} through STS {new Uri(url).Host} ({region}).");
        using var http = NewClient();
        http.Timeout = TimeSpan.FromSeconds(30);
        using var req = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        req.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded");
        SigV4Signer.SignRequest(req, body, source, region, "sts", DateTime.UtcNow);
        using var resp = await http.SendAsync(req, ct).ConfigureAwait(false);
        var xml = await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (!resp.IsSuccessStatusCode)
            throw new DockOptException(ErrorIds.AwsAssumeRoleFailed, DockOptErrorCategory.AuthenticationError,
                $"STS AssumeRole of {roleArn} for profile '{profile}' failed: {TryXml(xml, "Code") ?? $"HTTP {(int)resp.StatusCode}"}: {TryXml(xml, "Message")}", roleArn,
                "Check that the role's trust policy allows the source identity and that it may call sts:AssumeRole.");
        var id = TryXml(xml, "AccessKeyId");
        var secret = TryXml(xml, "SecretAccessKey");
        if (id == null || secret == null)
            throw new DockOptException(ErrorIds.AwsAssumeRoleFailed, DockOptErrorCategory.InvalidData, $"STS answered AssumeRole of {roleArn} without credentials.", roleArn, null);
        var exp = TryXml(xml, "Expiration");
        var c = new AwsCredentials(id, secret, TryXml(xml, "SessionToken"), $"profile {profile} (role {roleArn})",
            exp != null && DateTime.TryParse(exp, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var e) ? e : null);
        Cache[key] = c;
        return c;
    }
}
