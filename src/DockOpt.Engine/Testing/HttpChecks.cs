using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.Testing;

/// <summary>Adds one result (category, name, expected, actual, outcome, message, duration, detail, value).</summary>
public delegate ImageTestResult AddResult(string category, string name, string expected, string actual, ImageTestOutcome outcome, string message,
    TimeSpan duration = default, string? detail = null, double? value = null);

/// <summary>HTTP and TCP probes against a container's published ports, reached through <see cref="PublishedPorts"/>.</summary>
public static class HttpChecks
{
    public static HttpClient CreateClient(bool skipCertificateCheck, PublishedPorts? ports = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(3),
            PooledConnectionLifetime = TimeSpan.FromSeconds(30),
            AllowAutoRedirect = true,
            UseProxy = false,
        };
        (ports ?? PublishedPorts.Local).Configure(handler);
        if (skipCertificateCheck)
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The host port for a container port (or the default: the first given -Port, else the lowest published TCP port).</summary>
    public static int? PickPort(string? port, IReadOnlyDictionary<string, int> mapped, IReadOnlyList<string> preferred)
    {
        if (port != null) return mapped.TryGetValue(MetadataChecks.NormalizePort(port), out var p) ? p : null;
        foreach (var pref in preferred)
            if (mapped.TryGetValue(MetadataChecks.NormalizePort(pref), out var pp)) return pp;
        var tcp = mapped.Where(kv => kv.Key.EndsWith("/tcp", StringComparison.Ordinal))
            .OrderBy(kv => int.TryParse(kv.Key.Split('/')[0], out var n) ? n : int.MaxValue).ToList();
        return tcp.Count > 0 ? tcp[0].Value : null;
    }

