using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;

namespace DockOpt.Engine.Registry;

/// <summary>A manifest or index exactly as the registry stores it: the bytes, their media type and SHA-256 digest.</summary>
public sealed record RawManifest(byte[] Bytes, string MediaType, string Digest)
{
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string DockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

    public bool IsIndex => MediaType is OciIndex or DockerList;
    public long Size => Bytes.LongLength;
}

/// <summary>A content descriptor of a manifest (config, layer or child manifest).</summary>
public sealed record BlobDescriptor(string MediaType, string Digest, long Size, string? Platform = null, bool Foreign = false);

/// <summary>Copy side of the registry client: raw manifests, blob HEAD/GET, cross-repository mounts, uploads, manifest PUT.</summary>
public sealed partial class RegistryClient
{
    string? _uploadCerts;
    HttpClient? _uploadHttp;
    readonly object _uploadLock = new();
    /// <summary>Source repositories whose blobs this account may not mount (no pull there): not asked again.</summary>
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _mountRefused = new(StringComparer.Ordinal);

    /// <summary>A client that can also stream whole blobs (its uploads have no overall time limit; cancellation ends them).</summary>
    public static RegistryClient ForCopy(RegistryTarget target, RegistryCredential credential, RetryPolicy retry, IDockOptSink sink, string? certsDirectory = null) =>
        new(target, credential, retry, sink, certsDirectory) { _uploadCerts = certsDirectory ?? "/etc/docker/certs.d" };

