using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DockOpt.Engine.DockerApi;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Testing;

/// <summary>How Test-DockOptImage runs (not what it checks).</summary>
public sealed class ImageTestOptions
{
    /// <summary>Bound on readiness (default 60 s).</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Stop grace period before SIGKILL; null: docker's default, 10 s for Linux and 30 s for Windows containers.</summary>
    public TimeSpan? GracePeriod { get; init; }

    public bool KeepContainer { get; init; }

    /// <summary>Only these categories (null: all).</summary>
    public IReadOnlyCollection<string>? Categories { get; init; }

    public bool SkipCertificateCheck { get; init; }
}

/// <summary>Runs the checks of an <see cref="ImageTestSpec"/> against one local image and reports one result per check.</summary>
public sealed class ImageTester
{
    public const string CatMetadata = "Metadata", CatFiles = "Files", CatCommand = "Command", CatStartup = "Startup",
        CatHttp = "Http", CatHealth = "Health", CatResources = "Resources", CatShutdown = "Shutdown", CatSuite = "Suite";

    public static readonly string[] Categories = { CatMetadata, CatFiles, CatCommand, CatStartup, CatHttp, CatHealth, CatResources, CatShutdown };

    readonly DockerEngine _engine;
    readonly ContainerApi _api;
    readonly IDockOptSink _sink;
    readonly IImageFileSource? _files;

    public ImageTester(DockerEngine engine, IDockOptSink sink, IImageFileSource? files)
    {
        _engine = engine;
        _api = new ContainerApi(engine);
        _sink = sink;
        _files = files;
    }

    sealed class Run
    {
        public required string Image;
        public required string ImageId;
        public readonly List<ImageTestResult> Results = new();
        public Action<ImageTestResult> Emit = _ => { };
        public Func<string, bool> Wanted = _ => true;

        public ImageTestResult Add(string category, string name, string expected, string actual, ImageTestOutcome outcome, string message,
            TimeSpan duration = default, string? detail = null, double? value = null)
        {
            var r = new ImageTestResult
            {
                Image = Image, ImageId = ImageId, Category = category, Name = name, Expected = expected, Actual = actual,
                Outcome = outcome, Message = message, Duration = duration, Detail = detail, Value = value, Timestamp = DateTime.UtcNow,
            };
            Results.Add(r);
            Emit(r);
            return r;
        }

        public Func<string, string, string, ImageTestOutcome, string, ImageTestResult> Maker(string category) =>
            (n, e, a, o, m) => Add(category, n, e, a, o, m);
    }

