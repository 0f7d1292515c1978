using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.DockerApi;

/// <summary>
/// Where Podman's Docker-compatible service (<c>podman system service</c>, 4.x) answers differently from dockerd, and
/// the request or answer is mended here so that every caller above sees dockerd's behaviour:
/// <list type="bullet">
/// <item><c>GET /images/{name}/json</c> leaves out <c>Config.Healthcheck</c> (Podman 4.3 does not wire it): taken from
/// libpod's own inspect (<c>/v4.0.0/libpod/images/{name}/json</c>, field <c>Healthcheck</c>).</item>
/// <item><c>POST /images/{name}/push</c> verifies TLS even for a loopback registry, which dockerd treats as insecure
/// (plain HTTP allowed): <c>tlsVerify=false</c> is added for 127.0.0.0/8, ::1 and localhost registries, as dockerd does.</item>
/// <item>HEALTHCHECKs run from systemd timers (<c>podman healthcheck run</c>); without systemd (in a container, on many CI
/// runners) none ever runs and <c>State.Health.Status</c> stays <c>starting</c>. When <c>GET /containers/{id}/json</c> shows
/// a running container whose check is due (one interval after the start or the last check, as dockerd schedules them),
/// the check is run through libpod's <c>/libpod/containers/{id}/healthcheck</c> and the state read again.</item>
/// </list>
/// What cannot be mended (no BuildKit: <c>/session</c> is 404; Buildah's build stream) is handled by the callers through
/// <see cref="DockerEngine.IsPodman"/>.
/// </summary>
public sealed class PodmanCompatHandler : DelegatingHandler
{
    static readonly Regex InspectPath = new(@"^/v[0-9.]+/images/(?<name>.+)/json$", RegexOptions.Compiled | RegexOptions.CultureInvariant);
    static readonly Regex ContainerInspectPath = new(@"^/v[0-9.]+/containers/(?<id>[^/]+)/json$", RegexOptions.Compiled | RegexOptions.CultureInvariant);
    static readonly Regex PushPath = new(@"^/v[0-9.]+/images/(?<name>.+)/push$", RegexOptions.Compiled | RegexOptions.CultureInvariant);

    readonly EngineFlavor _flavor;

    public PodmanCompatHandler(HttpMessageHandler inner, EngineFlavor flavor) : base(inner) => _flavor = flavor;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        if (!_flavor.IsPodman || request.RequestUri == null) return await base.SendAsync(request, ct).ConfigureAwait(false);
        var uri = request.RequestUri;
        var path = uri.IsAbsoluteUri ? uri.AbsolutePath : uri.OriginalString.Split('?')[0];

        if (request.Method == HttpMethod.Post && PushPath.Match(path) is { Success: true } push)
        {
            var name = Uri.UnescapeDataString(push.Groups["name"].Value);
            var query = uri.IsAbsoluteUri ? uri.Query : (uri.OriginalString.Contains('?') ? uri.OriginalString.Substring(uri.OriginalString.IndexOf('?')) : "");
            if (IsLoopbackRegistry(RegistryHost(name)) && !query.Contains("tlsVerify=", StringComparison.Ordinal))
            {
                var sep = query.Length > 0 ? "&" : "?";
                request.RequestUri = new Uri(uri.OriginalString + sep + "tlsVerify=false", uri.IsAbsoluteUri ? UriKind.Absolute : UriKind.Relative);
            }
            return await base.SendAsync(request, ct).ConfigureAwait(false);
        }