    /// <summary>
    /// The client for streamed blob uploads: same TLS trust as the main one (certs.d CAs), no overall timeout (the main client's
    /// 60 s would cut a large layer), a 10 s connect timeout.
    /// </summary>
    HttpClient UploadHttp
    {
        get
        {
            lock (_uploadLock)
            {
                if (_uploadHttp != null) return _uploadHttp;
                var cas = LoadCertsD(_uploadCerts ?? "/etc/docker/certs.d", Target.Host);
                var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10), AllowAutoRedirect = false, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(20) };
                if (cas.Count > 0)
                    handler.SslOptions = new System.Net.Security.SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, cert, _, errors) => Validate(cert, errors, cas) };
                _uploadHttp = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
                _uploadHttp.DefaultRequestHeaders.UserAgent.ParseAdd("DockOpt/1.0");
                return _uploadHttp;
            }
        }
    }

    /// <summary>Disposes the upload client (<see cref="ForCopy"/> clients call it when done).</summary>
    public void ReleaseUploads()
    {
        lock (_uploadLock)
        {
            _uploadHttp?.Dispose();
            _uploadHttp = null;
        }
    }

    /// <summary>
    /// Sends a whole blob in one streamed PATCH (no Content-Range), as docker push, crane and skopeo do; returns the next
    /// location. Not retried here (a stream cannot be replayed): the caller starts the blob again.
    /// </summary>
    public async Task<Uri> UploadStreamAsync(Uri location, Stream content, long length, CancellationToken ct)
    {
        using var req = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new StreamContent(content, 1 << 20) };
        req.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (length >= 0) req.Content.Headers.ContentLength = length;
        var ownHost = string.Equals(location.IsDefaultPort ? location.Host : $"{location.Host}:{location.Port}", Target.Host, StringComparison.OrdinalIgnoreCase);
        if (ownHost && AuthorizationFor("pull,push") is { } auth) req.Headers.TryAddWithoutValidation("Authorization", auth);
        Interlocked.Increment(ref _requests);
        using var resp = await UploadHttp.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (resp.IsSuccessStatusCode) return await LocationAsync(resp, ct).ConfigureAwait(false);
        var status = (int)resp.StatusCode;
        if (resp.StatusCode == HttpStatusCode.Unauthorized) throw AuthFailed(null);
        if (RetryPolicy.IsTransient(resp.StatusCode)) throw new HttpRequestException($"HTTP {status}", null, resp.StatusCode);
        var body = Credential.Scrub(await SafeBodyAsync(resp, ct).ConfigureAwait(false));
        throw new DockOptException(ErrorIds.RegistryError, DockOptErrorCategory.InvalidResult,
            $"Registry {Target.Host} answered HTTP {status} to PATCH {location.AbsolutePath}: {Trim(body)}", Target.ToString(), null);
    }

    /// <summary>The manifest under a tag or digest byte for byte (null when the registry does not have it).</summary>
    public async Task<RawManifest?> GetRawManifestAsync(string reference, CancellationToken ct)
    {
        var m = await ReadManifestAsync(reference, ct).ConfigureAwait(false);
        if (m != null && (m.MediaType.Contains("v1+prettyjws", StringComparison.Ordinal) || m.MediaType == "application/vnd.docker.distribution.manifest.v1+json"))
            throw new DockOptException(ErrorIds.RegistryError, DockOptErrorCategory.NotImplemented,
                $"{Target.Reference(reference)} is a Docker schema 1 manifest, which cannot be copied with its digest kept.", Target.Reference(reference),
                "Push the image again with a current Docker or buildx (schema 2 / OCI).");
        return m;
    }

    public static string DigestOf(byte[] body) => "sha256:" + Convert.ToHexString(SHA256.HashData(body)).ToLowerInvariant();

    static string? MediaTypeInBody(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("mediaType", out var mt) && mt.ValueKind == JsonValueKind.String) return mt.GetString();
            if (doc.RootElement.TryGetProperty("manifests", out _)) return RawManifest.OciIndex;
            if (doc.RootElement.TryGetProperty("config", out _)) return RawManifest.OciManifest;
        }
        catch (JsonException) { }
        return null;
    }

    /// <summary>The config and layer descriptors of an image manifest, or the child manifests of an index.</summary>
    public static IReadOnlyList<BlobDescriptor> Descriptors(RawManifest m)
    {
        var list = new List<BlobDescriptor>();
        using var doc = JsonDocument.Parse(m.Bytes);
        var root = doc.RootElement;
        static BlobDescriptor Read(JsonElement e)
        {
            var mt = e.TryGetProperty("mediaType", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() ?? "" : "";
            var d = e.GetProperty("digest").GetString() ?? "";
            var size = e.TryGetProperty("size", out var s) && s.TryGetInt64(out var sv) ? sv : -1;
            string? platform = null;
            if (e.TryGetProperty("platform", out var p) && p.ValueKind == JsonValueKind.Object)
                platform = PlatformString(p);
            // Foreign (non-distributable) layers live at their urls, not in the registry: never copied.
            var foreign = mt.Contains("foreign", StringComparison.Ordinal) || mt.Contains("nondistributable", StringComparison.Ordinal);
            return new BlobDescriptor(mt, d, size, platform, foreign);
        }
        if (m.IsIndex)
        {
            if (root.TryGetProperty("manifests", out var ms) && ms.ValueKind == JsonValueKind.Array)
                foreach (var e in ms.EnumerateArray()) list.Add(Read(e));
            return list;
        }
        if (root.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.Object) list.Add(Read(c));
        if (root.TryGetProperty("layers", out var ls) && ls.ValueKind == JsonValueKind.Array)
            foreach (var e in ls.EnumerateArray()) list.Add(Read(e));
        return list;
    }

    /// <summary><c>os/architecture[/variant]</c> of an OCI platform object (or an image config, which has the same fields).</summary>
    public static string? PlatformString(JsonElement p)
    {
        string? S(string n) => p.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var os = S("os");
        var arch = S("architecture");
        if (os == null || arch == null) return null;
        var variant = S("variant");
        return string.IsNullOrEmpty(variant) ? $"{os}/{arch}" : $"{os}/{arch}/{variant}";
    }

    /// <summary>True when the repository already holds the blob (HEAD /v2/&lt;name&gt;/blobs/&lt;digest&gt;).</summary>
    public async Task<bool> BlobExistsAsync(string digest, CancellationToken ct)
    {
        using var resp = await SendAsync(HttpMethod.Head, $"/v2/{Target.Repository}/blobs/{digest}", "pull,push", ct, okIfNotFound: true).ConfigureAwait(false);
        return resp.StatusCode != HttpStatusCode.NotFound;
    }

    /// <summary>Opens a blob for reading (GET, streamed); the caller disposes the response.</summary>
    public async Task<HttpResponseMessage> OpenBlobForCopyAsync(string digest, CancellationToken ct)
    {
        var resp = await SendAsync(HttpMethod.Get, $"/v2/{Target.Repository}/blobs/{digest}", "pull", ct, okIfNotFound: true).ConfigureAwait(false);
        if (resp.StatusCode == HttpStatusCode.NotFound)
        {
            resp.Dispose();
            throw new DockOptException(ErrorIds.CopySourceNotFound, DockOptErrorCategory.ObjectNotFound,
                $"Registry {Target.Host} has no blob {digest} in {Target.Repository}, though a manifest lists it.", Target.Pinned(digest),
                "The source image is incomplete in its registry; push it again there.");
        }
        return resp;
    }

    /// <summary>
    /// Starts a blob upload. With <paramref name="mountFrom"/> (a repository of the same registry) it asks for a cross-repository
    /// mount first: <c>POST /v2/&lt;name&gt;/blobs/uploads/?mount=&lt;digest&gt;&amp;from=&lt;repo&gt;</c>. Returns null when the
    /// blob was mounted (201), otherwise the upload location (a registry that does not mount answers 202 with a session).
    /// Also returns the registry's <c>OCI-Chunk-Min-Length</c>, when it sends one.
    /// </summary>
    public async Task<(Uri? Location, long ChunkMin)> StartUploadAsync(string? digest, string? mountFrom, CancellationToken ct)
    {
        var path = $"/v2/{Target.Repository}/blobs/uploads/";
        var mount = digest != null && mountFrom != null && !_mountRefused.ContainsKey(mountFrom);
        HttpResponseMessage resp;
        if (!mount) resp = await SendBodyAsync(HttpMethod.Post, await UrlAsync(path, ct).ConfigureAwait(false), EmptyBody, ct).ConfigureAwait(false);
        else
        {
            var mountUrl = await UrlAsync(path + $"?mount={Uri.EscapeDataString(digest!)}&from={Uri.EscapeDataString(mountFrom!)}", ct).ConfigureAwait(false);
            try { resp = await SendBodyAsync(HttpMethod.Post, mountUrl, EmptyBody, ct, MountScope(mountFrom!)).ConfigureAwait(false); }
            catch (DockOptException e) when (e.ErrorId is ErrorIds.RegistryAuthenticationFailed or ErrorIds.RegistryAccessDenied && !Credential.IsAnonymous)
            {
                // The token service granted no pull on the source (a subset of the scopes asked for is no error to it): upload instead.
                _mountRefused[mountFrom!] = true;
                _sink.Verbose($"Registry {Target.Host} refused to mount {digest} from {mountFrom} ({e.Message}); uploading it and the other blobs from there.");
                resp = await SendBodyAsync(HttpMethod.Post, await UrlAsync(path, ct).ConfigureAwait(false), EmptyBody, ct).ConfigureAwait(false);
            }
        }
        using (resp)
        {
            if (resp.StatusCode == HttpStatusCode.Created && mount) return (null, 0);
            var chunkMin = resp.Headers.TryGetValues("OCI-Chunk-Min-Length", out var cm) && long.TryParse(cm.FirstOrDefault(), out var v) ? v : 0;
            return (await LocationAsync(resp, ct).ConfigureAwait(false), chunkMin);
        }
    }

    static HttpContent EmptyBody() => new ByteArrayContent(Array.Empty<byte>());

    /// <summary>Sends one chunk of an upload (PATCH with Content-Range); returns the next location.</summary>
    public async Task<Uri> UploadChunkAsync(Uri location, byte[] buffer, int count, long offset, CancellationToken ct)
    {
        using var resp = await SendBodyAsync(HttpMethod.Patch, location, () =>
        {
            var c = new ByteArrayContent(buffer, 0, count);
            c.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            c.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + count - 1}");
            return c;
        }, ct).ConfigureAwait(false);
        return await LocationAsync(resp, ct).ConfigureAwait(false);
    }

    /// <summary>Ends an upload: <c>PUT &lt;location&gt;?digest=</c> with the last bytes (or none); checks the digest the registry reports.</summary>
    public async Task CompleteUploadAsync(Uri location, string digest, byte[] buffer, int count, CancellationToken ct)
    {
        var ub = new UriBuilder(location);
        ub.Query = (string.IsNullOrEmpty(ub.Query) ? "" : ub.Query.TrimStart('?') + "&") + "digest=" + Uri.EscapeDataString(digest);
        using var resp = await SendBodyAsync(HttpMethod.Put, ub.Uri, () =>
        {
            var c = new ByteArrayContent(buffer, 0, count);
            c.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            return c;
        }, ct).ConfigureAwait(false);
        if (resp.Headers.TryGetValues("Docker-Content-Digest", out var d) && d.FirstOrDefault() is { Length: > 0 } got && got != digest)
            throw new DockOptException(ErrorIds.RegistryDigestMismatch, DockOptErrorCategory.InvalidData,
                $"Registry {Target.Host} stored the blob sent as {digest} under {got}.", Target.Pinned(digest), "The registry or a proxy alters uploads; check it.");
    }

    /// <summary>PUT a manifest byte for byte under a tag or its digest; checks the digest the registry reports.</summary>
    public async Task PutManifestAsync(string reference, RawManifest m, CancellationToken ct)
    {
        var url = await UrlAsync($"/v2/{Target.Repository}/manifests/{reference}", ct).ConfigureAwait(false);
        using var resp = await SendBodyAsync(HttpMethod.Put, url, () =>
        {
            var c = new ByteArrayContent(m.Bytes);
            c.Headers.ContentType = new MediaTypeHeaderValue(m.MediaType);
            return c;
        }, ct).ConfigureAwait(false);
        if (resp.Headers.TryGetValues("Docker-Content-Digest", out var d) && d.FirstOrDefault() is { Length: > 0 } got && got != m.Digest)
            throw new DockOptException(ErrorIds.RegistryDigestMismatch, DockOptErrorCategory.InvalidData,
                $"Registry {Target.Host} stored the manifest sent as {m.Digest} under {got}.", Target.Reference(reference),
                "The registry rewrote the manifest; digests cannot be preserved there.");
    }

    /// <summary>The tags of the repository (GET /v2/&lt;name&gt;/tags/list, following Link pagination).</summary>
    public async Task<IReadOnlyList<string>> ListTagsAsync(CancellationToken ct)
    {
        var tags = new List<string>();
        string? path = $"/v2/{Target.Repository}/tags/list?n=1000";
        for (var page = 0; path != null && page < 100; page++)
        {
            using var resp = await SendAsync(HttpMethod.Get, path, "pull", ct, okIfNotFound: true).ConfigureAwait(false);
            if (resp.StatusCode == HttpStatusCode.NotFound) break;
            using (var doc = JsonDocument.Parse(await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false)))
                if (doc.RootElement.TryGetProperty("tags", out var t) && t.ValueKind == JsonValueKind.Array)
                    tags.AddRange(t.EnumerateArray().Select(x => x.GetString()).Where(x => x != null)!);
            path = null;
            if (resp.Headers.TryGetValues("Link", out var links) && links.FirstOrDefault() is { } link)
            {
                var lt = link.IndexOf('<');
                var gt = link.IndexOf('>');
                if (lt >= 0 && gt > lt) path = link.Substring(lt + 1, gt - lt - 1);
            }
        }
        return tags;
    }

    async Task<Uri> UrlAsync(string path, CancellationToken ct) => new($"{await SchemeAsync(ct).ConfigureAwait(false)}://{Target.Host}{path}");

    async Task<Uri> LocationAsync(HttpResponseMessage resp, CancellationToken ct)
    {
        var loc = resp.Headers.Location?.OriginalString;
        if (string.IsNullOrEmpty(loc))
            throw new DockOptException(ErrorIds.RegistryError, DockOptErrorCategory.InvalidResult,
                $"Registry {Target.Host} answered an upload request without a Location.", Target.ToString(), null);
        // On Unix "/v2/…" parses as an absolute file: URI; only http(s) counts as absolute here.
        if (Uri.TryCreate(loc, UriKind.Absolute, out var abs) && (abs.Scheme == Uri.UriSchemeHttp || abs.Scheme == Uri.UriSchemeHttps)) return abs;
        return new Uri(await UrlAsync("/", ct).ConfigureAwait(false), loc);
    }

    /// <summary>
    /// A request with a body (POST, PATCH, PUT) to the registry, sent as reads are (<see cref="SendAsync(RegistryRequest, string, CancellationToken)"/>):
    /// the body is rebuilt for each attempt, so it must be replayable. Authorization is only sent to the registry's own host
    /// (an upload location elsewhere gets none).
    /// </summary>
    async Task<HttpResponseMessage> SendBodyAsync(HttpMethod method, Uri url, Func<HttpContent> content, CancellationToken ct, string scope = "pull,push")
    {
        var scheme = await SchemeAsync(ct).ConfigureAwait(false);
        var ownHost = string.Equals(url.IsDefaultPort ? url.Host : $"{url.Host}:{url.Port}", Target.Host, StringComparison.OrdinalIgnoreCase)
                      || string.Equals(url.Host, Target.Host, StringComparison.OrdinalIgnoreCase);
        var r = new RegistryRequest(method, url, scope, url.AbsolutePath) { Body = content, OwnHost = ownHost };
        return await SendAsync(r, scheme, ct).ConfigureAwait(false);
    }
}
