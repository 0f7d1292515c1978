using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Docker.DotNet;
using DockOpt.Engine.DockerApi;
using DockOpt.Engine.Registry;

namespace DockOpt.Engine.Building.BuildKit;

/// <summary>
/// Builds with the engine's BuildKit the way the docker CLI's built-in client does: a session (<see cref="EngineSession"/>)
/// serving file sync, auth, secrets, ssh and health, then <c>POST /build?version=2&amp;session=…&amp;remote=client-session</c>,
/// whose JSON stream carries BuildKit's status (vertexes, statuses, logs) as base64 protobuf.
/// </summary>
internal sealed class BuildKitBuilder
{
    static readonly Regex ExitCode = new(@"exit code: (\d+)", RegexOptions.Compiled);
    static readonly Regex LineNumber = new(@"line (\d+)", RegexOptions.Compiled | RegexOptions.IgnoreCase);
    static readonly Regex UnknownFlag = new(@"unknown flag: (\S+)", RegexOptions.Compiled | RegexOptions.IgnoreCase);

    readonly DockerEngine _engine;
    readonly IDockOptSink _sink;

    public BuildKitBuilder(DockerEngine engine, IDockOptSink sink)
    {
        _engine = engine;
        _sink = sink;
    }

    sealed class VertexState
    {
        public StatusResponse.Vertex Vertex = new();
        public int Order;
        public (string? Stage, int Index, int Total, string Instruction)? Step;
        public readonly Queue<string> Tail = new();
        public readonly StringBuilder Partial = new();
        public bool ProgressShown;
        public bool Reported;

        public void AddOutput(string line)
        {
            Tail.Enqueue(line);
            while (Tail.Count > 20) Tail.Dequeue();
        }
    }

    /// <summary>Cache exporters: only inline works with the engine's built-in BuildKit.</summary>
    internal static bool ParseCacheTo(IReadOnlyList<string> cacheTo)
    {
        var inline = false;
        foreach (var spec in cacheTo)
        {
            var type = spec.Trim();
            foreach (var part in spec.Split(','))
            {
                var kv = part.Split('=', 2);
                if (kv.Length == 2 && kv[0].Trim().Equals("type", StringComparison.OrdinalIgnoreCase)) type = kv[1].Trim();
            }
            if (type.Equals("inline", StringComparison.OrdinalIgnoreCase)) inline = true;
            else
                throw new DockOptException(ErrorIds.BuildCacheExporterUnsupported, DockOptErrorCategory.InvalidArgument,
                    $"The engine's built-in BuildKit (the docker driver) cannot export cache as '{spec}': it exports cache only inline, in the image config.",
                    spec, "Use -CacheTo inline and push the image; later builds use it with -CacheFrom <image>. Registry and local cache exports need a standalone buildkitd.");
        }
        return inline;
    }

    /// <summary>What a build run's steps share: the request, its context, the parsed stages and the progress activity.</summary>
    sealed record BuildRun(BuildRequest Request, BuildContext Context, DockerfileStages Stages, string Activity);

    /// <summary>What the engine's build stream reported: the vertexes, the image ID, the tags and the error.</summary>
    sealed class BuildStreamState
    {
        public readonly Dictionary<string, VertexState> Vertexes = new(StringComparer.Ordinal);
        public string? ImageId;
        public readonly List<string> Tagged = new();
        public string? Error;
    }