        var resp = await base.SendAsync(request, ct).ConfigureAwait(false);
        if (request.Method == HttpMethod.Get && resp.StatusCode == HttpStatusCode.OK && ContainerInspectPath.Match(path) is { Success: true } container)
            return await RunDueHealthcheckAsync(request, resp, container.Groups["id"].Value, ct).ConfigureAwait(false);
        if (request.Method == HttpMethod.Get && resp.StatusCode == HttpStatusCode.OK && InspectPath.Match(path) is { Success: true } inspect)
            return await AddHealthcheckAsync(request, resp, inspect.Groups["name"].Value, ct).ConfigureAwait(false);
        return resp;
    }

    async Task<HttpResponseMessage> RunDueHealthcheckAsync(HttpRequestMessage request, HttpResponseMessage resp, string escapedId, CancellationToken ct)
    {
        var body = await resp.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        JsonObject? doc;
        try { doc = JsonNode.Parse(body) as JsonObject; }
        catch (JsonException) { doc = null; }
        if (doc == null || !HealthcheckDue(doc, DateTimeOffset.UtcNow)) return Replace(resp, body);

        using (var run = new HttpRequestMessage(HttpMethod.Get, Sibling(request, $"/v4.0.0/libpod/containers/{escapedId}/healthcheck")))
        using (var ran = await base.SendAsync(run, ct).ConfigureAwait(false))
            if (!ran.IsSuccessStatusCode) return Replace(resp, body);
        using var again = new HttpRequestMessage(HttpMethod.Get, request.RequestUri);
        var fresh = await base.SendAsync(again, ct).ConfigureAwait(false);
        if (fresh.StatusCode != HttpStatusCode.OK)
        {
            fresh.Dispose();
            return Replace(resp, body);
        }
        resp.Dispose();
        return fresh;
    }

    /// <summary>A running container with a HEALTHCHECK whose next check is due: one interval (default 30 s) after the start or the last check.</summary>
    public static bool HealthcheckDue(JsonObject inspect, DateTimeOffset now)
    {
        if (inspect["State"] is not JsonObject state || state["Running"]?.GetValueKind() != JsonValueKind.True) return false;
        if (state["Health"] is not JsonObject health) return false;
        if (inspect["Config"]?["Healthcheck"] is not JsonObject hc || hc["Test"] is not JsonArray test || test.Count == 0 ||
            test[0]?.GetValueKind() != JsonValueKind.String || test[0]!.GetValue<string>() == "NONE") return false;
        var intervalNs = hc["Interval"]?.GetValueKind() == JsonValueKind.Number ? hc["Interval"]!.GetValue<long>() : 0;
        var interval = intervalNs > 0 ? TimeSpan.FromTicks(intervalNs / 100) : TimeSpan.FromSeconds(30);
        string? last = null;
        if (health["Log"] is JsonArray log && log.Count > 0 && log[^1] is JsonObject entry && entry["End"]?.GetValueKind() == JsonValueKind.String)
            last = entry["End"]!.GetValue<string>();
        last ??= state["StartedAt"]?.GetValueKind() == JsonValueKind.String ? state["StartedAt"]!.GetValue<string>() : null;
        if (last == null || !DateTimeOffset.TryParse(last, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var since)) return false;
        return now - since >= interval;
    }

    static Uri Sibling(HttpRequestMessage request, string pathAndQuery) => request.RequestUri!.IsAbsoluteUri
        ? new Uri(request.RequestUri, pathAndQuery)
        : new Uri(pathAndQuery, UriKind.Relative);

    async Task<HttpResponseMessage> AddHealthcheckAsync(HttpRequestMessage request, HttpResponseMessage resp, string escapedName, CancellationToken ct)
    {
        var body = await resp.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        JsonObject? doc;
        try { doc = JsonNode.Parse(body) as JsonObject; }
        catch (JsonException) { doc = null; }
        if (doc == null || doc["Config"] is not JsonObject config || config["Healthcheck"] != null)
            return Replace(resp, body);

        var libpodUri = Sibling(request, $"/v4.0.0/libpod/images/{escapedName}/json");
        using var libpodRequest = new HttpRequestMessage(HttpMethod.Get, libpodUri);
        using var libpod = await base.SendAsync(libpodRequest, ct).ConfigureAwait(false);
        if (libpod.StatusCode == HttpStatusCode.OK)
        {
            try
            {
                if (JsonNode.Parse(await libpod.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false)) is JsonObject lp &&
                    lp["Healthcheck"] is JsonObject hc)
                {
                    config["Healthcheck"] = hc.DeepClone();
                    body = JsonSerializer.SerializeToUtf8Bytes(doc);
                }
            }
            catch (JsonException) { }
        }
        return Replace(resp, body);
    }

    static HttpResponseMessage Replace(HttpResponseMessage resp, byte[] body)
    {
        var content = new ByteArrayContent(body);
        foreach (var h in resp.Content.Headers)
            if (!h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) content.Headers.TryAddWithoutValidation(h.Key, h.Value);
        resp.Content.Dispose();
        resp.Content = content;
        return resp;
    }

    /// <summary>The registry host of an image name (<c>127.0.0.1:5000/app</c> → <c>127.0.0.1:5000</c>), or null for Docker Hub.</summary>
    public static string? RegistryHost(string name)
    {
        var slash = name.IndexOf('/');
        if (slash <= 0) return null;
        var first = name.Substring(0, slash);
        return first.Contains('.') || first.Contains(':') || first == "localhost" || first.StartsWith('[') ? first : null;
    }

    /// <summary>dockerd's rule: registries on 127.0.0.0/8 (and ::1, localhost) may speak plain HTTP.</summary>
    public static bool IsLoopbackRegistry(string? host)
    {
        if (string.IsNullOrEmpty(host)) return false;
        var h = host;
        if (h.StartsWith('['))
        {
            var end = h.IndexOf(']');
            h = end > 0 ? h.Substring(1, end - 1) : h;
        }
        else if (h.Count(c => c == ':') == 1) h = h.Substring(0, h.IndexOf(':'));
        if (h.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(h, out var ip) && IPAddress.IsLoopback(ip);
    }
}

/// <summary>Which engine answers, learnt from the first ping (shared by the handlers built before it).</summary>
public sealed class EngineFlavor
{
    /// <summary>"Docker", "Podman", or null when the engine did not say.</summary>
    public string? Product { get; internal set; }

    public bool IsPodman => Product == "Podman";

    /// <summary>From the headers of <c>/_ping</c>: dockerd sends <c>Server: Docker/20.10…</c>, Podman <c>Libpod-Api-Version</c> and <c>Server: Libpod/4.3.1</c>.</summary>
    public static (string? Product, string? Version) FromPing(HttpResponseHeaders headers)
    {
        string? H(string n) => headers.TryGetValues(n, out var v) ? v.FirstOrDefault() : null;
        var server = H("Server");
        var libpod = H("Libpod-Api-Version");
        if (server != null && server.StartsWith("Docker/", StringComparison.Ordinal))
            return ("Docker", server.Substring(7).Split(' ')[0]);
        if (libpod != null || (server != null && server.StartsWith("Libpod/", StringComparison.Ordinal)))
            return ("Podman", server != null && server.StartsWith("Libpod/", StringComparison.Ordinal) ? server.Substring(7).Split(' ')[0] : libpod);
        return (null, null);
    }
}
