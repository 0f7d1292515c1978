using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Xml.Linq;

namespace DockOpt.Engine.Registry;

/// <summary>
/// The AWS default credential chain without the SDK: environment variables, web identity token
/// (AssumeRoleWithWebIdentity, as GitHub's OIDC provides), shared credentials/config files with AWS_PROFILE (static keys,
/// role_arn with source_profile or credential_source, credential_process, IAM Identity Center), container credentials
/// (ECS/EKS Pod Identity) and EC2 instance metadata (IMDSv2).
/// </summary>
public sealed partial class AwsCredentialChain
{
    readonly Func<string, string?> _env;
    readonly HttpMessageHandler? _handler;

    public AwsCredentialChain(Func<string, string?>? env = null, HttpMessageHandler? handler = null)
    {
        _env = env ?? Environment.GetEnvironmentVariable;
        _handler = handler;
    }

    /// <summary>Bound for each metadata/STS call (instance metadata answers in milliseconds where it exists).</summary>
    public TimeSpan MetadataTimeout { get; init; } = TimeSpan.FromSeconds(2);

    string Home => _env("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    public async Task<AwsCredentials> ResolveAsync(string region, Action<string> verbose, CancellationToken ct)
    {
        var tried = new List<string>();
        var id = _env("AWS_ACCESS_KEY_ID");
        var secret = _env("AWS_SECRET_ACCESS_KEY");
        if (!string.IsNullOrEmpty(id) && !string.IsNullOrEmpty(secret))
            return new AwsCredentials(id!, secret!, NullIfEmpty(_env("AWS_SESSION_TOKEN")), "environment");
        tried.Add("environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)");

        var tokenFile = _env("AWS_WEB_IDENTITY_TOKEN_FILE");
        var roleArn = _env("AWS_ROLE_ARN");
        if (!string.IsNullOrEmpty(tokenFile) && !string.IsNullOrEmpty(roleArn))
        {
            verbose($"AWS credentials: web identity token file for role {roleArn}.");
            return await AssumeRoleWithWebIdentityAsync(roleArn!, tokenFile!, _env("AWS_ROLE_SESSION_NAME") ?? "dockopt", region, ct).ConfigureAwait(false);
        }
        tried.Add("web identity (AWS_WEB_IDENTITY_TOKEN_FILE/AWS_ROLE_ARN)");

        var profile = NullIfEmpty(_env("AWS_PROFILE")) ?? NullIfEmpty(_env("AWS_DEFAULT_PROFILE")) ?? "default";
        var credFile = NullIfEmpty(_env("AWS_SHARED_CREDENTIALS_FILE")) ?? Path.Combine(Home, ".aws", "credentials");
        var confFile = NullIfEmpty(_env("AWS_CONFIG_FILE")) ?? Path.Combine(Home, ".aws", "config");
        var fromFiles = await FromProfileAsync(profile, credFile, confFile, region, verbose, ct).ConfigureAwait(false);
        if (fromFiles != null) return fromFiles;
        tried.Add($"profile '{profile}' in {credFile} and {confFile}");

        var (container, why) = await FromContainerAsync(ct).ConfigureAwait(false);
        if (container != null) return container;
        tried.Add(why);

        if (!string.Equals(_env("AWS_EC2_METADATA_DISABLED"), "true", StringComparison.OrdinalIgnoreCase))
        {
            var imds = await FromInstanceMetadataAsync(ct).ConfigureAwait(false);
            if (imds != null) return imds;
        }
        tried.Add("EC2 instance metadata");

        throw new DockOptException(ErrorIds.AwsCredentialsNotFound, DockOptErrorCategory.AuthenticationError,
            $"No AWS credentials found for Amazon ECR. Tried: {string.Join("; ", tried)}.", "AWS",
            "Set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, use GitHub's OIDC (aws-actions/configure-aws-credentials), or pass -Credential AWS/<token>.");
    }

    /// <summary>ECS/EKS Pod Identity container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI), or why not.</summary>
    async Task<(AwsCredentials? Credentials, string Tried)> FromContainerAsync(CancellationToken ct)
    {
        var relative = _env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
        var full = _env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
        if (string.IsNullOrEmpty(relative) && string.IsNullOrEmpty(full)) return (null, "container credentials (AWS_CONTAINER_CREDENTIALS_*)");
        var url = !string.IsNullOrEmpty(relative) ? "http://169.254.170.2" + relative : full!;
        var token = NullIfEmpty(_env("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
        var tf = _env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
        if (token == null && !string.IsNullOrEmpty(tf) && File.Exists(tf)) token = Dockerfiles.SourceFile.ReadAllText(tf, "AWS container authorization token file").Trim();
        using var http = NewClient();
        using var req = new HttpRequestMessage(HttpMethod.Get, url);
        if (token != null) req.Headers.TryAddWithoutValidation("Authorization", token);
        using var resp = await http.SendAsync(req, ct).ConfigureAwait(false);
        if (resp.IsSuccessStatusCode)
            return (ParseMetadataJson(await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false), "container credentials"), "");
        return (null, $"container credentials ({(int)resp.StatusCode})");
    }

    static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    HttpClient NewClient() => _handler != null
        ? new HttpClient(_handler, disposeHandler: false) { Timeout = MetadataTimeout }
        : new HttpClient { Timeout = MetadataTimeout };

    /// <summary>Minimal INI reader: section → key → value (a FIFO or device is refused with FileNotRegular, not read).</summary>
    public static Dictionary<string, Dictionary<string, string>> ReadIni(string path)
    {
        var d = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        if (!File.Exists(path)) return d;
        Dictionary<string, string>? cur = null;
        string? parent = null;
        foreach (var raw in Dockerfiles.SourceFile.ReadAllLines(path, "AWS shared config or credentials file"))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            // A nested setting ("sts =" then indented "endpoint_url = …", as in [services …]) is stored as "sts.endpoint_url".
            if (parent != null && cur != null && raw.Length > 0 && char.IsWhiteSpace(raw[0]) && line.IndexOf('=') is > 0 and var ne)
            {
                cur[parent + "." + line.Substring(0, ne).Trim()] = line.Substring(ne + 1).Trim();
                continue;
            }
            parent = null;
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                var name = line.Substring(1, line.Length - 2).Trim();
                if (!d.TryGetValue(name, out cur)) d[name] = cur = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                parent = null;
                continue;
            }
            var eq = line.IndexOf('=');
            if (eq > 0 && cur != null)
            {
                var key = line.Substring(0, eq).Trim();
                var value = line.Substring(eq + 1).Trim();
                cur[key] = value;
                if (value.Length == 0) parent = key;
            }
        }
        return d;
    }