    public async Task<BuildResult> BuildAsync(BuildRequest request, BuildContext context, CancellationToken ct)
    {
        var started = DateTime.UtcNow;
        var total = Stopwatch.StartNew();
        var dockerfileText = ReadDockerfile(context);
        var stages = DockerfileStages.Parse(dockerfileText);
        CheckFrontendFeatures(stages, context);
        var inlineCache = ParseCacheTo(request.CacheTo);

        var label = request.Tags.Count > 0 ? request.Tags[0] : Path.GetFileName(context.DockerfilePath);
        var activity = $"Building {label}";
        var result = BuildDriver.NewResult(request, context, started, "BuildKit", _engine.Endpoint.ToString());
        var run = new BuildRun(request, context, stages, activity);

        var (services, fileSync) = CreateSessionServices(request, context);
        var sessionLog = new ConcurrentQueue<string>();
        await using var session = await EngineSession.OpenAsync(_engine.Endpoint, services, Path.GetFileName(context.ContextDirectory),
            EngineSession.SharedKey(context.ContextDirectory), sessionLog.Enqueue, ct).ConfigureAwait(false);
        await WaitForSessionAsync(session, ct).ConfigureAwait(false);
        _sink.Verbose($"BuildKit session {session.Id}: serving {string.Join(", ", services.Methods)}.");

        var buildId = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        var query = BuildQuery(request, context, session.Id, buildId, inlineCache);
        _sink.Verbose($"POST {query}");
        var response = await SendBuildRequestAsync(query, ct).ConfigureAwait(false);

        var state = new BuildStreamState();
        try
        {
            await ReadBuildStreamAsync(response, run, state, sessionLog, ct).ConfigureAwait(false);
        }
        catch (Exception e) when ((e is OperationCanceledException || e is IOException) && ct.IsCancellationRequested)
        {
            await CancelAsync(buildId).ConfigureAwait(false);
            _sink.Progress(new DockOptProgress(request.ActivityId, activity, "Cancelled") { Completed = true });
            throw new OperationCanceledException(ct);
        }
        DrainSessionLog(sessionLog);
        FlushPartials(state.Vertexes);
        _sink.Progress(new DockOptProgress(request.ActivityId, activity, "Done") { Completed = true });

        var imageId = CheckBuildSucceeded(run, state);
        FillResult(result, run, state, imageId, fileSync, session);
        await AddImageSizeAsync(result, imageId, ct).ConfigureAwait(false);
        result.Duration = total.Elapsed;
        return result;
    }

    /// <summary>The session's services: health, file sync of the context and Dockerfile folders, auth, and secrets and ssh when asked.</summary>
    static (SessionServiceSet Services, FileSyncService FileSync) CreateSessionServices(BuildRequest request, BuildContext context)
    {
        var dockerfileDir = Path.GetDirectoryName(context.DockerfilePath)!;
        var fileSync = new FileSyncService(new Dictionary<string, string> { ["context"] = context.ContextDirectory, ["dockerfile"] = dockerfileDir });
        var services = new SessionServiceSet().Add(new HealthService()).Add(fileSync);
        services.Add(AuthService.FromRegistryAuth(new RegistryAuth(), NullSink.Instance)); // session threads: no pipeline output
        if (request.Secrets.Count > 0) services.Add(new SecretsService(request.Secrets.ToDictionary(s => s.Id, s => s, StringComparer.Ordinal)));
        if (request.Ssh.Count > 0) services.Add(new SshService(request.Ssh.ToDictionary(s => s.Id, s => s.Path, StringComparer.Ordinal)));
        return (services, fileSync);
    }