    /// <summary>Status code of a GET, or null when there is no answer.</summary>
    public static async Task<int?> ProbeAsync(HttpClient http, string url, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            using var resp = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cts.Token).ConfigureAwait(false);
            return (int)resp.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return null;
        }
    }

    /// <summary>
    /// Connects to the published <paramref name="hostPort"/>. Docker's port proxy accepts even when nothing listens in the
    /// container and then closes at once (and ssh -W ends the same way), so a connection that is closed within 300 ms
    /// without data is not ready.
    /// </summary>
    public static async Task<bool> TcpReadyAsync(int hostPort, PublishedPorts ports, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await using var stream = await ports.ConnectAsync(hostPort, cts.Token).ConfigureAwait(false);
            var buf = new byte[1];
            using var readCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            readCts.CancelAfter(TimeSpan.FromMilliseconds(300));
            try
            {
                var n = await stream.ReadAsync(buf, readCts.Token).ConfigureAwait(false);
                return n > 0; // the server spoke first
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return true; // still open, waiting for a request: someone listens
            }
        }
        catch (Exception e) when (e is SocketException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return false;
        }
    }

    public static async Task RunAsync(HttpCheckSpec h, IReadOnlyDictionary<string, int> mapped, IReadOnlyList<string> ports, bool skipCert,
        PublishedPorts published, AddResult add, CancellationToken ct)
    {
        var name = ImageTester.HttpName(h);
        var expected = $"status {StatusSet.Describe(h.Status)}"
            + (h.BodyPattern != null ? $", body matches /{h.BodyPattern}/" : "")
            + string.Concat(h.Json.Select(kv => $", JSON {kv.Key} = {kv.Value}"))
            + string.Concat(h.ResponseHeaders.Select(kv => $", header {kv.Key} matches /{kv.Value}/"));
        var port = PickPort(h.Port, mapped, ports);
        if (port == null)
        {
            add(ImageTester.CatHttp, name, expected, "no port", ImageTestOutcome.Error,
                h.Port != null ? $"Container port {h.Port} is not published." : "The image exposes no TCP port; give one with -Port or 'port:' in the spec.");
            return;
        }
        var url = $"{(h.Tls ? "https" : "http")}://127.0.0.1:{port}{h.Path}";
        using var http = CreateClient(skipCert || h.SkipCertificateCheck, published);
        var sw = Stopwatch.StartNew();
        string? problem = null, actual = "", detail = null;
        int? lastStatus = null;
        for (var attempt = 0; attempt <= h.Retries; attempt++)
        {
            if (attempt > 0) await Task.Delay(h.RetryDelay, ct).ConfigureAwait(false);
            (problem, actual, detail, lastStatus) = await OnceAsync(http, h, url, ct).ConfigureAwait(false);
            if (problem == null) break;
        }
        var attempts = h.Retries > 0 ? $" ({h.Retries} retries allowed)" : "";
        add(ImageTester.CatHttp, name, expected + $" within {MetadataChecks.Dur(h.Timeout)}", actual,
            problem == null ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, problem == null ? "" : problem + attempts, sw.Elapsed, detail, lastStatus);

        if (h.Requests > 1 && problem == null)
        {
            var lat = new List<double>();
            var errors = 0;
            for (var i = 0; i < h.Requests; i++)
            {
                var one = Stopwatch.StartNew();
                var (p, _, _, _) = await OnceAsync(http, h, url, ct).ConfigureAwait(false);
                if (p != null) errors++;
                lat.Add(one.Elapsed.TotalMilliseconds);
            }
            lat.Sort();
            var p50 = Percentile(lat, 50);
            var p95 = Percentile(lat, 95);
            var ok = errors == 0 && (h.MaxP95 == null || p95 <= h.MaxP95.Value.TotalMilliseconds);
            add(ImageTester.CatHttp, $"{name} latency", (h.MaxP95 is { } m ? $"p95 <= {m.TotalMilliseconds:0} ms" : "measured") + $", {h.Requests} requests without error",
                $"p50 {p50:0.#} ms, p95 {p95:0.#} ms, {errors} errors", ok ? ImageTestOutcome.Passed : ImageTestOutcome.Failed,
                errors > 0 ? $"{errors} of {h.Requests} requests did not meet the expectation." : ok ? "" : "p95 latency is above the limit.",
                TimeSpan.FromMilliseconds(lat.Sum()), null, Math.Round(p95, 2));
        }
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0) return 0;
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    static async Task<(string? Problem, string Actual, string? Detail, int? Status)> OnceAsync(HttpClient http, HttpCheckSpec h, string url, CancellationToken ct)
    {
        using var req = new HttpRequestMessage(new HttpMethod(h.Method), url);
        if (h.Body != null) req.Content = new StringContent(h.Body, Encoding.UTF8, h.ContentType ?? "application/json");
        foreach (var kv in h.Headers)
            if (!req.Headers.TryAddWithoutValidation(kv.Key, kv.Value))
                req.Content?.Headers.TryAddWithoutValidation(kv.Key, kv.Value);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(h.Timeout);
        HttpResponseMessage resp;
        string body;
        try
        {
            resp = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, cts.Token).ConfigureAwait(false);
            body = await ReadBounded(resp, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return ($"No answer within {MetadataChecks.Dur(h.Timeout)}.", "timeout", null, null);
        }
        catch (HttpRequestException e)
        {
            var msg = (e.InnerException ?? e).Message;
            return ($"Request failed: {msg}", "no answer", msg, null);
        }
        using (resp)
        {
            var status = (int)resp.StatusCode;
            var problems = new List<string>();
            if (!StatusSet.Contains(h.Status, status)) problems.Add($"status {status}, expected {StatusSet.Describe(h.Status)}");
            if (h.BodyPattern != null && !Regex.IsMatch(body, h.BodyPattern, RegexOptions.Multiline, TimeSpan.FromSeconds(2)))
                problems.Add($"body does not match /{h.BodyPattern}/");
            foreach (var kv in h.ResponseHeaders)
            {
                var values = resp.Headers.TryGetValues(kv.Key, out var v) ? v : resp.Content.Headers.TryGetValues(kv.Key, out var cv) ? cv : null;
                if (values == null) problems.Add($"no header {kv.Key}");
                else if (!values.Any(x => Regex.IsMatch(x, kv.Value))) problems.Add($"header {kv.Key}: '{string.Join(", ", values)}' does not match /{kv.Value}/");
            }
            if (h.Json.Count > 0)
            {
                JsonDocument? doc = null;
                try { doc = JsonDocument.Parse(body); }
                catch (JsonException) { problems.Add("body is not JSON"); }
                if (doc != null)
                    using (doc)
                        foreach (var kv in h.Json)
                        {
                            var got = JsonPath(doc.RootElement, kv.Key);
                            if (got == null) problems.Add($"JSON has no '{kv.Key}'");
                            else if (got != kv.Value) problems.Add($"JSON {kv.Key} = {got}, expected {kv.Value}");
                        }
            }
            var snippet = body.Length > 2000 ? body.Substring(0, 2000) + "…" : body;
            return (problems.Count == 0 ? null : string.Join("; ", problems), $"status {status}, {body.Length} chars", $"HTTP {status}\n{snippet}", status);
        }
    }

    static async Task<string> ReadBounded(HttpResponseMessage resp, CancellationToken ct)
    {
        await using var s = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var buf = new byte[1 << 20];
        var total = 0;
        int n;
        while (total < buf.Length && (n = await s.ReadAsync(buf.AsMemory(total), ct).ConfigureAwait(false)) > 0) total += n;
        return Encoding.UTF8.GetString(buf, 0, total);
    }

    /// <summary>Dot path into JSON (<c>status</c>, <c>data.items.0.name</c>); scalars as text (true/false, numbers invariant, null).</summary>
    public static string? JsonPath(JsonElement e, string path)
    {
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty(part, out var child)) e = child;
            else if (e.ValueKind == JsonValueKind.Array && int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < e.GetArrayLength()) e = e[i];
            else return null;
        }
        return e.ValueKind switch
        {
            JsonValueKind.String => e.GetString(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Null => "null",
            _ => e.GetRawText(),
        };
    }
}