    /// <summary>STS AssumeRoleWithWebIdentity (unsigned; the OIDC token is the proof).</summary>
    public async Task<AwsCredentials> AssumeRoleWithWebIdentityAsync(string roleArn, string tokenFile, string sessionName, string region, CancellationToken ct)
    {
        if (!File.Exists(tokenFile))
            throw new DockOptException(ErrorIds.AwsCredentialsNotFound, DockOptErrorCategory.AuthenticationError,
                $"The web identity token file '{tokenFile}' does not exist.", tokenFile, "Check AWS_WEB_IDENTITY_TOKEN_FILE.");
        var token = Dockerfiles.SourceFile.ReadAllText(tokenFile, "web identity token file").Trim();
        var sts = StsEndpoint(null, region);
        var form = new Dictionary<string, string>
        {
            ["Action"] = "AssumeRoleWithWebIdentity", ["Version"] = "2011-06-15", ["RoleArn"] = roleArn,
            ["RoleSessionName"] = sessionName, ["WebIdentityToken"] = token,
        };
        using var http = NewClient();
        http.Timeout = TimeSpan.FromSeconds(30);
        using var resp = await http.PostAsync(sts, new FormUrlEncodedContent(form), ct).ConfigureAwait(false);
        var body = await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (!resp.IsSuccessStatusCode)
        {
            var code = TryXml(body, "Code") ?? $"HTTP {(int)resp.StatusCode}";
            throw new DockOptException(ErrorIds.AwsAssumeRoleFailed, DockOptErrorCategory.AuthenticationError,
                $"STS AssumeRoleWithWebIdentity for {roleArn} failed: {Dockerfiles.MessageText.Summarise(code, 100, 1)}: {Dockerfiles.MessageText.Summarise(TryXml(body, "Message"), 300, 5)}", roleArn,
                "Check the role's trust policy for the OIDC provider and audience.");
        }
        var keyId = TryXml(body, "AccessKeyId");
        var secret = TryXml(body, "SecretAccessKey");
        if (keyId == null || secret == null)
            throw new DockOptException(ErrorIds.AwsAssumeRoleFailed, DockOptErrorCategory.InvalidData, "STS answered without credentials.", roleArn, null);
        var exp = TryXml(body, "Expiration");
        return new AwsCredentials(keyId, secret, TryXml(body, "SessionToken"), $"web identity {roleArn}",
            exp != null && DateTime.TryParse(exp, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var e) ? e : null);
    }