    /// <summary>Tests one image. Results go to <paramref name="emit"/> as they are known; the summary is returned.</summary>
    public async Task<ImageTestSummary> TestAsync(string image, ImageTestSpec spec, ImageTestOptions options, Action<ImageTestResult> emit, CancellationToken ct)
    {
        var started = DateTime.UtcNow;
        var total = Stopwatch.StartNew();
        var catalog = new LocalImageCatalog(_engine);
        var info = await catalog.DescribeAsync(image, null, new LocalImageCatalog.Query
        {
            IncludeHistory = false,
            IncludeEnvValues = true, // for env value checks and PATH; values never reach the output
        }, ct).ConfigureAwait(false);
        var run = new Run { Image = image, ImageId = info.Id, Emit = emit };
        run.Wanted = c => options.Categories == null || options.Categories.Contains(c, StringComparer.OrdinalIgnoreCase);
        var summary = new ImageTestSummary { Image = image, ImageId = info.Id, StartedAt = started };

        // Files from the image's layers: /etc/passwd for the user check, plus every file check, in one pass.
        var needPasswd = run.Wanted(CatMetadata) && spec.Metadata.NonRoot == true && UserNeedsPasswd(info.User);
        var fileSpecs = run.Wanted(CatFiles) ? spec.Files : new List<FileSpec>();
        var probeCandidates = run.Wanted(CatMetadata) && spec.Metadata.Healthcheck == true ? HealthProbeCandidates(info) : new List<string>();
        IReadOnlyDictionary<string, ImageFileEntry?>? entries = null;
        string? readerError = null;
        if (needPasswd || fileSpecs.Count > 0 || probeCandidates.Count > 0)
        {
            if (_files == null) readerError = "Reading files from image layers is not available in this build.";
            else
            {
                var paths = fileSpecs.Select(f => FileChecks.Normalize(f.Path)).ToList();
                var content = fileSpecs.Where(FileChecks.NeedsContent).Select(f => FileChecks.Normalize(f.Path)).ToList();
                if (needPasswd) { paths.Add("/etc/passwd"); content.Add("/etc/passwd"); }
                paths.AddRange(probeCandidates);
                _sink.Progress(new DockOptProgress(61, $"Testing {image}", "Reading files from the image layers"));
                try
                {
                    entries = await _files.ReadAsync(info.Id, paths.Distinct().ToList(), content.Distinct().ToList(), ct).ConfigureAwait(false);
                }
                catch (DockOptException e)
                {
                    readerError = e.Message;
                }
            }
        }

        if (run.Wanted(CatMetadata))
        {
            string? passwd = null;
            if (needPasswd && entries != null && entries.TryGetValue("/etc/passwd", out var pw) && pw?.Content != null)
                passwd = System.Text.Encoding.UTF8.GetString(pw.Content);
            if (needPasswd && readerError != null)
                run.Add(CatMetadata, "Runs as non-root user", "a user whose UID is not 0", info.User, ImageTestOutcome.Error,
                    $"USER '{info.User}' is a name and the image's /etc/passwd could not be read: {readerError}");
            var md = spec.Metadata;
            if (needPasswd && readerError != null) md = CloneWithoutNonRoot(md);
            foreach (var _ in MetadataChecks.Run(info, md, passwd, run.Maker(CatMetadata))) { }
            if (probeCandidates.Count > 0)
            {
                var hc = info.Healthcheck!;
                var shell = hc.Test[0] == "CMD-SHELL";
                var exe = shell ? "/bin/sh" : hc.Test[1];
                var found = entries == null ? null : probeCandidates.FirstOrDefault(p => entries.TryGetValue(p, out var e) && e != null && e.Type != "directory");
                run.Add(CatMetadata, "HEALTHCHECK command is in the image", shell ? "/bin/sh (shell-form HEALTHCHECK)" : exe,
                    readerError != null ? "not read" : found ?? "not found",
                    readerError != null ? ImageTestOutcome.Error : found != null ? ImageTestOutcome.Passed : ImageTestOutcome.Failed,
                    readerError != null ? $"The image's files could not be read: {readerError}"
                    : found != null ? ""
                    : shell ? "The HEALTHCHECK is shell form but the image has no /bin/sh (distroless or scratch): every probe fails. Use exec form with a binary the image has, e.g. HEALTHCHECK CMD [\"/app\", \"healthcheck\"]."
                    : $"'{exe}' is not in the image{(exe.StartsWith('/') ? "" : " on its PATH")}: every probe fails with 'executable file not found'. Use a binary the image has.");
            }
        }

        foreach (var f in fileSpecs)
        {
            if (readerError != null || entries == null)
            {
                run.Add(CatFiles, f.Name ?? f.Path, f.Exists ? "exists" : "absent", "", ImageTestOutcome.Error, readerError ?? "The image could not be read.");
                continue;
            }
            entries.TryGetValue(FileChecks.Normalize(f.Path), out var entry);
            foreach (var _ in FileChecks.Check(f, entry, run.Maker(CatFiles))) { }
        }

        if (NeedsContainer(spec, run))
            await RunContainerAsync(run, info, spec, options, summary, ct).ConfigureAwait(false);

        if (run.Results.Count == 0)
            run.Add(CatSuite, "At least one check ran", ">= 1 check", "0 checks", ImageTestOutcome.Error,
                "No check ran: the spec and parameters select nothing for this image (check -Category and the spec file).");

        summary.Total = run.Results.Count;
        summary.PassedCount = run.Results.Count(r => r.Outcome == ImageTestOutcome.Passed);
        summary.FailedCount = run.Results.Count(r => r.Outcome == ImageTestOutcome.Failed);
        summary.ErrorCount = run.Results.Count(r => r.Outcome == ImageTestOutcome.Error);
        summary.SkippedCount = run.Results.Count(r => r.Outcome == ImageTestOutcome.Skipped);
        summary.Outcome = summary.ErrorCount > 0 ? ImageTestOutcome.Error : summary.FailedCount > 0 ? ImageTestOutcome.Failed
            : summary.PassedCount == 0 ? ImageTestOutcome.Error : ImageTestOutcome.Passed;
        summary.Success = summary.Outcome == ImageTestOutcome.Passed;
        summary.Duration = total.Elapsed;
        _sink.Progress(new DockOptProgress(61, $"Testing {image}", "Done") { Completed = true });
        return summary;
    }

    static MetadataSpec CloneWithoutNonRoot(MetadataSpec md)
    {
        var c = new MetadataSpec();
        c.Merge(md);
        c.NonRoot = null;
        return c;
    }

