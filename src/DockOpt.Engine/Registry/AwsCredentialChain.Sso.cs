using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DockOpt.Engine.Registry;

/// <summary>IAM Identity Center (SSO) cached tokens and credential_process, for <see cref="AwsCredentialChain"/>.</summary>
public sealed partial class AwsCredentialChain
{
    /// <summary>The token cache file the AWS CLI writes: ~/.aws/sso/cache/&lt;SHA-1 hex of the sso-session name, or of the start URL&gt;.json.</summary>
    public static string SsoCacheFile(string home, string key) =>
        Path.Combine(home, ".aws", "sso", "cache", Convert.ToHexString(SHA1.HashData(Encoding.UTF8.GetBytes(key))).ToLowerInvariant() + ".json");

    /// <summary>
    /// IAM Identity Center: the cached access token of the profile's sso-session (or legacy sso_start_url), then
    /// GetRoleCredentials on the portal (<c>GET /federation/credentials?account_id=&amp;role_name=</c> with <c>x-amz-sso_bearer_token</c>).
    /// </summary>
    async Task<AwsCredentials> FromSsoAsync(AwsFiles f, Dictionary<string, string> p, string profile, Action<string> verbose, CancellationToken ct)
    {
        string? S(Dictionary<string, string> d, string key) => d.TryGetValue(key, out var v) && v.Length > 0 ? v : null;
        string cacheKey, login;
        string? startUrl, ssoRegion;
        if (S(p, "sso_session") is { } sessionName)
        {
            if (!f.Conf.TryGetValue("sso-session " + sessionName, out var session))
                throw ProfileInvalid(profile, $"it names sso_session '{sessionName}', and there is no [sso-session {sessionName}] section");
            startUrl = S(session, "sso_start_url");
            ssoRegion = S(session, "sso_region");
            cacheKey = sessionName;
            login = $"aws sso login --sso-session {sessionName}";
        }
        else
        {
            startUrl = S(p, "sso_start_url");
            ssoRegion = S(p, "sso_region");
            cacheKey = startUrl ?? "";
            login = $"aws sso login --profile {profile}";
        }
        var account = S(p, "sso_account_id");
        var role = S(p, "sso_role_name");
        if (startUrl == null || ssoRegion == null) throw ProfileInvalid(profile, "IAM Identity Center needs sso_start_url and sso_region");
        if (account == null || role == null)
            throw ProfileInvalid(profile, "it resolves an IAM Identity Center access token, not AWS credentials (no sso_account_id and sso_role_name)");
        var endpoint = (ConfiguredEndpoint("SSO", "sso", f, p) ?? $"https://portal.sso.{ssoRegion}.amazonaws.com").TrimEnd('/');
        var key = $"sso|{endpoint}|{startUrl}|{account}|{role}";
        if (Cache.TryGetValue(key, out var cached) && Fresh(cached)) return cached;

        var token = ReadSsoToken(SsoCacheFile(Home, cacheKey), profile, login);
        verbose($"AWS credentials: profile {profile}, IAM Identity Center role {role} in account {account} through {new Uri(endpoint).Host}.");
        using var http = NewClient();
        http.Timeout = TimeSpan.FromSeconds(30);
        using var req = new HttpRequestMessage(HttpMethod.Get,
            $"{endpoint}/federation/credentials?account_id={Uri.EscapeDataString(account)}&role_name={Uri.EscapeDataString(role)}");
        req.Headers.TryAddWithoutValidation("x-amz-sso_bearer_token", token);
        using var resp = await http.SendAsync(req, ct).ConfigureAwait(false);
        var body = await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if ((int)resp.StatusCode is 401 or 403 && !body.Contains("ForbiddenException", StringComparison.Ordinal))
            throw new DockOptException(ErrorIds.AwsSsoLoginRequired, DockOptErrorCategory.AuthenticationError,
                $"The IAM Identity Center portal refused the cached token of profile '{profile}' (HTTP {(int)resp.StatusCode}).", profile, $"Run '{login}' and try again.");
        if (!resp.IsSuccessStatusCode)
            throw new DockOptException(ErrorIds.AwsSsoRoleCredentialsFailed, DockOptErrorCategory.AuthenticationError,
                $"IAM Identity Center GetRoleCredentials for role {role} in account {account} (profile '{profile}') failed: HTTP {(int)resp.StatusCode} {ErrorType(body)}.",
                profile, "Check sso_account_id and sso_role_name: the user must be assigned that permission set in that account.");
        using var doc = JsonDocument.Parse(body);
        if (!doc.RootElement.TryGetProperty("roleCredentials", out var rc) || rc.ValueKind != JsonValueKind.Object)
            throw new DockOptException(ErrorIds.AwsSsoRoleCredentialsFailed, DockOptErrorCategory.InvalidData, "The IAM Identity Center portal answered without roleCredentials.", profile, null);
        string? R(string n) => rc.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        DateTime? exp = rc.TryGetProperty("expiration", out var e) && e.TryGetInt64(out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime : null;
        var c = new AwsCredentials(R("accessKeyId") ?? "", R("secretAccessKey") ?? "", R("sessionToken"), $"profile {profile} (IAM Identity Center {role})", exp);
        if (c.AccessKeyId.Length == 0 || c.SecretAccessKey.Length == 0)
            throw new DockOptException(ErrorIds.AwsSsoRoleCredentialsFailed, DockOptErrorCategory.InvalidData, "The IAM Identity Center portal answered without an access key.", profile, null);
        Cache[key] = c;
        return c;
    }

    static string ErrorType(string body)
    {
        try
        {
            using var d = JsonDocument.Parse(body);
            return d.RootElement.TryGetProperty("__type", out var t) ? t.GetString() ?? "" : d.RootElement.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
        }
        catch (JsonException) { return ""; }
    }

    /// <summary>The accessToken of an SSO cache file, refused when missing or expired (the token is never put in a message).</summary>
    static string ReadSsoToken(string file, string profile, string login)
    {
        if (!File.Exists(file))
            throw new DockOptException(ErrorIds.AwsSsoLoginRequired, DockOptErrorCategory.AuthenticationError,
                $"Profile '{profile}' uses IAM Identity Center, and there is no cached login ({file}).", profile, $"Run '{login}' and try again.");
        string? token = null;
        DateTime? expires = null;
        try
        {
            using var doc = JsonDocument.Parse(Dockerfiles.SourceFile.ReadAllText(file, "AWS SSO cache file"));
            var r = doc.RootElement;
            if (r.TryGetProperty("accessToken", out var t) && t.ValueKind == JsonValueKind.String) token = t.GetString();
            if (r.TryGetProperty("expiresAt", out var x) && x.ValueKind == JsonValueKind.String &&
                DateTime.TryParse(x.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var ex)) expires = ex;
        }
        catch (JsonException) { }
        if (string.IsNullOrEmpty(token) || expires == null)
            throw new DockOptException(ErrorIds.AwsSsoLoginRequired, DockOptErrorCategory.AuthenticationError,
                $"The cached IAM Identity Center login of profile '{profile}' ({file}) has no accessToken or expiresAt.", profile, $"Run '{login}' and try again.");
        if (expires <= DateTime.UtcNow)
            throw new DockOptException(ErrorIds.AwsSsoLoginRequired, DockOptErrorCategory.AuthenticationError,
                $"The cached IAM Identity Center login of profile '{profile}' expired at {expires:yyyy-MM-dd HH:mm:ss}Z.", profile, $"Run '{login}' and try again.");
        return token!;
    }

    /// <summary>
    /// credential_process: runs the command through the shell (sh -c, or cmd /c on Windows, as the AWS SDKs do), reads its
    /// JSON (Version 1: AccessKeyId, SecretAccessKey, optional SessionToken and Expiration) and keeps it until it expires.
    /// Messages name the profile and the program, never the command line or its output.
    /// </summary>
    async Task<AwsCredentials> FromProcessAsync(string command, string profile, Action<string> verbose, CancellationToken ct)
    {
        var key = $"process|{command}";
        if (Cache.TryGetValue(key, out var cached) && Fresh(cached)) return cached;
        var program = command.TrimStart().Split(' ', 2)[0];
        verbose($"AWS credentials: profile {profile} runs its credential_process ({program}).");
        var psi = OperatingSystem.IsWindows() ? new ProcessStartInfo("cmd.exe") { ArgumentList = { "/d", "/s", "/c", command } }
            : new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", command } };
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        using var proc = Process.Start(psi) ?? throw ProcessFailed(profile, program, "it could not be started");
        var stdout = proc.StandardOutput.ReadToEndAsync(ct);
        var stderr = proc.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ProcessTimeout);
        try { await proc.WaitForExitAsync(timeout.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            try { proc.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw ProcessFailed(profile, program, $"it did not finish within {ProcessTimeout.TotalSeconds:0} s");
        }
        var output = await stdout.ConfigureAwait(false);
        var errors = (await stderr.ConfigureAwait(false)).Trim();
        if (proc.ExitCode != 0)
            throw ProcessFailed(profile, program, $"it exited with code {proc.ExitCode}{(errors.Length > 0 ? ": " + (errors.Length > 200 ? errors.Substring(0, 200) + "…" : errors) : "")}");
        var c = ParseProcessOutput(output, profile, program);
        Cache[key] = c;
        return c;
    }

    /// <summary>Parses credential_process output (Version 1); refuses another version, missing keys and credentials already expired.</summary>
    public static AwsCredentials ParseProcessOutput(string json, string profile, string program)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException) { throw ProcessFailed(profile, program, "its output is not JSON"); }
        using (doc)
        {
            var r = doc.RootElement;
            if (r.ValueKind != JsonValueKind.Object) throw ProcessFailed(profile, program, "its output is not a JSON object");
            string? S(string n) => r.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            if (!r.TryGetProperty("Version", out var ver) || !ver.TryGetInt32(out var version) || version != 1)
                throw ProcessFailed(profile, program, "its output has no \"Version\": 1 (the only version the AWS SDKs define)");
            var id = S("AccessKeyId");
            var secret = S("SecretAccessKey");
            if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret)) throw ProcessFailed(profile, program, "its output lacks AccessKeyId or SecretAccessKey");
            DateTime? expires = null;
            if (S("Expiration") is { } exp)
            {
                if (!DateTime.TryParse(exp, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var e))
                    throw ProcessFailed(profile, program, "its Expiration is not an ISO 8601 time");
                if (e <= DateTime.UtcNow) throw ProcessFailed(profile, program, $"it returned credentials that expired at {e:yyyy-MM-dd HH:mm:ss}Z");
                expires = e;
            }
            return new AwsCredentials(id!, secret!, S("SessionToken"), $"profile {profile} (credential_process {program})", expires);
        }
    }

    static DockOptException ProcessFailed(string profile, string program, string why) => new(ErrorIds.AwsCredentialProcessFailed,
        DockOptErrorCategory.AuthenticationError, $"The credential_process of AWS profile '{profile}' ({program}) failed: {why}.", profile,
        "Run the command yourself: it must exit 0 and print JSON with Version 1, AccessKeyId, SecretAccessKey, and SessionToken/Expiration for temporary credentials.");
}