    static string? TryXml(string xml, string local)
    {
        try { return XDocument.Parse(xml).Descendants().FirstOrDefault(x => x.Name.LocalName == local)?.Value; }
        catch (System.Xml.XmlException) { return null; }
    }

    static AwsCredentials ParseMetadataJson(string json, string source)
    {
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        string? S(string n) => r.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var id = S("AccessKeyId");
        var secret = S("SecretAccessKey");
        if (id == null || secret == null)
            throw new DockOptException(ErrorIds.AwsCredentialsNotFound, DockOptErrorCategory.InvalidData, $"The {source} endpoint answered without credentials.", source, null);
        var exp = S("Expiration");
        return new AwsCredentials(id, secret, S("Token") ?? S("SessionToken"), source,
            exp != null && DateTime.TryParse(exp, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var e) ? e : null);
    }

    async Task<AwsCredentials?> FromInstanceMetadataAsync(CancellationToken ct)
    {
        var baseUrl = (NullIfEmpty(_env("AWS_EC2_METADATA_SERVICE_ENDPOINT")) ?? "http://169.254.169.254").TrimEnd('/');
        using var http = NewClient();
        try
        {
            using var tokReq = new HttpRequestMessage(HttpMethod.Put, baseUrl + "/latest/api/token");
            tokReq.Headers.TryAddWithoutValidation("X-aws-ec2-metadata-token-ttl-seconds", "21600");
            using var tokResp = await http.SendAsync(tokReq, ct).ConfigureAwait(false);
            string? token = tokResp.IsSuccessStatusCode ? await tokResp.Content.ReadAsStringAsync(ct).ConfigureAwait(false) : null;
            async Task<HttpResponseMessage> Get(string path)
            {
                var r = new HttpRequestMessage(HttpMethod.Get, baseUrl + path);
                if (token != null) r.Headers.TryAddWithoutValidation("X-aws-ec2-metadata-token", token);
                return await http.SendAsync(r, ct).ConfigureAwait(false);
            }
            using var roleResp = await Get("/latest/meta-data/iam/security-credentials/").ConfigureAwait(false);
            if (!roleResp.IsSuccessStatusCode) return null;
            var role = (await roleResp.Content.ReadAsStringAsync(ct).ConfigureAwait(false)).Split('\n')[0].Trim();
            if (role.Length == 0) return null;
            using var credResp = await Get("/latest/meta-data/iam/security-credentials/" + role).ConfigureAwait(false);
            if (!credResp.IsSuccessStatusCode) return null;
            return ParseMetadataJson(await credResp.Content.ReadAsStringAsync(ct).ConfigureAwait(false), $"instance profile {role}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }
}
