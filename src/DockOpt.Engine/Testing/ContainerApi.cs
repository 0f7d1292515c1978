using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DockOpt.Engine.DockerApi;

namespace DockOpt.Engine.Testing;

/// <summary>The container endpoints the test runner needs, over the engine's raw versioned API.</summary>
internal sealed class ContainerApi
{
    readonly DockerEngine _engine;

    public ContainerApi(DockerEngine engine) => _engine = engine;

    /// <summary>Platform for the containers created (the create call's platform parameter, API 1.41); null: the engine's default.</summary>
    public string? Platform { get; set; }

    static HttpContent Json(JsonNode body) =>
        new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    public async Task<JsonNode> PostJsonAsync(string path, JsonNode? body, CancellationToken ct, string notFoundId = ErrorIds.ContainerNotFound)
    {
        using var resp = await _engine.SendCheckedAsync(HttpMethod.Post, path, body == null ? null : Json(body), ct, notFoundId).ConfigureAwait(false);
        var text = await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        return string.IsNullOrWhiteSpace(text) ? new JsonObject() : JsonNode.Parse(text) ?? new JsonObject();
    }

    public async Task<JsonNode> GetJsonAsync(string path, CancellationToken ct, string notFoundId = ErrorIds.ContainerNotFound)
    {
        using var resp = await _engine.SendCheckedAsync(HttpMethod.Get, path, null, ct, notFoundId).ConfigureAwait(false);
        var text = await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        return JsonNode.Parse(text) ?? new JsonObject();
    }

    public async Task<string> CreateAsync(string name, JsonObject body, CancellationToken ct)
    {
        var r = await PostJsonAsync($"/containers/create?name={Uri.EscapeDataString(name)}"
            + (Platform != null ? "&platform=" + Uri.EscapeDataString(Platform) : ""), body, ct, ErrorIds.ImageNotFound).ConfigureAwait(false);
        return r["Id"]!.GetValue<string>();
    }

    public async Task StartAsync(string id, CancellationToken ct)
    {
        using var resp = await _engine.SendCheckedAsync(HttpMethod.Post, $"/containers/{id}/start", null, ct).ConfigureAwait(false);
    }

    public Task<JsonNode> InspectAsync(string id, CancellationToken ct) => GetJsonAsync($"/containers/{id}/json", ct);

    /// <summary>docker stop: the container's stop signal, then SIGKILL after <paramref name="graceSeconds"/>.</summary>
    public async Task StopAsync(string id, int graceSeconds, CancellationToken ct)
    {
        using var resp = await _engine.SendAsync(HttpMethod.Post, $"/containers/{id}/stop?t={graceSeconds}", null, ct).ConfigureAwait(false);
        if (!resp.IsSuccessStatusCode && resp.StatusCode != System.Net.HttpStatusCode.NotModified)
        {
            var body = await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            throw EngineErrors.FromStatus(resp.StatusCode, EngineErrors.ExtractMessage(body), ErrorIds.ContainerNotFound, id);
        }
    }

    /// <summary>Force-removes the container and its anonymous volumes; never throws.</summary>
    public async Task<bool> RemoveAsync(string id)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            using var resp = await _engine.SendAsync(HttpMethod.Delete, $"/containers/{id}?force=true&v=true", null, cts.Token).ConfigureAwait(false);
            return resp.IsSuccessStatusCode || resp.StatusCode == System.Net.HttpStatusCode.NotFound;
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>The container's log (stdout and stderr interleaved as written), optionally only the last lines; at most 1 MiB is kept.</summary>
    public async Task<string> LogsAsync(string id, int? tail, CancellationToken ct)
    {
        using var resp = await _engine.SendCheckedAsync(HttpMethod.Get,
            $"/containers/{id}/logs?stdout=1&stderr=1&tail={(tail?.ToString() ?? "all")}", null, ct).ConfigureAwait(false);
        await using var s = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var (o, e, all) = await Demux(s, 1 << 20, ct).ConfigureAwait(false);
        return all;
    }

    /// <summary>Follows the whole log (from the start, then as written) and matches <paramref name="pattern"/> in a bounded window.</summary>
    public LogFollower FollowLogs(string id, System.Text.RegularExpressions.Regex pattern, CancellationToken ct) =>
        LogFollower.Start(pattern, async t =>
        {
            var resp = await _engine.SendCheckedAsync(HttpMethod.Get, $"/containers/{id}/logs?stdout=1&stderr=1&follow=1", null, t).ConfigureAwait(false);
            try { return new ResponseStream(resp, await resp.Content.ReadAsStreamAsync(t).ConfigureAwait(false)); }
            catch { resp.Dispose(); throw; }
        }, ct);