    async Task WaitForSessionAsync(EngineSession session, CancellationToken ct)
    {
        try
        {
            await session.Server.Ready.WaitAsync(TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or IOException)
        {
            throw new DockOptException(ErrorIds.BuildKitSessionFailed, DockOptErrorCategory.ConnectionError,
                $"The engine at {_engine.Endpoint} did not start the BuildKit session: {e.Message}", _engine.Endpoint.ToString(),
                "Use -Builder Classic, or check what sits between DockOpt and the engine.", e);
        }
    }

    async Task<HttpResponseMessage> SendBuildRequestAsync(string query, CancellationToken ct)
    {
        try
        {
            return await _engine.SendAsync(HttpMethod.Post, query, null, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (!ct.IsCancellationRequested)
        {
            throw new DockOptException(ErrorIds.EngineUnreachable, DockOptErrorCategory.ConnectionError,
                $"The Docker engine at {_engine.Endpoint} closed the build request: {(e.InnerException ?? e).Message}", _engine.Endpoint.ToString(),
                "Check that the engine is running.", e);
        }
    }

    /// <summary>Reads the build's JSON stream line by line into <paramref name="state"/>, draining the session log as it goes; a refused build throws its mapped error.</summary>
    async Task ReadBuildStreamAsync(HttpResponseMessage response, BuildRun run, BuildStreamState state, ConcurrentQueue<string> sessionLog, CancellationToken ct)
    {
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                throw MapError(EngineErrors.ExtractMessage(body), state.Vertexes, run.Stages, run.Context, run.Request, response.StatusCode);
            }
            await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } raw)
            {
                DrainSessionLog(sessionLog);
                if (raw.Length == 0) continue;
                JsonDocument doc;
                try { doc = JsonDocument.Parse(raw); }
                catch (JsonException)
                {
                    _sink.Verbose(raw);
                    continue;
                }
                using (doc)
                    HandleStreamMessage(doc.RootElement, run, state);
            }
        }
    }

    /// <summary>One JSON message of the build stream: BuildKit status, the image ID, stream text (tags), or an error.</summary>
    void HandleStreamMessage(JsonElement root, BuildRun run, BuildStreamState state)
    {
        if (root.ValueKind != JsonValueKind.Object) return;
        var id = root.TryGetProperty("id", out var idEl) && idEl.ValueKind == JsonValueKind.String ? idEl.GetString() : null;
        if (root.TryGetProperty("aux", out var aux))
        {
            if (id == "moby.buildkit.trace" && aux.ValueKind == JsonValueKind.String)
                OnStatus(StatusResponse.Parse(aux.GetBytesFromBase64()), state.Vertexes, run.Stages, run.Request, run.Activity);
            else if (id == "moby.image.id" && aux.ValueKind == JsonValueKind.Object && aux.TryGetProperty("ID", out var img) && img.ValueKind == JsonValueKind.String)
                state.ImageId = img.GetString();
        }
        if (root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.String)
        {
            foreach (var line in (s.GetString() ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.StartsWith("Successfully tagged ", StringComparison.Ordinal)) state.Tagged.Add(line.Substring(20).Trim());
                _sink.Verbose(line.TrimEnd());
            }
        }
        if (root.TryGetProperty("errorDetail", out var ed) && ed.ValueKind == JsonValueKind.Object && ed.TryGetProperty("message", out var em) && em.ValueKind == JsonValueKind.String)
            state.Error = em.GetString();
        else if (root.TryGetProperty("error", out var er) && er.ValueKind == JsonValueKind.String)
            state.Error = er.GetString();
    }

    /// <summary>The built image's ID; throws the mapped build error, or BuildFailed when the engine named no image.</summary>
    string CheckBuildSucceeded(BuildRun run, BuildStreamState state)
    {
        if (state.Error != null)
            throw MapError(state.Error, state.Vertexes, run.Stages, run.Context, run.Request, HttpStatusCode.OK);
        if (state.ImageId == null)
            throw new DockOptException(ErrorIds.BuildFailed, DockOptErrorCategory.InvalidResult,
                "The engine ended the BuildKit build without an image ID.", run.Context.DockerfilePath, "Run with -Verbose to see the engine's messages.");
        return state.ImageId;
    }

    /// <summary>Fills the result's image, tags, steps, cache counts and context figures from the stream and the session.</summary>
    void FillResult(BuildResult result, BuildRun run, BuildStreamState state, string imageId, FileSyncService fileSync, EngineSession session)
    {
        var steps = Steps(state.Vertexes, run.Stages);
        result.ImageId = imageId;
        result.Tags = state.Tagged.Count > 0 ? state.Tagged.ToArray() : run.Request.Tags.ToArray();
        result.Steps = steps;
        result.StepCount = steps.Length;
        result.CacheHits = steps.Count(s => s.Cached && !s.Instruction.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase)); // as the classic count: a FROM is no cache hit
        result.CacheMisses = steps.Count(s => !s.Cached && !s.Instruction.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase));
        var sent = fileSync.For("context");
        result.ContextBytes = sent.Bytes;
        result.ContextEntryCount = sent.Entries;
        var contextVertex = state.Vertexes.Values.FirstOrDefault(v => v.Vertex.Name == "[internal] load build context");
        if (contextVertex?.Vertex.Started is { } cs && contextVertex.Vertex.Completed is { } cc) result.ContextDuration = cc - cs;
        _sink.Verbose($"Build context: {fileSync.BytesSent} bytes in {fileSync.FilesSent} file(s) sent, {fileSync.EntriesSent} entries described; health checks answered: {session.Server.CallCounts.GetValueOrDefault("/grpc.health.v1.Health/Check")}.");
    }

    /// <summary>Inspects the built image for its size and layer count.</summary>
    async Task AddImageSizeAsync(BuildResult result, string imageId, CancellationToken ct)
    {
        try
        {
            var inspect = await _engine.Client.Images.InspectImageAsync(imageId, ct).ConfigureAwait(false);
            result.Size = inspect.Size;
            result.LayerCount = inspect.RootFS?.Layers?.Count ?? 0;
        }
        catch (DockerApiException e)
        {
            throw EngineErrors.FromApi(e, ErrorIds.ImageNotFound, imageId);
        }
    }

    static string ReadDockerfile(BuildContext context)
    {
        try
        {
            return Dockerfiles.SourceFile.ReadAllText(context.DockerfilePath, "Dockerfile");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new DockOptException(ErrorIds.BuildContextUnreadable, DockOptErrorCategory.ReadError,
                $"Cannot read the Dockerfile '{context.DockerfilePath}': {e.Message}", context.DockerfilePath, "Fix the file's permissions.", e);
        }
    }

    /// <summary>Features the engine's built-in frontend (Dockerfile syntax 1.2) lacks, caught before the build with their line.</summary>
    static void CheckFrontendFeatures(DockerfileStages stages, BuildContext context)
    {
        if (stages.Syntax == null && stages.FirstHeredoc is { } h)
            throw new DockOptException(ErrorIds.BuildKitFeatureUnsupported, DockOptErrorCategory.NotImplemented,
                $"{context.DockerfilePath}:{h.Line}: {h.Keyword} uses a heredoc (<<EOF), which needs Dockerfile syntax 1.4; the engine's built-in frontend is 1.2.",
                $"{context.DockerfilePath}:{h.Line}",
                "Add '# syntax=docker/dockerfile:1.4' as the first line (the engine then pulls that frontend image, so its registry must be reachable), " +
                "or write the file with RUN printf '...' > file / COPY a file from the context instead.");
    }

    string BuildQuery(BuildRequest r, BuildContext ctx, string sessionId, string buildId, bool inlineCache)
    {
        var q = new List<string>();
        void Add(string k, string v) => q.Add(k + "=" + Uri.EscapeDataString(v));
        Add("version", "2");
        Add("session", sessionId);
        Add("remote", "client-session");
        Add("buildid", buildId);
        foreach (var t in r.Tags) Add("t", t);
        Add("dockerfile", Path.GetFileName(ctx.DockerfilePath));
        if (!string.IsNullOrEmpty(r.Target)) Add("target", r.Target!);
        var args = new Dictionary<string, string?>(r.BuildArgs, StringComparer.Ordinal);
        if (inlineCache) args["BUILDKIT_INLINE_CACHE"] = "1";
        if (args.Count > 0) Add("buildargs", JsonSerializer.Serialize(args));
        if (r.Labels.Count > 0) Add("labels", JsonSerializer.Serialize(r.Labels));
        if (r.NoCache) Add("nocache", "1");
        if (r.Pull) Add("pull", "1");
        if (!string.IsNullOrEmpty(r.Platform)) Add("platform", r.Platform!.ToLowerInvariant());
        if (r.CacheFrom.Count > 0) Add("cachefrom", JsonSerializer.Serialize(r.CacheFrom));
        return "/build?" + string.Join('&', q);
    }

    void OnStatus(StatusResponse status, Dictionary<string, VertexState> vertexes, DockerfileStages stages, BuildRequest request, string activity)
    {
        foreach (var v in status.Vertexes)
        {
            if (!vertexes.TryGetValue(v.Digest, out var st))
            {
                st = new VertexState { Order = vertexes.Count, Step = DockerfileStages.ParseStepName(v.Name) };
                vertexes[v.Digest] = st;
            }
            st.Vertex = v;
            if (v.Started != null && v.Completed == null && !st.ProgressShown)
            {
                st.ProgressShown = true;
                var pct = st.Step is { } s && s.Total > 0 ? (int)Math.Min(99, (s.Index - 1) * 100L / s.Total) : -1;
                _sink.Progress(new DockOptProgress(request.ActivityId, activity, Shorten(v.Name)) { PercentComplete = pct });
            }
            if (v.Completed != null && st.Step != null && v.Error.Length == 0 && !st.Reported)
            {
                st.Reported = true;
                _sink.Information(v.Cached ? $"{v.Name} (cached)" : $"{v.Name} ({(v.Completed - v.Started)?.TotalSeconds ?? 0:0.0} s)", "DockOpt", "Build", "Step");
            }
        }
        foreach (var l in status.Logs)
        {
            if (!vertexes.TryGetValue(l.Vertex, out var st)) continue;
            st.Partial.Append(Encoding.UTF8.GetString(l.Msg));
            var text = st.Partial.ToString();
            var last = text.LastIndexOf('\n');
            if (last < 0) continue;
            foreach (var line in text.Substring(0, last).Split('\n'))
            {
                var clean = line.TrimEnd('\r');
                st.AddOutput(clean);
                _sink.Information(clean, "DockOpt", "Build", "StepOutput");
            }
            st.Partial.Clear().Append(text.Substring(last + 1));
        }
        foreach (var s in status.Statuses)
        {
            if (s.Total > 0 && s.Completed == null && vertexes.TryGetValue(s.Vertex, out var st))
                _sink.Progress(new DockOptProgress(request.ActivityId, activity, Shorten(st.Vertex.Name))
                {
                    CurrentOperation = $"{s.Id} {s.Current}/{s.Total}",
                    PercentComplete = st.Step is { } step && step.Total > 0 ? (int)Math.Min(99, (step.Index - 1) * 100L / step.Total) : -1,
                });
        }
    }

    void FlushPartials(Dictionary<string, VertexState> vertexes)
    {
        foreach (var st in vertexes.Values.Where(v => v.Partial.Length > 0))
        {
            var line = st.Partial.ToString().TrimEnd('\r');
            st.AddOutput(line);
            _sink.Information(line, "DockOpt", "Build", "StepOutput");
            st.Partial.Clear();
        }
    }

    void DrainSessionLog(ConcurrentQueue<string> log)
    {
        while (log.TryDequeue(out var m)) _sink.Verbose(m);
    }

    static BuildStep[] Steps(Dictionary<string, VertexState> vertexes, DockerfileStages stages)
    {
        var steps = vertexes.Values.Where(v => v.Step != null)
            .OrderBy(v => v.Vertex.Started ?? DateTime.MaxValue).ThenBy(v => v.Order)
            .Select(v => ToStep(v, stages)).ToArray();
        for (var i = 0; i < steps.Length; i++) steps[i].Number = i + 1;
        return steps;
    }

    static BuildStep ToStep(VertexState v, DockerfileStages stages)
    {
        var s = v.Step!.Value;
        return new BuildStep
        {
            Instruction = s.Instruction,
            Stage = stages.StageName(s.Stage),
            Line = stages.LineOf(s.Stage, s.Index),
            Cached = v.Vertex.Cached,
            StartedAt = v.Vertex.Started,
            Duration = v.Vertex.Started is { } a && v.Vertex.Completed is { } b && b > a ? b - a : TimeSpan.Zero,
        };
    }

    static string Shorten(string s) => s.Length <= 80 ? s : s.Substring(0, 77) + "...";

    async Task CancelAsync(string buildId)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using var resp = await _engine.SendAsync(HttpMethod.Post, "/build/cancel?id=" + buildId, null, cts.Token).ConfigureAwait(false);
            _sink.Verbose($"POST /build/cancel: HTTP {(int)resp.StatusCode}.");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            // best effort: dropping the /build connection cancels the solve too
        }
    }

    DockOptException MapError(string message, Dictionary<string, VertexState> vertexes, DockerfileStages stages,
        BuildContext ctx, BuildRequest r, HttpStatusCode status)
    {
        var dockerfile = ctx.DockerfilePath;
        var failed = vertexes.Values.Where(v => v.Vertex.Error.Length > 0).OrderBy(v => v.Order).ToList();
        var failedStep = failed.FirstOrDefault(v => v.Step != null && !v.Vertex.Error.Contains("context canceled", StringComparison.Ordinal))
                         ?? failed.FirstOrDefault(v => v.Step != null);

        if (message.Contains("unknown cache exporter", StringComparison.OrdinalIgnoreCase))
            return new DockOptException(ErrorIds.BuildCacheExporterUnsupported, DockOptErrorCategory.InvalidArgument,
                $"The engine rejected the cache export: {message}", dockerfile, "Use -CacheTo inline.");
        if (stages.Syntax is { } syn && (message.Contains(syn.Image, StringComparison.OrdinalIgnoreCase) || message.Contains("frontend", StringComparison.OrdinalIgnoreCase)) &&
            failedStep == null)
            return new DockOptException(ErrorIds.BuildFrontendUnavailable, DockOptErrorCategory.ResourceUnavailable,
                $"{dockerfile}:{syn.Line}: the '# syntax={syn.Image}' line hands the build to the frontend image '{syn.Image}', which the engine could not get: {message}",
                $"{dockerfile}:{syn.Line}",
                $"Remove the '# syntax=' line to use the engine's built-in frontend (Dockerfile syntax 1.2: RUN --mount, COPY --chmod and platform arguments work), " +
                $"or let the engine reach the registry of '{syn.Image}' (or load that image locally with docker load).");
        if (UnknownFlag.Match(message) is { Success: true } uf)
        {
            var line = LineNumber.Match(message) is { Success: true } lm ? lm.Groups[1].Value : null;
            return new DockOptException(ErrorIds.BuildKitFeatureUnsupported, DockOptErrorCategory.NotImplemented,
                $"{dockerfile}{(line != null ? ":" + line : "")}: the engine's built-in Dockerfile frontend (syntax 1.2) does not know the flag --{uf.Groups[1].Value.TrimStart('-')}: {message}",
                line != null ? $"{dockerfile}:{line}" : dockerfile,
                "Remove the flag, or add '# syntax=docker/dockerfile:1.4' (or later) as the first line when the engine can pull that frontend image.");
        }
        if (message.Contains("target stage", StringComparison.OrdinalIgnoreCase) && message.Contains("could not be found", StringComparison.OrdinalIgnoreCase))
            return new DockOptException(ErrorIds.BuildTargetNotFound, DockOptErrorCategory.InvalidArgument, message, r.Target,
                "Give -Target the name of a stage (FROM ... AS <name>) of this Dockerfile.");
        if (message.Contains("dockerfile parse error", StringComparison.OrdinalIgnoreCase) || message.Contains("unknown instruction", StringComparison.OrdinalIgnoreCase) ||
            message.Contains("failed to create LLB definition", StringComparison.OrdinalIgnoreCase) && failedStep == null &&
            !message.Contains("failed to resolve source metadata", StringComparison.OrdinalIgnoreCase) && !message.Contains("pull access denied", StringComparison.OrdinalIgnoreCase) &&
            !message.Contains("not found", StringComparison.OrdinalIgnoreCase))
            return new DockOptException(ErrorIds.DockerfileInvalid, DockOptErrorCategory.ParserError, $"{dockerfile}: {Dockerfiles.MessageText.Summarise(message)}",
                dockerfile, "Fix the Dockerfile syntax (Test-DockOptDockerfile shows each problem with its line).");
        if (message.Contains("invalid reference format", StringComparison.OrdinalIgnoreCase) || message.Contains("invalid tag", StringComparison.OrdinalIgnoreCase))
            return new DockOptException(ErrorIds.InvalidTag, DockOptErrorCategory.InvalidArgument, message, string.Join(", ", r.Tags),
                "Image names are lower-case: [registry[:port]/]name[:tag], for example myapp:1.0 or localhost:5000/team/app:latest.");
        if (message.Contains("no active session", StringComparison.OrdinalIgnoreCase))
            return new DockOptException(ErrorIds.BuildKitSessionFailed, DockOptErrorCategory.ConnectionError,
                $"The engine lost DockOpt's BuildKit session: {message}", _engine.Endpoint.ToString(), "Retry; if it persists, use -Builder Classic and report it.");

        // Base image resolution (load metadata for …) or a FROM step that could not pull.
        var meta = failed.FirstOrDefault(v => v.Vertex.Name.StartsWith("[internal] load metadata for ", StringComparison.Ordinal));
        var fromStep = failedStep is { Step: { } fs } && fs.Instruction.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase) ? failedStep : null;
        if (meta != null || fromStep != null ||
            message.Contains("failed to resolve source metadata", StringComparison.OrdinalIgnoreCase) || message.Contains("pull access denied", StringComparison.OrdinalIgnoreCase))
        {
            var image = meta?.Vertex.Name.Substring("[internal] load metadata for ".Length) ??
                        (fromStep?.Step?.Instruction.Substring(5).Trim().Split(' ').FirstOrDefault() ?? "");
            var line = fromStep?.Step is { } st ? stages.LineOf(st.Stage, st.Index) : null;
            return new DockOptException(ErrorIds.BaseImageNotFound, DockOptErrorCategory.ObjectNotFound,
                $"{(line != null ? $"{dockerfile}:{line}: " : "")}the base image '{image}' could not be resolved: {message}", image,
                $"The engine could not find '{image}' locally nor pull it. Build or load it locally, tag an existing image with that name, " +
                "or point the FROM line (or its ARG) at an image the engine has (Get-DockOptImage lists them).");
        }

        if (failedStep is { Step: { } step }) return StepFailed(message, failedStep, step, vertexes, stages, ctx);
        return EngineErrors.FromStatus(status == HttpStatusCode.OK ? HttpStatusCode.InternalServerError : status, message, ErrorIds.BuildFailed, dockerfile);
    }

    /// <summary>BuildStepFailed for the failed step: its number, instruction, Dockerfile line, exit code and last output lines.</summary>
    BuildStepFailedException StepFailed(string message, VertexState failedStep, (string? Stage, int Index, int Total, string Instruction) step, Dictionary<string, VertexState> vertexes,
        DockerfileStages stages, BuildContext ctx)
    {
        var dockerfile = ctx.DockerfilePath;
        var line = stages.LineOf(step.Stage, step.Index);
        var where = line is { } l ? $"{dockerfile}:{l}" : dockerfile;
        var errorText = failedStep.Vertex.Error.Length > 0 ? failedStep.Vertex.Error : message;
        int? exit = ExitCode.Match(errorText) is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) :
            ExitCode.Match(message) is { Success: true } m2 ? int.Parse(m2.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
        var steps = Steps(vertexes, stages);
        var number = Array.FindIndex(steps, s => s.Instruction == step.Instruction && s.Stage == stages.StageName(step.Stage)) + 1;
        var tail = failedStep.Tail.ToArray();
        var text = BuildDriver.StepFailureMessage(
            $"Step {number}/{steps.Length} [{stages.StageName(step.Stage)} {step.Index}/{step.Total}] '{step.Instruction}' ({where}) failed", exit, message, tail);
        var hint = step.Instruction.StartsWith("RUN", StringComparison.OrdinalIgnoreCase)
            ? $"Fix the command at {where}. To debug, build the stage before it (-Target) and run: docker run --rm -it <image> sh."
            : $"Fix the instruction at {where} (for COPY/ADD: the source must exist in the context and not be excluded by {ctx.IgnoreFile ?? ".dockerignore"}).";
        return new BuildStepFailedException(text, dockerfile, hint, number, steps.Length, step.Instruction, line, exit, tail, dockerfile);
    }
}
