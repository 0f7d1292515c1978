using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.Registry;

/// <summary>
/// Small OCI distribution (HTTP API v2) client: manifest HEAD/GET with Basic or Bearer-token auth (the
/// <c>WWW-Authenticate</c> challenge decides), bounded retries, HTTPS with the CAs of <c>/etc/docker/certs.d/&lt;host&gt;/</c>,
/// and plain HTTP for loopback registries (as dockerd allows them).
/// </summary>
public sealed partial class RegistryClient : IDisposable
{
    public const string ManifestAccept =
        "application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json, " +
        "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json";

    readonly HttpClient _http;
    readonly RetryPolicy _retry;
    readonly IDockOptSink _sink;
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);
    string? _scheme;
    string? _basic;

    public RegistryClient(RegistryTarget target, RegistryCredential credential, RetryPolicy retry, IDockOptSink sink, string? certsDirectory = null)
    {
        Target = target;
        Credential = credential;
        _retry = retry;
        _sink = sink;
        var cas = LoadCertsD(certsDirectory ?? "/etc/docker/certs.d", target.Host);
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AllowAutoRedirect = true,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(20),
        };
        if (cas.Count > 0)
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, _, errors) => Validate(cert, errors, cas),
            };
        _http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("DockOpt/1.0");
    }

    public RegistryTarget Target { get; }
    public RegistryCredential Credential { get; private set; }

    /// <summary>Requests sent, for tests and verbose accounting.</summary>
    public int RequestCount => _requests;
    int _requests;

    /// <summary>Loopback registries may speak plain HTTP (dockerd's default insecure range 127.0.0.0/8).</summary>
    public static bool IsLoopback(string host)
    {
        var h = host;
        if (h.StartsWith('[')) h = h.Substring(1, h.IndexOf(']') - 1);
        else if (h.Contains(':')) h = h.Substring(0, h.LastIndexOf(':'));
        if (h.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(h, out var ip) && IPAddress.IsLoopback(ip);
    }

    static List<X509Certificate2> LoadCertsD(string root, string host)
    {
        var list = new List<X509Certificate2>();
        var dir = Path.Combine(root, host);
        if (!Directory.Exists(dir)) return list;
        foreach (var f in Directory.EnumerateFiles(dir, "*.crt"))
        {
            try
            {
                var bundle = new X509Certificate2Collection();
                bundle.ImportFromPemFile(f);
                list.AddRange(bundle.Cast<X509Certificate2>());
            }
            catch (CryptographicException) { }
        }
        return list;
    }

    static bool Validate(X509Certificate? cert, SslPolicyErrors errors, List<X509Certificate2> cas)
    {
        if (errors == SslPolicyErrors.None) return true;
        if (cert == null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        foreach (var ca in cas) chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(cert));
    }

    /// <summary>Replaces the credential (an ECR token refreshed after "expired").</summary>
    public void UpdateCredential(RegistryCredential c)
    {
        Credential = c;
        _tokens.Clear();
        _basic = null;
    }

    /// <summary>HTTPS first; plain HTTP for a loopback registry that does not speak TLS.</summary>
    async Task<string> SchemeAsync(CancellationToken ct)
    {
        if (_scheme != null) return _scheme;
        var started = DateTime.UtcNow;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var req = new HttpRequestMessage(HttpMethod.Get, $"https://{Target.Host}/v2/");
                Interlocked.Increment(ref _requests);
                using var resp = await _http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
                return _scheme = "https";
            }
            catch (HttpRequestException e) when (InsecureRegistries.Allows(Target.Host) && IsTlsMismatch(e))
            {
                return _scheme = "http";
            }
            catch (HttpRequestException e) when (IsCertificateProblem(e))
            {
                throw new DockOptException(ErrorIds.RegistryCertificateUntrusted, DockOptErrorCategory.SecurityError,
                    $"The TLS certificate of registry {Target.Host} is not trusted: {(e.InnerException ?? e).Message}", Target.Host,
                    $"Put the registry's CA certificate at /etc/docker/certs.d/{Target.Host}/ca.crt (the engine reads it there too) or into the system trust store.", e);
            }
            catch (Exception e) when (RetryPolicy.IsTransient(e) && !ct.IsCancellationRequested)
            {
                var delay = _retry.Delay(attempt);
                if (!_retry.CanRetry(attempt, started, delay)) throw Unreachable(e, attempt, started);
                _sink.Verbose($"Registry {Target.Host}: {Describe(e)}; retry {attempt} in {delay.TotalSeconds:0.0} s.");
                await Task.Delay(delay, ct).ConfigureAwait(false);
            }
        }
    }

    static bool IsTlsMismatch(HttpRequestException e)
    {
        for (Exception? x = e; x != null; x = x.InnerException)
            if (x is AuthenticationException || x.Message.Contains("SSL", StringComparison.OrdinalIgnoreCase)) return !IsCertificateProblem(e);
        return false;
    }

    static bool IsCertificateProblem(HttpRequestException e)
    {
        for (Exception? x = e; x != null; x = x.InnerException)
            if (x is AuthenticationException && x.Message.Contains("certificate", StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    static string Describe(Exception e)
    {
        var inner = e;
        while (inner.InnerException != null) inner = inner.InnerException;
        return e is HttpRequestException { StatusCode: { } s } ? $"HTTP {(int)s}" : inner.Message;
    }

    DockOptException Unreachable(Exception e, int attempts, DateTime started) =>
        new(ErrorIds.RegistryUnreachable, DockOptErrorCategory.ConnectionError,
            $"Registry {Target.Host} is unreachable: {Describe(e)} ({attempts} attempt{(attempts == 1 ? "" : "s")} in {(DateTime.UtcNow - started).TotalSeconds:0.0} s).",
            Target.Host, "Check the registry address, that it runs, and the network/proxy; raise -RetryTimeout for a slow registry.", e);

    /// <summary>The manifest under a tag or digest, or null when the registry does not have it (404 / MANIFEST_UNKNOWN).</summary>
    public async Task<RemoteManifest?> GetManifestAsync(string reference, CancellationToken ct)
    {
        using var resp = await SendAsync(HttpMethod.Get, $"/v2/{Target.Repository}/manifests/{reference}", "pull", ct,
            accept: ManifestAccept, okIfNotFound: true).ConfigureAwait(false);
        if (resp.StatusCode == HttpStatusCode.NotFound) return null;
        var body = await resp.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        var digest = "sha256:" + Convert.ToHexString(SHA256.HashData(body)).ToLowerInvariant();
        if (resp.Headers.TryGetValues("Docker-Content-Digest", out var d) && d.FirstOrDefault() is { } header && header != digest && header.StartsWith("sha256:", StringComparison.Ordinal))
            throw new DockOptException(ErrorIds.RegistryDigestMismatch, DockOptErrorCategory.InvalidData,
                $"Registry {Target.Host} sent a manifest for {Target.Repository}:{reference} whose SHA-256 ({digest}) differs from its Docker-Content-Digest ({header}).",
                Target.Reference(reference), "The registry or a proxy alters manifests; check it.");
        var mediaType = resp.Content.Headers.ContentType?.MediaType ?? "";
        string? config = null;
        long configSize = 0;
        var layers = new List<long>();
        var layerDigests = new List<string>();
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.TryGetProperty("mediaType", out var mt) && mt.ValueKind == JsonValueKind.String && string.IsNullOrEmpty(mediaType))
                mediaType = mt.GetString() ?? "";
            if (root.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.Object)
            {
                config = c.TryGetProperty("digest", out var cd) ? cd.GetString() : null;
                configSize = c.TryGetProperty("size", out var cs) && cs.TryGetInt64(out var csv) ? csv : 0;
            }
            if (root.TryGetProperty("layers", out var ls) && ls.ValueKind == JsonValueKind.Array)
                foreach (var l in ls.EnumerateArray())
                {
                    layers.Add(l.TryGetProperty("size", out var s) && s.TryGetInt64(out var sv) ? sv : 0);
                    layerDigests.Add(l.TryGetProperty("digest", out var ld) && ld.ValueKind == JsonValueKind.String ? ld.GetString() ?? "" : "");
                }
        }
        catch (JsonException) { }
        return new RemoteManifest(digest, mediaType, body.LongLength, config, layers.ToArray(), configSize) { LayerDigests = layerDigests.ToArray() };
    }

    /// <summary>The digest a tag points to (HEAD; GET when the registry sends no Docker-Content-Digest), or null.</summary>
    public async Task<string?> HeadManifestAsync(string reference, CancellationToken ct)
    {
        using (var resp = await SendAsync(HttpMethod.Head, $"/v2/{Target.Repository}/manifests/{reference}", "pull", ct,
                   accept: ManifestAccept, okIfNotFound: true).ConfigureAwait(false))
        {
            if (resp.StatusCode == HttpStatusCode.NotFound) return null;
            if (resp.Headers.TryGetValues("Docker-Content-Digest", out var d) && d.FirstOrDefault() is { Length: > 0 } digest) return digest;
        }
        return (await GetManifestAsync(reference, ct).ConfigureAwait(false))?.Digest;
    }

    /// <summary>Checks that the credentials are accepted for push (token with push scope, or a 2xx /v2/ with basic).</summary>
    public async Task<HttpStatusCode> PingAsync(CancellationToken ct)
    {
        using var resp = await SendAsync(HttpMethod.Get, "/v2/", "pull,push", ct, okIfNotFound: true).ConfigureAwait(false);
        return resp.StatusCode;
    }

    /// <summary>A read (GET, HEAD) of <paramref name="path"/> on the registry; 404 is an answer when <paramref name="okIfNotFound"/>.</summary>
    async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string scope, CancellationToken ct,
        string? accept = null, bool okIfNotFound = false)
    {
        var scheme = await SchemeAsync(ct).ConfigureAwait(false);
        var r = new RegistryRequest(method, new Uri($"{scheme}://{Target.Host}{path}"), scope, path) { Accept = accept, OkIfNotFound = okIfNotFound };
        return await SendAsync(r, scheme, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// One registry request, built anew for every attempt: the <c>WWW-Authenticate</c> challenge answered once (only for the
    /// registry's own host: an upload location elsewhere gets no Authorization), transient failures retried within the retry
    /// policy (honouring Retry-After), refusals mapped to DockOpt errors.
    /// </summary>
    async Task<HttpResponseMessage> SendAsync(RegistryRequest r, string scheme, CancellationToken ct)
    {
        var started = DateTime.UtcNow;
        var authRetried = false;
        for (var attempt = 1; ; attempt++)
        {
            HttpResponseMessage? resp = null;
            Exception failure;
            try
            {
                using var req = r.Build(r.OwnHost ? AuthorizationFor(r.Scope) : null);
                Interlocked.Increment(ref _requests);
                resp = await _http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
                if (resp.StatusCode == HttpStatusCode.Unauthorized && !authRetried && r.OwnHost)
                {
                    authRetried = true;
                    var challenge = resp.Headers.WwwAuthenticate.FirstOrDefault();
                    resp.Dispose();
                    await AnswerChallengeAsync(challenge, r.Scope, scheme, ct).ConfigureAwait(false);
                    attempt--;
                    continue;
                }
                if (resp.IsSuccessStatusCode || (r.OkIfNotFound && resp.StatusCode == HttpStatusCode.NotFound)) return resp;
                failure = await RefusalAsync(resp, r, ct).ConfigureAwait(false);
            }
            catch (DockOptException) { resp?.Dispose(); throw; }
            catch (Exception e) when (RetryPolicy.IsTransient(e) && !ct.IsCancellationRequested)
            {
                resp?.Dispose();
                failure = e;
            }
            var delay = _retry.Delay(attempt, resp?.Headers.RetryAfter);
            resp?.Dispose();
            if (!_retry.CanRetry(attempt, started, delay)) throw GaveUp(r, failure, attempt, started);
            _sink.Verbose($"Registry {Target.Host}: {Describe(failure)} on {r.Method} {r.Path}; retry {attempt} in {delay.TotalSeconds:0.0} s.");
            await Task.Delay(delay, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Throws the DockOpt error of a refused request; returns the failure to retry for a transient status.</summary>
    async Task<Exception> RefusalAsync(HttpResponseMessage resp, RegistryRequest r, CancellationToken ct)
    {
        var status = (int)resp.StatusCode;
        if (resp.StatusCode == HttpStatusCode.Unauthorized) throw AuthFailed(null);
        if (resp.StatusCode == HttpStatusCode.Forbidden && !r.IsWrite)
        {
            var body = Credential.Scrub(await SafeBodyAsync(resp, ct).ConfigureAwait(false));
            if (body.Contains("expired", StringComparison.OrdinalIgnoreCase))
                throw new DockOptException(ErrorIds.RegistryTokenExpired, DockOptErrorCategory.AuthenticationError,
                    $"Registry {Target.Host} says the authorization token has expired.", Target.Host, "Credentials are fetched again automatically once; otherwise log in again.");
            throw new DockOptException(ErrorIds.RegistryAccessDenied, DockOptErrorCategory.PermissionDenied,
                $"Registry {Target.Host} denied access to {Target.Repository} for {Credential}: {Trim(body)}", Target.ToString(),
                "Check that the account may pull and push this repository.");
        }
        if (RetryPolicy.IsTransient(resp.StatusCode)) return new HttpRequestException($"HTTP {status}", null, resp.StatusCode);
        var text = Credential.Scrub(await SafeBodyAsync(resp, ct).ConfigureAwait(false));
        if (status == 403)
            throw new DockOptException(ErrorIds.RegistryAccessDenied, DockOptErrorCategory.PermissionDenied,
                $"Registry {Target.Host} denied {r.Method} {r.Path} for {Credential}: {Trim(text)}", Target.ToString(),
                "Check that the account may push to this repository.");
        throw new DockOptException(ErrorIds.RegistryError, DockOptErrorCategory.InvalidResult,
            $"Registry {Target.Host} answered HTTP {status} to {r.Method} {r.Path}: {Trim(text)}", Target.ToString(), null);
    }

    /// <summary>The error once retries are spent: a read that kept getting a busy status is RegistryUnavailable, the rest unreachable.</summary>
    DockOptException GaveUp(RegistryRequest r, Exception failure, int attempt, DateTime started) =>
        !r.IsWrite && failure is HttpRequestException { StatusCode: { } sc }
            ? new DockOptException(ErrorIds.RegistryUnavailable, DockOptErrorCategory.ResourceUnavailable,
                $"Registry {Target.Host} kept answering HTTP {(int)sc} to {r.Method} {r.Path} ({attempt} attempts in {(DateTime.UtcNow - started).TotalSeconds:0.0} s).",
                Target.Host, "Try again later; raise -RetryTimeout / -MaxAttempts for a busy registry.")
            : Unreachable(failure, attempt, started);

    /// <summary>What one registry request is: built again for each attempt (a body factory, so the body can be sent again).</summary>
    sealed record RegistryRequest(HttpMethod Method, Uri Url, string Scope, string Path)
    {
        public string? Accept { get; init; }
        public bool OkIfNotFound { get; init; }
        /// <summary>Writes (POST, PATCH, PUT) carry a body; null for reads.</summary>
        public Func<HttpContent>? Body { get; init; }
        /// <summary>Authorization goes only to the registry's own host.</summary>
        public bool OwnHost { get; init; } = true;
        public bool IsWrite => Body != null;

        public HttpRequestMessage Build(string? authorization)
        {
            var req = new HttpRequestMessage(Method, Url);
            if (Body != null) req.Content = Body();
            if (Accept != null) req.Headers.TryAddWithoutValidation("Accept", Accept);
            if (authorization != null) req.Headers.TryAddWithoutValidation("Authorization", authorization);
            return req;
        }
    }

    static async Task<string> SafeBodyAsync(HttpResponseMessage r, CancellationToken ct)
    {
        try { return await r.Content.ReadAsStringAsync(ct).ConfigureAwait(false); }
        catch (Exception) { return ""; }
    }

    static string Trim(string s) => Dockerfiles.MessageText.Summarise(s.Trim(), 300, 10);

    string? AuthorizationFor(string scope)
    {
        if (_tokens.TryGetValue(scope, out var t)) return "Bearer " + t;
        return _basic;
    }

    DockOptException AuthFailed(string? detail) => Credential.IsAnonymous
        ? new DockOptException(ErrorIds.RegistryAuthenticationRequired, DockOptErrorCategory.AuthenticationError,
            $"Registry {Target.Host} requires credentials for {Target.Repository}, and none were found (-Credential, config.json, ECR).",
            Target.Host, $"Pass -Credential, or run 'docker login {Target.Host}', or add a credHelpers entry for it.")
        : new DockOptException(ErrorIds.RegistryAuthenticationFailed, DockOptErrorCategory.AuthenticationError,
            $"Registry {Target.Host} rejected the credentials of user '{Credential.Username}' (from {Credential.Source}){(detail != null ? ": " + Credential.Scrub(detail) : "")}.",
            Target.Host, "Check the user name and password or token (for ECR: the AWS identity and region).");

    async Task AnswerChallengeAsync(AuthenticationHeaderValue? challenge, string scope, string scheme, CancellationToken ct)
    {
        if (challenge == null || challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            if (Credential.IsAnonymous || Credential.Secret == null) throw AuthFailed(null);
            _basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Credential.Username}:{Credential.Secret}"));
            return;
        }
        if (!challenge.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            throw new DockOptException(ErrorIds.RegistryAuthUnsupported, DockOptErrorCategory.NotImplemented,
                $"Registry {Target.Host} asks for '{challenge.Scheme}' authentication, which DockOpt does not speak.", Target.Host, "Use Basic or Bearer-token registries.");
        var p = ParseChallenge(challenge.Parameter ?? "");
        if (!p.TryGetValue("realm", out var realm))
            throw new DockOptException(ErrorIds.RegistryAuthUnsupported, DockOptErrorCategory.InvalidData,
                $"Registry {Target.Host} sent a Bearer challenge without realm.", Target.Host, null);
        var scopes = FullScopes(scope);
        var query = new List<string>();
        if (p.TryGetValue("service", out var service)) query.Add("service=" + Uri.EscapeDataString(service));
        query.AddRange(scopes.Select(s => "scope=" + Uri.EscapeDataString(s)));
        HttpResponseMessage resp;
        if (Credential.IdentityToken != null)
        {
            var form = new Dictionary<string, string>
            {
                ["grant_type"] = "refresh_token", ["refresh_token"] = Credential.IdentityToken, ["client_id"] = "dockopt", ["scope"] = string.Join(' ', scopes),
            };
            if (service != null) form["service"] = service;
            using var req = new HttpRequestMessage(HttpMethod.Post, realm) { Content = new FormUrlEncodedContent(form) };
            Interlocked.Increment(ref _requests);
            resp = await _http.SendAsync(req, ct).ConfigureAwait(false);
        }
        else
        {
            using var req = new HttpRequestMessage(HttpMethod.Get, realm + (realm.Contains('?') ? "&" : "?") + string.Join("&", query));
            if (Credential.Secret != null)
                req.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                    Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Credential.Username}:{Credential.Secret}")));
            Interlocked.Increment(ref _requests);
            resp = await _http.SendAsync(req, ct).ConfigureAwait(false);
        }
        using (resp)
        {
            if (resp.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) throw AuthFailed($"token service {new Uri(realm).Host} answered HTTP {(int)resp.StatusCode}");
            if (!resp.IsSuccessStatusCode)
                throw new DockOptException(ErrorIds.RegistryAuthenticationFailed, DockOptErrorCategory.AuthenticationError,
                    $"The token service of registry {Target.Host} ({new Uri(realm).Host}) answered HTTP {(int)resp.StatusCode}.", Target.Host, "Try again later.");
            using var doc = JsonDocument.Parse(await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
            var root = doc.RootElement;
            var token = root.TryGetProperty("token", out var tk) && tk.ValueKind == JsonValueKind.String ? tk.GetString()
                : root.TryGetProperty("access_token", out var at) && at.ValueKind == JsonValueKind.String ? at.GetString() : null;
            if (string.IsNullOrEmpty(token))
                throw new DockOptException(ErrorIds.RegistryAuthenticationFailed, DockOptErrorCategory.AuthenticationError,
                    $"The token service of registry {Target.Host} answered without a token.", Target.Host, null);
            _tokens[scope] = token!;
        }
    }

    /// <summary>
    /// The token scopes of a scope key: its first word is the actions on this client's repository (<c>pull</c>,
    /// <c>pull,push</c>); further words are whole scopes, e.g. <c>repository:&lt;source&gt;:pull</c> for a cross-repository
    /// mount, which the Docker token spec wants in the same token as <c>repository:&lt;target&gt;:pull,push</c>.
    /// </summary>
    List<string> FullScopes(string scope)
    {
        var words = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var list = new List<string> { $"repository:{Target.Repository}:{words[0]}" };
        list.AddRange(words.Skip(1));
        return list;
    }

    /// <summary>The scope key of a mount into this repository from <paramref name="source"/> (see <see cref="FullScopes"/>).</summary>
    static string MountScope(string source) => $"pull,push repository:{source}:pull";

    static readonly Regex ChallengeParam = new("(?<k>[A-Za-z_]+)=(?:\"(?<v>[^\"]*)\"|(?<v>[^,\\s]+))", RegexOptions.CultureInvariant);

    /// <summary>Parses <c>realm="…",service="…",scope="…"</c>.</summary>
    public static Dictionary<string, string> ParseChallenge(string parameter)
    {
        var d = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match m in ChallengeParam.Matches(parameter)) d[m.Groups["k"].Value] = m.Groups["v"].Value;
        return d;
    }

    public void Dispose() => _http.Dispose();
}