    /// <summary>A response body that disposes its response with it.</summary>
    sealed class ResponseStream(HttpResponseMessage resp, Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) { inner.Dispose(); resp.Dispose(); }
            base.Dispose(disposing);
        }
    }

    /// <summary>Runs a command in the running container; returns its exit code and output, or null exit code on timeout.</summary>
    public async Task<(long? ExitCode, string Stdout, string Stderr)> ExecAsync(string id, string[] cmd, IReadOnlyDictionary<string, string> env,
        string? user, TimeSpan timeout, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["AttachStdout"] = true,
            ["AttachStderr"] = true,
            ["Tty"] = false,
            ["Cmd"] = new JsonArray(cmd.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
        };
        if (env.Count > 0) body["Env"] = new JsonArray(env.Select(kv => (JsonNode?)JsonValue.Create($"{kv.Key}={kv.Value}")).ToArray());
        if (!string.IsNullOrEmpty(user)) body["User"] = user;
        var created = await PostJsonAsync($"/containers/{id}/exec", body, ct).ConfigureAwait(false);
        var execId = created["Id"]!.GetValue<string>();
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutCts.CancelAfter(timeout);
        string stdout, stderr;
        try
        {
            using var resp = await _engine.SendCheckedAsync(HttpMethod.Post, $"/exec/{execId}/start",
                Json(new JsonObject { ["Detach"] = false, ["Tty"] = false }), timeoutCts.Token).ConfigureAwait(false);
            await using var s = await resp.Content.ReadAsStreamAsync(timeoutCts.Token).ConfigureAwait(false);
            (stdout, stderr, _) = await Demux(s, 1 << 20, timeoutCts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, "", "");
        }
        // The stream ends when the process does; the exit code may take a moment to be recorded.
        for (var i = 0; i < 50; i++)
        {
            var info = await GetJsonAsync($"/exec/{execId}/json", ct).ConfigureAwait(false);
            if (info["Running"]?.GetValue<bool>() != true && info["ExitCode"] is JsonValue v && v.TryGetValue<long>(out var code))
                return (code, stdout, stderr);
            await Task.Delay(100, ct).ConfigureAwait(false);
        }
        return (null, stdout, stderr);
    }

    /// <summary>
    /// Runs a container to its exit: create, start, wait (at most <paramref name="timeout"/>, then kill), logs; then
    /// <paramref name="beforeRemove"/> (e.g. a commit) and removal. A start the engine refuses because the executable is
    /// missing comes back as exit 127 (126: not executable) with the engine's message as stderr. Null exit code: timed out.
    /// </summary>
    public async Task<(long? ExitCode, string Stdout, string Stderr)> RunToExitAsync(string name, JsonObject body, TimeSpan timeout,
        Func<string, Task>? beforeRemove, CancellationToken ct)
    {
        string? id = null;
        try
        {
            using (var createCts = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
                id = await CreateAsync(name, body, createCts.Token).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            try
            {
                await StartAsync(id, ct).ConfigureAwait(false);
            }
            catch (DockOptException e) when (StartRefused(e) is { } refused)
            {
                return (refused, "", e.Message);
            }
            using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeoutCts.CancelAfter(timeout);
            long? code;
            try
            {
                var w = await PostJsonAsync($"/containers/{id}/wait", null, timeoutCts.Token).ConfigureAwait(false);
                code = w["StatusCode"] is JsonValue v && v.TryGetValue<long>(out var c) ? c : null;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                using var kill = await _engine.SendAsync(HttpMethod.Post, $"/containers/{id}/kill", null, CancellationToken.None).ConfigureAwait(false);
                code = null;
            }
            using var resp = await _engine.SendCheckedAsync(HttpMethod.Get, $"/containers/{id}/logs?stdout=1&stderr=1", null, ct).ConfigureAwait(false);
            await using var s = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            var (o, e2, _) = await Demux(s, 1 << 20, ct).ConfigureAwait(false);
            if (beforeRemove != null && code != null) await beforeRemove(id).ConfigureAwait(false);
            return (code, o, e2);
        }
        finally
        {
            if (id != null) await RemoveAsync(id).ConfigureAwait(false);
            else await RemoveAsync(name).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A start the engine refused because the container's executable is missing (127) or not executable (126): the
    /// image's fault, a test result; null for anything else.
    /// </summary>
    internal static int? StartRefused(DockOptException e) =>
        e.Message.Contains("permission denied", StringComparison.OrdinalIgnoreCase) ? 126
        : e.Message.Contains("executable file not found", StringComparison.OrdinalIgnoreCase)
          || e.Message.Contains("no such file or directory", StringComparison.OrdinalIgnoreCase) ? 127
        : null;

    /// <summary>Removes a network this run made; never throws.</summary>
    public async Task<bool> RemoveNetworkAsync(string id)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            using var resp = await _engine.SendAsync(HttpMethod.Delete, $"/networks/{Uri.EscapeDataString(id)}", null, cts.Token).ConfigureAwait(false);
            return resp.IsSuccessStatusCode || resp.StatusCode == System.Net.HttpStatusCode.NotFound;
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>docker commit: the container's filesystem as a new (untagged) image; returns its ID.</summary>
    public async Task<string> CommitAsync(string id, CancellationToken ct)
    {
        var r = await PostJsonAsync($"/commit?container={id}", new JsonObject(), ct).ConfigureAwait(false);
        return r["Id"]!.GetValue<string>();
    }

    /// <summary>Removes an image this run made; never throws.</summary>
    public async Task RemoveImageAsync(string id)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            using var resp = await _engine.SendAsync(HttpMethod.Delete, $"/images/{id}?force=true", null, cts.Token).ConfigureAwait(false);
        }
        catch (Exception) { }
    }

    /// <summary>Streams engine stats (one JSON document a second) to <paramref name="onSample"/> until cancelled.</summary>
    public async Task StatsAsync(string id, Action<JsonNode> onSample, CancellationToken ct)
    {
        using var resp = await _engine.SendCheckedAsync(HttpMethod.Get, $"/containers/{id}/stats?stream=1", null, ct).ConfigureAwait(false);
        await using var s = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var reader = new StreamReader(s, Encoding.UTF8);
        while (!ct.IsCancellationRequested)
        {
            var line = await reader.ReadLineAsync(ct).ConfigureAwait(false);
            if (line == null) break;
            if (line.Length == 0) continue;
            JsonNode? n;
            try { n = JsonNode.Parse(line); }
            catch (JsonException) { continue; }
            if (n != null) onSample(n);
        }
    }

    /// <summary>Splits a multiplexed (non-TTY) stream: 8-byte frame headers [stream, 0, 0, 0, size32be].</summary>
    internal static async Task<(string Stdout, string Stderr, string All)> Demux(Stream s, int maxBytes, CancellationToken ct)
    {
        var o = new MemoryStream();
        var e = new MemoryStream();
        var all = new MemoryStream();
        var header = new byte[8];
        var buf = new byte[16384];
        while (true)
        {
            var got = await ReadFull(s, header, 8, ct).ConfigureAwait(false);
            if (got == 0) break;
            if (got < 8 || header[0] > 2 || header[1] != 0 || header[2] != 0 || header[3] != 0)
            {
                // Not multiplexed (a TTY container): the rest is raw output.
                all.Write(header, 0, got);
                o.Write(header, 0, got);
                int n;
                while ((n = await s.ReadAsync(buf, ct).ConfigureAwait(false)) > 0)
                {
                    if (all.Length < maxBytes) { all.Write(buf, 0, n); o.Write(buf, 0, n); }
                }
                break;
            }
            var size = (int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
            var target = header[0] == 2 ? e : o;
            while (size > 0)
            {
                var n = await s.ReadAsync(buf.AsMemory(0, Math.Min(buf.Length, size)), ct).ConfigureAwait(false);
                if (n == 0) { size = 0; break; }
                size -= n;
                if (target.Length < maxBytes) target.Write(buf, 0, n);
                if (all.Length < maxBytes) all.Write(buf, 0, n);
            }
        }
        return (Encoding.UTF8.GetString(o.ToArray()), Encoding.UTF8.GetString(e.ToArray()), Encoding.UTF8.GetString(all.ToArray()));
    }

    static async Task<int> ReadFull(Stream s, byte[] buf, int count, CancellationToken ct)
    {
        var total = 0;
        while (total < count)
        {
            var n = await s.ReadAsync(buf.AsMemory(total, count - total), ct).ConfigureAwait(false);
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}
