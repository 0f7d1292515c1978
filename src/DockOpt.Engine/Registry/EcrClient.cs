using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DockOpt.Engine.Registry;

/// <summary>
/// Amazon ECR control plane over its JSON 1.1 protocol (<c>X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.&lt;Action&gt;</c>),
/// signed with SigV4 (service <c>ecr</c>). Endpoint override: <c>DOCKOPT_ECR_ENDPOINT_URL</c> (tests point it at a local listener).
/// </summary>
public sealed class EcrClient : IDisposable
{
    public const string TargetPrefix = "AmazonEC2ContainerRegistry_V20150921.";
    readonly HttpClient _http;
    readonly Func<CancellationToken, Task<AwsCredentials>> _credentials;
    readonly RetryPolicy _retry;
    readonly IDockOptSink _sink;

    public EcrClient(EcrHost host, Func<CancellationToken, Task<AwsCredentials>> credentials, RetryPolicy retry, IDockOptSink sink,
        Uri? endpointOverride = null, HttpMessageHandler? handler = null)
    {
        Host = host;
        _credentials = credentials;
        _retry = retry;
        _sink = sink;
        var env = Environment.GetEnvironmentVariable("DOCKOPT_ECR_ENDPOINT_URL");
        Endpoint = endpointOverride ?? (!string.IsNullOrEmpty(env) ? new Uri(env) : host.ApiEndpoint);
        _http = handler != null ? new HttpClient(handler, false) : new HttpClient();
        _http.Timeout = TimeSpan.FromSeconds(30);
    }

    public EcrHost Host { get; }
    public Uri Endpoint { get; }

    /// <summary>Clock for signing (tests pin it).</summary>
    public Func<DateTime> UtcNow { get; init; } = () => DateTime.UtcNow;

    public async Task<JsonElement> CallAsync(string action, JsonObject body, CancellationToken ct)
    {
        var payload = Encoding.UTF8.GetBytes(body.ToJsonString());
        var started = DateTime.UtcNow;
        for (var attempt = 1; ; attempt++)
        {
            var creds = await _credentials(ct).ConfigureAwait(false);
            using var req = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new ByteArrayContent(payload) };
            req.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-amz-json-1.1");
            req.Headers.TryAddWithoutValidation("X-Amz-Target", TargetPrefix + action);
            SigV4Signer.SignRequest(req, payload, creds, Host.Region, "ecr", UtcNow());
            HttpResponseMessage resp;
            try
            {
                resp = await _http.SendAsync(req, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (RetryPolicy.IsTransient(e) && !ct.IsCancellationRequested)
            {
                var d = _retry.Delay(attempt);
                if (!_retry.CanRetry(attempt, started, d))
                    throw new DockOptException(ErrorIds.RegistryUnreachable, DockOptErrorCategory.ConnectionError,
                        $"Amazon ECR API {Endpoint.Host} is unreachable for {action}: {(e.InnerException ?? e).Message}.", Endpoint.ToString(),
                        "Check the network/proxy and the region.", e);
                await Task.Delay(d, ct).ConfigureAwait(false);
                continue;
            }
            using (resp)
            {
                var text = await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                if (resp.IsSuccessStatusCode)
                {
                    using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "{}" : text);
                    return doc.RootElement.Clone();
                }
                var (type, message) = ParseError(resp, text);
                if ((RetryPolicy.IsTransient(resp.StatusCode) || type is "ThrottlingException" or "ServerException") )
                {
                    var d = _retry.Delay(attempt, resp.Headers.RetryAfter);
                    if (_retry.CanRetry(attempt, started, d))
                    {
                        _sink.Verbose($"Amazon ECR {action}: {type}; retry {attempt} in {d.TotalSeconds:0.0} s.");
                        await Task.Delay(d, ct).ConfigureAwait(false);
                        continue;
                    }
                }
                throw new EcrApiException(action, type, message, (int)resp.StatusCode);
            }
        }
    }