    /// <summary>Where the HEALTHCHECK's executable may be: /bin/sh for CMD-SHELL, else the path or each PATH directory.</summary>
    static List<string> HealthProbeCandidates(ImageInfo info)
    {
        var hc = info.Healthcheck;
        if (hc == null || hc.Disabled || hc.Test.Length < 2) return new List<string>();
        if (hc.Test[0] == "CMD-SHELL") return new List<string> { "/bin/sh" };
        var exe = hc.Test[1];
        if (exe.StartsWith('/')) return new List<string> { FileChecks.Normalize(exe) };
        if (exe.Contains('/')) return new List<string>(); // relative to WORKDIR: not resolved
        var path = info.Env != null && info.Env.TryGetValue("PATH", out var p) && p.Length > 0 ? p : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries).Where(d => d.StartsWith('/')).Select(d => FileChecks.Normalize(d + "/" + exe)).Distinct().ToList();
    }

    static bool UserNeedsPasswd(string user)
    {
        var name = (user ?? "").Trim().Split(':', 2)[0];
        return name.Length > 0 && name != "root" && !name.All(char.IsAsciiDigit);
    }

    static bool NeedsContainer(ImageTestSpec spec, Run run)
    {
        var r = spec.Runtime;
        if (r.Start == false) return false;
        var wantsRuntime = r.Start == true || spec.Commands.Count > 0 || r.Http.Count > 0 || !r.Ready.IsEmpty || r.Healthy == true
            || r.Resources != null || r.Shutdown == true || r.Init == true;
        return wantsRuntime && new[] { CatCommand, CatStartup, CatHttp, CatHealth, CatResources, CatShutdown }.Any(run.Wanted);
    }

    // ------------------------------------------------------------------ container phase

    sealed class Stats
    {
        public readonly object Gate = new();
        public int Samples;
        public long PeakMemory;
        public long PeakMemoryRaw;
        public long Limit;
        public double PeakCpu;
        public double CpuSum;
        public int CpuSamples;
        public long PeakPids;
    }

    async Task RunContainerAsync(Run run, ImageInfo info, ImageTestSpec spec, ImageTestOptions options, ImageTestSummary summary, CancellationToken ct)
    {
        var rt = spec.Runtime;
        var name = "dockopt-test-" + Guid.NewGuid().ToString("n").Substring(0, 12);
        var ports = info.ExposedPorts.Select(MetadataChecks.NormalizePort)
            .Concat(rt.Ports.Select(MetadataChecks.NormalizePort))
            .Concat(rt.Http.Where(h => h.Port != null).Select(h => MetadataChecks.NormalizePort(h.Port!)))
            .Concat(rt.Ready.HttpPort != null ? new[] { MetadataChecks.NormalizePort(rt.Ready.HttpPort) } : Array.Empty<string>())
            .Distinct(StringComparer.Ordinal).ToList();
        var body = new JsonObject
        {
            ["Image"] = info.Id,
            ["Labels"] = new JsonObject { ["dockopt.test"] = "true", ["dockopt.test.image"] = run.Image },
            ["ExposedPorts"] = new JsonObject(ports.Select(p => KeyValuePair.Create(p, (JsonNode?)new JsonObject()))),
        };
        if (rt.Environment.Count > 0)
            body["Env"] = new JsonArray(rt.Environment.Select(kv => (JsonNode?)JsonValue.Create($"{kv.Key}={kv.Value}")).ToArray());
        if (rt.Arguments != null)
            body["Cmd"] = new JsonArray(rt.Arguments.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray());
        var host = new JsonObject
        {
            ["PortBindings"] = new JsonObject(ports.Select(p => KeyValuePair.Create(p,
                (JsonNode?)new JsonArray(new JsonObject { ["HostIp"] = "127.0.0.1", ["HostPort"] = "" })))),
        };
        if (rt.Memory is { } mem) { host["Memory"] = mem; host["MemorySwap"] = mem; }
        if (rt.Cpus is { } cpus) host["NanoCpus"] = (long)(cpus * 1e9);
        if (rt.Init == true) host["Init"] = true;
        body["HostConfig"] = host;

        var grace = rt.GracePeriod ?? options.GracePeriod
            ?? TimeSpan.FromSeconds(string.Equals(info.Os, "windows", StringComparison.OrdinalIgnoreCase) ? 30 : 10);
        var readyTimeout = rt.Ready.Timeout ?? options.ReadyTimeout;
        string? id = null;
        var createAttempted = false;
        using var statsCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task? statsTask = null;
        var stats = new Stats();
        var progress = $"Testing {run.Image}";
        try
        {
            _sink.Progress(new DockOptProgress(61, progress, "Creating the container"));
            var createWatch = Stopwatch.StartNew();
            createAttempted = true;
            // Not cancellable: a create cancelled in flight can leave a container whose ID we never learn.
            using (var createCts = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
                id = await _api.CreateAsync(name, body, createCts.Token).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            summary.ContainerName = name;
            _sink.Verbose($"Created container {name} ({id.Substring(0, 12)}) from {run.Image}.");
            await _api.StartAsync(id, ct).ConfigureAwait(false);
            var startedAt = createWatch.Elapsed;
            statsTask = Task.Run(() => SampleStatsAsync(id, stats, statsCts.Token), CancellationToken.None);

            var inspect = await _api.InspectAsync(id, ct).ConfigureAwait(false);
            var mapped = MappedPorts(inspect);
            _sink.Verbose("Published ports: " + (mapped.Count == 0 ? "none" : string.Join(", ", mapped.Select(kv => $"{kv.Key} -> 127.0.0.1:{kv.Value}"))));

            // ---- readiness
            _sink.Progress(new DockOptProgress(61, progress, "Waiting until the container is ready"));
            var ready = await WaitReadyAsync(id, info, rt, mapped, readyTimeout, createWatch, ct).ConfigureAwait(false);
            var startup = createWatch.Elapsed;
            if (run.Wanted(CatStartup))
            {
                run.Add(CatStartup, "Starts and becomes ready", $"ready within {MetadataChecks.Dur(readyTimeout)} ({ready.Conditions})",
                    ready.Ok ? $"ready in {startup.TotalSeconds:0.###} s" : ready.Actual,
                    ready.Ok ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, ready.Message, startup, ready.Detail,
                    ready.Ok ? Math.Round(startup.TotalSeconds, 3) : null);
            }
            if (ready.Ok) summary.StartupTime = startup;

            // ---- health (independent of readiness: judged against the image's own HEALTHCHECK timing)
            var hc = info.Healthcheck is { Disabled: false } h ? h : null;
            if (run.Wanted(CatHealth) && (rt.Healthy == true || (rt.Healthy == null && hc != null)))
            {
                if (hc == null)
                    run.Add(CatHealth, "Becomes healthy", "healthy", "no HEALTHCHECK", ImageTestOutcome.Failed,
                        "The image defines no HEALTHCHECK, so the engine never reports it healthy. Add a HEALTHCHECK.");
                else if (ready.Exited)
                    run.Add(CatHealth, "Becomes healthy", "healthy", "container exited", ImageTestOutcome.Skipped, "The container exited before the health check could run.");
                else
                    await CheckHealthAsync(run, id, hc, createWatch.Elapsed - startedAt, ct).ConfigureAwait(false);
            }

            if (!ready.Ok)
            {
                foreach (var hcheck in rt.Http) if (run.Wanted(CatHttp)) run.Add(CatHttp, HttpName(hcheck), StatusSet.Describe(hcheck.Status), "not run", ImageTestOutcome.Skipped, "The container did not become ready.");
                foreach (var c in spec.Commands) if (run.Wanted(CatCommand)) run.Add(CatCommand, c.Name, $"exit {c.ExitCode}", "not run", ImageTestOutcome.Skipped, "The container did not become ready.");
            }
            else
            {
                if (run.Wanted(CatHttp))
                    foreach (var hcheck in rt.Http)
                        await HttpChecks.RunAsync(hcheck, mapped, ports, options.SkipCertificateCheck, run.Add, ct).ConfigureAwait(false);
                if (run.Wanted(CatCommand))
                    foreach (var c in spec.Commands)
                        await RunCommandAsync(run, id, c, ct).ConfigureAwait(false);
            }

            // ---- resources (sampled while the checks ran)
            statsCts.Cancel();
            if (statsTask != null) await statsTask.ConfigureAwait(false);
            if (run.Wanted(CatResources))
            {
                if (ready.Exited)
                    run.Add(CatResources, "Resource use", "sampled while the checks run", "container exited", ImageTestOutcome.Skipped,
                        "The container exited during startup; there was nothing to measure.");
                else
                    ReportResources(run, stats, rt, ready.Ok ? startup : null, summary);
            }

            // ---- graceful shutdown
            var wantShutdown = run.Wanted(CatShutdown) && rt.Shutdown != false;
            if (wantShutdown)
            {
                if (ready.Exited)
                    run.Add(CatShutdown, "Stops gracefully", "exit 0 or 143 within the grace period", "container already exited", ImageTestOutcome.Skipped,
                        "The container exited during startup.");
                else
                {
                    _sink.Progress(new DockOptProgress(61, progress, $"Stopping the container (grace period {MetadataChecks.Dur(grace)})"));
                    await CheckShutdownAsync(run, id, info, grace, ct).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            statsCts.Cancel();
            if (statsTask != null) { try { await statsTask.ConfigureAwait(false); } catch (Exception) { } }
            if (id == null && createAttempted)
                await _api.RemoveAsync(name).ConfigureAwait(false); // by name, in case the create got through
            if (id != null)
            {
                if (options.KeepContainer)
                {
                    summary.ContainerKept = true;
                    _sink.Warning($"Kept container {name} ({id.Substring(0, 12)}); remove it with 'docker rm -f {name}'.");
                }
                else if (!await _api.RemoveAsync(id).ConfigureAwait(false))
                    _sink.Warning($"Could not remove container {name}; remove it with 'docker rm -f {name}'.");
                else
                    _sink.Verbose($"Removed container {name}.");
            }
        }
    }

    internal static string HttpName(HttpCheckSpec h) => h.Name ?? $"{h.Method} {h.Path}";

    static Dictionary<string, int> MappedPorts(JsonNode inspect)
    {
        var r = new Dictionary<string, int>(StringComparer.Ordinal);
        if (inspect["NetworkSettings"]?["Ports"] is JsonObject ports)
            foreach (var kv in ports)
                if (kv.Value is JsonArray arr)
                    foreach (var b in arr)
                        if (b?["HostPort"]?.GetValue<string>() is { } hp && int.TryParse(hp, out var p)
                            && (b["HostIp"]?.GetValue<string>() is "127.0.0.1" or "" or null))
                        {
                            r[kv.Key] = p;
                            break;
                        }
        return r;
    }

    // ------------------------------------------------------------------ readiness

    sealed record Readiness(bool Ok, bool Exited, string Conditions, string Actual, string Message, string? Detail);

    async Task<Readiness> WaitReadyAsync(string id, ImageInfo info, RuntimeSpec rt, Dictionary<string, int> mapped, TimeSpan timeout,
        Stopwatch sinceCreate, CancellationToken ct)
    {
        var r = rt.Ready;
        var hasHc = info.Healthcheck is { Disabled: false };
        var wantHealthy = r.Healthy ?? (r.IsEmpty && hasHc);
        var tcpPorts = mapped.Keys.Where(k => k.EndsWith("/tcp", StringComparison.Ordinal)).ToList();
        var wantTcp = (r.Tcp ?? (r.IsEmpty && !hasHc)) && tcpPorts.Count > 0;
        var conditions = new List<string>();
        if (wantHealthy) conditions.Add("health healthy");
        if (r.LogPattern != null) conditions.Add($"log /{r.LogPattern}/");
        if (r.HttpPath != null) conditions.Add($"HTTP 2xx on {r.HttpPath}");
        if (wantTcp) conditions.Add("TCP on " + string.Join(", ", tcpPorts));
        if (r.Tcp == true && tcpPorts.Count == 0)
            return new(false, false, "TCP", "no TCP port", "Readiness asks for TCP but no TCP port is exposed or given with -Port.", null);
        var runningOnly = conditions.Count == 0;
        if (runningOnly) conditions.Add("running for 1 s");
        var what = string.Join(" and ", conditions);
        if (wantHealthy && !hasHc)
            return new(false, false, what, "no HEALTHCHECK", "Readiness asks for 'healthy' but the image defines no HEALTHCHECK.", null);

        var logRx = r.LogPattern != null ? new Regex(r.LogPattern, RegexOptions.Multiline, TimeSpan.FromSeconds(2)) : null;
        using var http = HttpChecks.CreateClient(true);
        var deadline = sinceCreate.Elapsed + timeout;
        var pending = new List<string>();
        var runningSince = (TimeSpan?)null;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var st = await _api.InspectAsync(id, ct).ConfigureAwait(false);
            var state = st["State"]!;
            if (state["Running"]?.GetValue<bool>() != true)
            {
                // Exited before ready: fail fast with the evidence.
                await Task.Delay(100, ct).ConfigureAwait(false);
                st = await _api.InspectAsync(id, ct).ConfigureAwait(false);
                state = st["State"]!;
                var code = state["ExitCode"]?.GetValue<long>() ?? -1;
                var oom = state["OOMKilled"]?.GetValue<bool>() == true;
                var err = state["Error"]?.GetValue<string>();
                var logs = await TailAsync(id, 20, ct).ConfigureAwait(false);
                var msg = $"The container exited with code {code} after {sinceCreate.Elapsed.TotalSeconds:0.##} s, before it was ready" +
                    (oom ? " (OOMKilled: it ran out of memory; raise -Memory or reduce usage)" : "") +
                    (string.IsNullOrEmpty(err) ? "" : $"; engine error: {err}") + ". Last log lines are in Detail.";
                return new(false, true, what, $"exited with code {code}{(oom ? ", OOMKilled" : "")}", msg, logs);
            }
            runningSince ??= sinceCreate.Elapsed;
            pending.Clear();
            if (wantHealthy)
            {
                var hs = state["Health"]?["Status"]?.GetValue<string>();
                if (hs == "unhealthy")
                {
                    var log = HealthLog(state);
                    return new(false, false, what, "unhealthy", "The container became unhealthy before it was ready; the health log is in Detail.", log);
                }
                if (hs != "healthy") pending.Add($"health {hs ?? "none"}");
            }
            if (logRx != null)
            {
                var logs = await _api.LogsAsync(id, null, ct).ConfigureAwait(false);
                if (!logRx.IsMatch(logs)) pending.Add($"no log line matches /{r.LogPattern}/");
            }
            if (r.HttpPath != null)
            {
                var port = HttpChecks.PickPort(r.HttpPort, mapped, rt.Ports);
                if (port == null) pending.Add("no published port for the HTTP readiness check");
                else
                {
                    var status = await HttpChecks.ProbeAsync(http, $"http://127.0.0.1:{port}{r.HttpPath}", TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
                    if (status is not (>= 200 and <= 299)) pending.Add($"HTTP {r.HttpPath} {(status?.ToString(CultureInfo.InvariantCulture) ?? "no answer")}");
                }
            }
            if (wantTcp)
                foreach (var kv in mapped.Where(k => k.Key.EndsWith("/tcp", StringComparison.Ordinal)))
                    if (!await HttpChecks.TcpReadyAsync(kv.Value, ct).ConfigureAwait(false)) pending.Add($"TCP {kv.Key} not accepting");
            if (runningOnly && sinceCreate.Elapsed - runningSince < TimeSpan.FromSeconds(1)) pending.Add("running for less than 1 s");

            if (pending.Count == 0) return new(true, false, what, "ready", "", null);
            if (sinceCreate.Elapsed >= deadline)
            {
                var logs = await TailAsync(id, 20, ct).ConfigureAwait(false);
                return new(false, false, what, "not ready: " + string.Join("; ", pending),
                    $"Not ready within {MetadataChecks.Dur(timeout)} ({string.Join("; ", pending)}). Raise -TimeoutSec or check the log in Detail.", logs);
            }
            await Task.Delay(250, ct).ConfigureAwait(false);
        }
    }

    async Task<string> TailAsync(string id, int lines, CancellationToken ct)
    {
        try { return (await _api.LogsAsync(id, lines, ct).ConfigureAwait(false)).TrimEnd(); }
        catch (DockOptException e) { return $"(log unavailable: {e.Message})"; }
    }

    static string HealthLog(JsonNode state)
    {
        if (state["Health"]?["Log"] is not JsonArray log) return "";
        return string.Join("\n", log.Select(l =>
            $"{l?["Start"]?.GetValue<string>()} exit {l?["ExitCode"]?.GetValue<long>()}: {(l?["Output"]?.GetValue<string>() ?? "").Trim()}"));
    }

    // ------------------------------------------------------------------ health

    async Task CheckHealthAsync(Run run, string id, HealthcheckInfo hc, TimeSpan elapsedSinceStart, CancellationToken ct)
    {
        var interval = hc.Interval ?? TimeSpan.FromSeconds(30);
        var start = hc.StartPeriod ?? TimeSpan.Zero;
        var retries = hc.Retries ?? 3;
        var budget = start + TimeSpan.FromTicks(interval.Ticks * retries);
        var tolerance = TimeSpan.FromSeconds(2);
        var expected = $"healthy within start period + retries × interval = {MetadataChecks.Dur(budget)}";
        var sw = Stopwatch.StartNew();
        var sinceStart = () => elapsedSinceStart + sw.Elapsed;
        while (true)
        {
            var st = await _api.InspectAsync(id, ct).ConfigureAwait(false);
            var state = st["State"]!;
            var status = state["Health"]?["Status"]?.GetValue<string>() ?? "none";
            var log = HealthLog(state);
            if (status == "healthy")
            {
                run.Add(CatHealth, "Becomes healthy", expected, $"healthy after {sinceStart().TotalSeconds:0.#} s", ImageTestOutcome.Passed, "", sw.Elapsed, log,
                    Math.Round(sinceStart().TotalSeconds, 3));
                return;
            }
            if (status == "unhealthy" || state["Running"]?.GetValue<bool>() != true || sinceStart() > budget + tolerance)
            {
                var why = status == "unhealthy" ? $"unhealthy (failing streak {state["Health"]?["FailingStreak"]?.GetValue<long>()})"
                    : state["Running"]?.GetValue<bool>() != true ? "container exited" : $"still {status} after {sinceStart().TotalSeconds:0.#} s";
                run.Add(CatHealth, "Becomes healthy", expected, why, ImageTestOutcome.Failed,
                    "The HEALTHCHECK did not pass in time. The probe output is in Detail (Health.Log); check the probe command and that it exists in the image.",
                    sw.Elapsed, log);
                return;
            }
            await Task.Delay(250, ct).ConfigureAwait(false);
        }
    }

    // ------------------------------------------------------------------ commands

    async Task RunCommandAsync(Run run, string id, CommandSpec c, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var expected = $"exit {c.ExitCode} within {MetadataChecks.Dur(c.Timeout)}";
        (long? code, string stdout, string stderr) r;
        try
        {
            r = await _api.ExecAsync(id, c.Command, c.Env, c.User, c.Timeout, ct).ConfigureAwait(false);
        }
        catch (DockOptException e)
        {
            run.Add(CatCommand, c.Name, expected, "could not run", ImageTestOutcome.Error, $"The command could not be started: {e.Message}", sw.Elapsed);
            return;
        }
        var detail = $"stdout:\n{Trunc(r.stdout)}\nstderr:\n{Trunc(r.stderr)}";
        if (r.code == null)
        {
            run.Add(CatCommand, c.Name, expected, $"timed out after {MetadataChecks.Dur(c.Timeout)}", ImageTestOutcome.Failed,
                "The command did not finish in time (it may keep running until the container is removed).", sw.Elapsed, detail);
            return;
        }
        var problems = new List<string>();
        if (r.code != c.ExitCode) problems.Add($"exit code {r.code}, expected {c.ExitCode}");
        foreach (var rx in c.Stdout) if (!Regex.IsMatch(r.stdout, rx, RegexOptions.Multiline)) problems.Add($"stdout does not match /{rx}/");
        foreach (var rx in c.NotStdout) if (Regex.IsMatch(r.stdout, rx, RegexOptions.Multiline)) problems.Add($"stdout matches /{rx}/");
        foreach (var rx in c.Stderr) if (!Regex.IsMatch(r.stderr, rx, RegexOptions.Multiline)) problems.Add($"stderr does not match /{rx}/");
        foreach (var rx in c.NotStderr) if (Regex.IsMatch(r.stderr, rx, RegexOptions.Multiline)) problems.Add($"stderr matches /{rx}/");
        if (r.code == 126 || r.code == 127) problems.Add("126/127: the command was not found or not executable in the image");
        run.Add(CatCommand, c.Name, expected + (c.Stdout.Count + c.Stderr.Count > 0 ? ", output matches" : ""), $"exit {r.code}",
            problems.Count == 0 ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, string.Join("; ", problems), sw.Elapsed, detail, r.code);
    }

    static string Trunc(string s) => s.Length > 4000 ? s.Substring(0, 4000) + "…" : s.TrimEnd();

    // ------------------------------------------------------------------ resources

    async Task SampleStatsAsync(string id, Stats stats, CancellationToken ct)
    {
        try
        {
            await _api.StatsAsync(id, n =>
            {
                var mem = n["memory_stats"];
                var usage = Long(mem?["usage"]);
                var memStats = mem?["stats"];
                var inactive = Long(memStats?["total_inactive_file"]) ?? Long(memStats?["inactive_file"]) ?? 0;
                var working = usage is { } u ? Math.Max(0, u - inactive) : (long?)null;
                var cpu = n["cpu_stats"];
                var pre = n["precpu_stats"];
                var cpuDelta = (Long(cpu?["cpu_usage"]?["total_usage"]) ?? 0) - (Long(pre?["cpu_usage"]?["total_usage"]) ?? 0);
                var sysDelta = (Long(cpu?["system_cpu_usage"]) ?? 0) - (Long(pre?["system_cpu_usage"]) ?? 0);
                var online = Long(cpu?["online_cpus"]) ?? 1;
                var pids = Long(n["pids_stats"]?["current"]);
                lock (stats.Gate)
                {
                    if (working == null) return;
                    stats.Samples++;
                    stats.PeakMemory = Math.Max(stats.PeakMemory, working.Value);
                    stats.PeakMemoryRaw = Math.Max(stats.PeakMemoryRaw, Long(mem?["max_usage"]) ?? usage ?? 0);
                    stats.Limit = Long(mem?["limit"]) ?? 0;
                    if (pids is { } p) stats.PeakPids = Math.Max(stats.PeakPids, p);
                    if (sysDelta > 0 && Long(pre?["system_cpu_usage"]) is > 0)
                    {
                        var pct = (double)cpuDelta / sysDelta * online * 100.0;
                        stats.PeakCpu = Math.Max(stats.PeakCpu, pct);
                        stats.CpuSum += pct;
                        stats.CpuSamples++;
                    }
                }
            }, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) { }
        catch (Exception e) when (e is DockOptException or HttpRequestException or IOException)
        {
            _sink.Verbose($"Stats sampling stopped: {e.Message}");
        }
    }

    static long? Long(JsonNode? n) => n is JsonValue v && v.TryGetValue<long>(out var l) ? l : n is JsonValue d && d.TryGetValue<double>(out var dd) ? (long)dd : null;

    static void ReportResources(Run run, Stats s, RuntimeSpec rt, TimeSpan? startup, ImageTestSummary summary)
    {
        var res = rt.Resources ?? new ResourceSpec();
        int samples; long peak, limit, pids; double peakCpu, avgCpu;
        lock (s.Gate)
        {
            samples = s.Samples; peak = s.PeakMemory; limit = s.Limit; pids = s.PeakPids; peakCpu = s.PeakCpu;
            avgCpu = s.CpuSamples > 0 ? s.CpuSum / s.CpuSamples : 0;
        }
        if (startup is { } st)
        {
            var ok = res.MaxStartup == null || st <= res.MaxStartup;
            run.Add(CatResources, "Startup time (create to ready)", res.MaxStartup is { } ms ? "<= " + MetadataChecks.Dur(ms) : "measured",
                $"{st.TotalSeconds:0.###} s", ok ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, "", st, null, Math.Round(st.TotalSeconds, 3));
        }
        if (samples == 0)
        {
            run.Add(CatResources, "Peak memory", "sampled", "no stats sample", ImageTestOutcome.Error,
                "The engine returned no stats sample while the checks ran (the container ran less than a second).");
            return;
        }
        summary.PeakMemory = peak;
        var limited = rt.Memory != null;
        var memExpected = res.MaxMemory is { } mm ? "<= " + ByteSize.Format(mm) : limited ? $"< limit {ByteSize.Format(limit)}" : "measured";
        var memOk = (res.MaxMemory == null || peak <= res.MaxMemory) && (!limited || peak < limit);
        run.Add(CatResources, "Peak memory", memExpected,
            $"{ByteSize.Format(peak)}" + (limited ? $" of {ByteSize.Format(limit)} ({100.0 * peak / Math.Max(1, limit):0.#}%)" : ""),
            memOk ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, $"{samples} samples of the engine's stats; peak working set (usage minus inactive file cache).",
            default, $"peak raw usage incl. cache: {s.PeakMemoryRaw} bytes; limit: {limit} bytes", peak);
        var cpuOk = res.MaxCpuPercent == null || peakCpu <= res.MaxCpuPercent;
        run.Add(CatResources, "CPU", res.MaxCpuPercent is { } mc ? $"peak <= {mc:0.#}%" : "measured", $"peak {peakCpu:0.#}%, mean {avgCpu:0.#}%",
            cpuOk ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, "Percent of one CPU (docker stats semantics).", default, null, Math.Round(peakCpu, 2));
        var pidsOk = res.MaxPids == null || pids <= res.MaxPids;
        run.Add(CatResources, "PIDs", res.MaxPids is { } mp ? $"<= {mp}" : "measured", $"peak {pids}",
            pidsOk ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, "", default, null, pids);
    }

    // ------------------------------------------------------------------ shutdown

    async Task CheckShutdownAsync(Run run, string id, ImageInfo info, TimeSpan grace, CancellationToken ct)
    {
        var signal = info.StopSignal ?? "SIGTERM";
        var sigNum = MetadataChecks.SignalNumber(signal);
        var expected = $"exit 0 or {128 + (sigNum ?? 15)} on {MetadataChecks.NormalizeSignal(signal)} within {MetadataChecks.Dur(grace)}";
        var before = await _api.InspectAsync(id, ct).ConfigureAwait(false);
        if (before["State"]?["Running"]?.GetValue<bool>() != true)
        {
            var code = before["State"]?["ExitCode"]?.GetValue<long>();
            run.Add(CatShutdown, "Stops gracefully", expected, $"already exited with code {code}", ImageTestOutcome.Failed,
                "The container stopped by itself while the checks ran; see its log.", default, await TailAsync(id, 20, ct).ConfigureAwait(false));
            return;
        }
        var sw = Stopwatch.StartNew();
        await _api.StopAsync(id, (int)Math.Ceiling(grace.TotalSeconds), ct).ConfigureAwait(false);
        var took = sw.Elapsed;
        var after = await _api.InspectAsync(id, ct).ConfigureAwait(false);
        var state = after["State"]!;
        var exit = state["ExitCode"]?.GetValue<long>() ?? -1;
        var oom = state["OOMKilled"]?.GetValue<bool>() == true;
        var actual = $"exit {exit} after {took.TotalSeconds:0.##} s";
        if (exit == 0 || exit == 143 || (sigNum != null && exit == 128 + sigNum))
        {
            run.Add(CatShutdown, "Stops gracefully", expected, actual, ImageTestOutcome.Passed, "", took, null, Math.Round(took.TotalSeconds, 3));
            return;
        }
        string message;
        if (exit == 137 && oom)
            message = "Killed (137) by the kernel's OOM killer, not by the stop timeout: the container ran out of memory. Raise -Memory or reduce memory use.";
        else if (exit == 137)
        {
            var shell = MetadataChecks.IsShellForm(info.Entrypoint) || (info.Entrypoint.Length == 0 && MetadataChecks.IsShellForm(info.Cmd));
            var cause = shell
                ? $"Likely cause: the {(info.Entrypoint.Length > 0 ? "ENTRYPOINT" : "CMD")} is shell form ({MetadataChecks.Json(info.Entrypoint.Length > 0 ? info.Entrypoint : info.Cmd)}), so '/bin/sh -c' is PID 1 and does not pass {MetadataChecks.NormalizeSignal(signal)} to the app."
                : $"Likely cause: PID 1 has no handler for {MetadataChecks.NormalizeSignal(signal)} (the kernel ignores signals with the default action for PID 1), or a wrapper does not forward it.";
            message = $"Killed (137) with SIGKILL after the {MetadataChecks.Dur(grace)} grace period: the process did not exit on {MetadataChecks.NormalizeSignal(signal)}. {cause} " +
                "Fix: use exec form (CMD [\"/app\"]) or 'exec' in the start script, handle the signal in the app, or run an init as PID 1 (docker run --init, or tini/dumb-init as ENTRYPOINT).";
        }
        else
            message = $"The app exited with code {exit} on {MetadataChecks.NormalizeSignal(signal)}: it treats the stop signal as an error. Exit 0 after a clean shutdown.";
        run.Add(CatShutdown, "Stops gracefully", expected, actual + (oom ? ", OOMKilled" : exit == 137 ? ", killed after timeout" : ""), ImageTestOutcome.Failed,
            message, took, await TailAsync(id, 20, ct).ConfigureAwait(false), Math.Round(took.TotalSeconds, 3));
    }
}