    /// <summary>Error type from X-Amzn-ErrorType or body __type, with any <c>namespace#</c> prefix and <c>:url</c> suffix removed.</summary>
    public static (string Type, string Message) ParseError(HttpResponseMessage resp, string body)
    {
        string? type = resp.Headers.TryGetValues("X-Amzn-ErrorType", out var v) ? v.FirstOrDefault() : null;
        string message = "";
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (type == null && doc.RootElement.TryGetProperty("__type", out var t)) type = t.GetString();
            if (doc.RootElement.TryGetProperty("message", out var m) || doc.RootElement.TryGetProperty("Message", out m)) message = m.GetString() ?? "";
        }
        catch (JsonException) { message = Dockerfiles.MessageText.Summarise(body, 200, 5); }
        type ??= $"HTTP{(int)resp.StatusCode}";
        var colon = type.IndexOf(':');
        if (colon >= 0) type = type.Substring(0, colon);
        var hash = type.LastIndexOf('#');
        if (hash >= 0) type = type.Substring(hash + 1);
        return (type, Dockerfiles.MessageText.Summarise(message, 300, 5));
    }

    /// <summary>GetAuthorizationToken → registry credential (user AWS, password from the base64 token), with its expiry.</summary>
    public async Task<RegistryCredential> GetAuthorizationTokenAsync(CancellationToken ct)
    {
        var r = await CallAsync("GetAuthorizationToken", new JsonObject(), ct).ConfigureAwait(false);
        if (!r.TryGetProperty("authorizationData", out var data) || data.GetArrayLength() == 0)
            throw new DockOptException(ErrorIds.EcrAuthFailed, DockOptErrorCategory.AuthenticationError, "Amazon ECR returned no authorization data.", Host.AccountId, null);
        var a = data[0];
        var token = a.GetProperty("authorizationToken").GetString() ?? "";
        string decoded;
        try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(token)); }
        catch (FormatException) { throw new DockOptException(ErrorIds.EcrAuthFailed, DockOptErrorCategory.InvalidData, "Amazon ECR returned an authorization token that is not base64.", Host.AccountId, null); }
        var colon = decoded.IndexOf(':');
        if (colon < 0) throw new DockOptException(ErrorIds.EcrAuthFailed, DockOptErrorCategory.InvalidData, "Amazon ECR returned an authorization token without user:password.", Host.AccountId, null);
        DateTime? expires = null;
        if (a.TryGetProperty("expiresAt", out var e))
            expires = e.ValueKind == JsonValueKind.Number ? DateTime.UnixEpoch.AddSeconds(e.GetDouble()) : e.ValueKind == JsonValueKind.String && DateTime.TryParse(e.GetString(), out var ed) ? ed.ToUniversalTime() : null;
        return new RegistryCredential(decoded.Substring(0, colon), decoded.Substring(colon + 1), "ECR GetAuthorizationToken", null, expires);
    }

    /// <summary>CreateRepository; true when created, false when it already existed (RepositoryAlreadyExistsException = success).</summary>
    public async Task<bool> CreateRepositoryAsync(string repository, EcrRepositorySettings s, CancellationToken ct)
    {
        var body = new JsonObject { ["repositoryName"] = repository, ["registryId"] = Host.AccountId };
        if (s.ImageTagMutability != null) body["imageTagMutability"] = s.ImageTagMutability;
        if (s.ScanOnPush != null) body["imageScanningConfiguration"] = new JsonObject { ["scanOnPush"] = s.ScanOnPush.Value };
        if (s.EncryptionType != null)
        {
            var enc = new JsonObject { ["encryptionType"] = s.EncryptionType };
            if (s.KmsKey != null) enc["kmsKey"] = s.KmsKey;
            body["encryptionConfiguration"] = enc;
        }
        try
        {
            await CallAsync("CreateRepository", body, ct).ConfigureAwait(false);
            return true;
        }
        catch (EcrApiException e) when (e.Type == "RepositoryAlreadyExistsException")
        {
            return false;
        }
    }

    /// <summary>Polls DescribeImageScanFindings until COMPLETE/FAILED/terminal or the timeout; sums findingSeverityCounts.</summary>
    public async Task<EcrScanSummary> WaitForScanAsync(string repository, string digest, TimeSpan timeout, TimeSpan pollInterval, CancellationToken ct)
    {
        var started = DateTime.UtcNow;
        while (true)
        {
            var body = new JsonObject
            {
                ["repositoryName"] = repository, ["registryId"] = Host.AccountId,
                ["imageId"] = new JsonObject { ["imageDigest"] = digest },
            };
            JsonElement r;
            string status;
            try
            {
                r = await CallAsync("DescribeImageScanFindings", body, ct).ConfigureAwait(false);
                status = r.TryGetProperty("imageScanStatus", out var st) && st.TryGetProperty("status", out var s) ? s.GetString() ?? "" : "";
            }
            catch (EcrApiException e) when (e.Type == "ScanNotFoundException")
            {
                r = default;
                status = "PENDING";
            }
            var terminal = status is "COMPLETE" or "FAILED" or "UNSUPPORTED_IMAGE" or "FINDINGS_UNAVAILABLE" or "SCAN_ELIGIBILITY_EXPIRED" or "LIMIT_EXCEEDED" or "IMAGE_ARCHIVED" or "ACTIVE";
            if (terminal || DateTime.UtcNow - started + pollInterval > timeout)
            {
                var summary = new EcrScanSummary { Status = status, WaitTime = DateTime.UtcNow - started };
                if (r.ValueKind == JsonValueKind.Object)
                {
                    if (r.TryGetProperty("imageScanStatus", out var st) && st.TryGetProperty("description", out var de)) summary.Description = de.GetString();
                    if (r.TryGetProperty("imageScanFindings", out var f))
                    {
                        if (f.TryGetProperty("findingSeverityCounts", out var counts) && counts.ValueKind == JsonValueKind.Object)
                            foreach (var c in counts.EnumerateObject())
                            {
                                var n = c.Value.TryGetInt32(out var nv) ? nv : 0;
                                switch (c.Name.ToUpperInvariant())
                                {
                                    case "CRITICAL": summary.Critical += n; break;
                                    case "HIGH": summary.High += n; break;
                                    case "MEDIUM": summary.Medium += n; break;
                                    case "LOW": summary.Low += n; break;
                                    case "INFORMATIONAL": summary.Informational += n; break;
                                    default: summary.Undefined += n; break;
                                }
                            }
                        if (f.TryGetProperty("imageScanCompletedAt", out var ca) && ca.ValueKind == JsonValueKind.Number)
                            summary.CompletedAt = DateTime.UnixEpoch.AddSeconds(ca.GetDouble());
                    }
                }
                if (!terminal) summary.Status = status.Length == 0 ? "TIMEOUT" : status;
                return summary;
            }
            _sink.Verbose($"Amazon ECR scan of {repository}@{digest}: {status}; next poll in {pollInterval.TotalSeconds:0} s.");
            await Task.Delay(pollInterval, ct).ConfigureAwait(false);
        }
    }

    public void Dispose() => _http.Dispose();
}
