using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Docker.DotNet;
using DockOpt.Engine.DockerApi;

namespace DockOpt.Engine.Building;

/// <summary>What to build: the parameters of Invoke-DockOptBuild.</summary>
public sealed class BuildRequest
{
    public string ContextPath { get; init; } = ".";
    public string? Dockerfile { get; init; }

    /// <summary>Relative -Path and -Dockerfile are resolved against this directory (the PowerShell location).</summary>
    public string WorkingDirectory { get; init; } = Environment.CurrentDirectory;
    public IReadOnlyList<string> Tags { get; init; } = Array.Empty<string>();
    public string? Target { get; init; }
    public IReadOnlyDictionary<string, string?> BuildArgs { get; init; } = new Dictionary<string, string?>();
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public bool NoCache { get; init; }
    public bool Pull { get; init; }
    public string? Platform { get; init; }
    public IReadOnlyList<string> CacheFrom { get; init; } = Array.Empty<string>();

    /// <summary>Cache exports (-CacheTo): only <c>inline</c> (or <c>type=inline</c>) works with the engine's BuildKit.</summary>
    public IReadOnlyList<string> CacheTo { get; init; } = Array.Empty<string>();

    /// <summary>Which builder: Auto (BuildKit where the engine has it), BuildKit or Classic.</summary>
    public BuilderKind Builder { get; init; } = BuilderKind.Auto;

    /// <summary>Secrets for RUN --mount=type=secret (BuildKit only).</summary>
    public IReadOnlyList<BuildKit.BuildSecret> Secrets { get; private set; } = Array.Empty<BuildKit.BuildSecret>();

    /// <summary>SSH agents for RUN --mount=type=ssh: id → agent socket (BuildKit only).</summary>
    public IReadOnlyList<(string Id, string Path)> Ssh { get; private set; } = Array.Empty<(string, string)>();

    /// <summary>A copy with the secrets and ssh agents set (parsed where their errors can be reported per item).</summary>
    public BuildRequest WithSessionOptions(IReadOnlyList<BuildKit.BuildSecret> secrets, IReadOnlyList<(string Id, string Path)> ssh)
    {
        var copy = (BuildRequest)MemberwiseClone();
        copy.Secrets = secrets;
        copy.Ssh = ssh;
        return copy;
    }

    /// <summary>Progress activity id (one per build in a pipeline).</summary>
    public int ActivityId { get; init; } = 1;
}

/// <summary>
/// Drives the engine's classic builder (<c>POST /build</c>) with a context packed by <see cref="BuildContext"/>, reads
/// its JSON message stream (steps, cache hits, step output, errors, the image ID) and describes the result.
/// </summary>
public sealed class BuildDriver
{
    static readonly Regex StepLine = new(@"^Step (\d+)/(\d+) : (.*)$", RegexOptions.Compiled);
    // Podman's /build is Buildah: "[2/2] STEP 1/3: FROM x" (the stage prefix only in multi-stage builds), "--> Using cache <id>",
    // "--> <id>", "COMMIT <name>", and the bare image ID on a line of its own.
    static readonly Regex BuildahStep = new(@"^(?:\[(\d+)/(\d+)\] )?STEP (\d+)/(\d+): (.*)$", RegexOptions.Compiled);
    static readonly Regex BuildahLayer = new(@"^--> (?:Using cache )?[0-9a-f]{11,64}\s*$|^COMMIT( .*)?$|^[0-9a-f]{64}$", RegexOptions.Compiled);
    static readonly Regex RunningIn = new(@"^ ---> Running in ([0-9a-f]+)\s*$", RegexOptions.Compiled);
    static readonly Regex Removing = new(@"^Removing intermediate container ([0-9a-f]+)\s*$", RegexOptions.Compiled);
    static readonly Regex LayerId = new(@"^ ---> ([0-9a-f]{12,})\s*$", RegexOptions.Compiled);
    static readonly Regex TaggedLine = new(@"^Successfully tagged (.+?)\s*$", RegexOptions.Compiled);
    static readonly Regex NonZero = new(@"returned a non-zero code: (\d+)", RegexOptions.Compiled);

    readonly DockerEngine _engine;
    readonly IDockOptSink _sink;

    public BuildDriver(DockerEngine engine, IDockOptSink sink)
    {
        _engine = engine;
        _sink = sink;
    }

    sealed class StepState
    {
        public BuildStep Step = new();
        public Stopwatch Clock = new();
        public readonly Queue<string> Tail = new();
        public void AddOutput(string line)
        {
            Tail.Enqueue(line);
            while (Tail.Count > 20) Tail.Dequeue();
        }
    }

    /// <summary>The API version from which the engine has BuildKit built in (Docker 18.09).</summary>
    public static readonly Version BuildKitMinApiVersion = new(1, 39);

    /// <summary>Resolves -Builder against the engine: Auto takes BuildKit where offered; forcing BuildKit where it is not fails.</summary>
    public static BuilderKind ChooseBuilder(BuilderKind requested, Version apiVersion, string? engineOs, bool needsBuildKit,
        Func<string, string?>? env = null, string? buildKitMissingReason = null)
    {
        var offered = apiVersion >= BuildKitMinApiVersion && !string.Equals(engineOs, "windows", StringComparison.OrdinalIgnoreCase)
            && buildKitMissingReason == null;
        var why = buildKitMissingReason ?? (apiVersion < BuildKitMinApiVersion
            ? $"the engine speaks API {apiVersion}, and BuildKit needs {BuildKitMinApiVersion} or later"
            : "the engine runs Windows containers, where the engine's BuildKit cannot run RUN steps");
        switch (requested)
        {
            case BuilderKind.Classic:
                if (needsBuildKit)
                    throw new DockOptException(ErrorIds.BuildKitUnavailable, DockOptErrorCategory.InvalidArgument,
                        "-Secret and -Ssh need BuildKit, but -Builder Classic was given.", "Classic", "Drop -Builder Classic, or drop -Secret/-Ssh.");
                return BuilderKind.Classic;
            case BuilderKind.BuildKit:
                if (!offered)
                    throw new DockOptException(ErrorIds.BuildKitUnavailable, DockOptErrorCategory.NotImplemented,
                        $"BuildKit is not available: {why}.", "BuildKit", "Use -Builder Classic (or Auto), or an engine with API 1.39 or later on Linux.");
                return BuilderKind.BuildKit;
            default:
                var flag = (env ?? Environment.GetEnvironmentVariable)("DOCKER_BUILDKIT");
                var optedOut = flag != null && (flag == "0" || flag.Equals("false", StringComparison.OrdinalIgnoreCase));
                if (offered && !optedOut) return BuilderKind.BuildKit;
                if (needsBuildKit)
                    throw new DockOptException(ErrorIds.BuildKitUnavailable, DockOptErrorCategory.NotImplemented,
                        optedOut ? "-Secret and -Ssh need BuildKit, but DOCKER_BUILDKIT turns it off." : $"-Secret and -Ssh need BuildKit, which is not available: {why}.",
                        "BuildKit", "Use an engine with BuildKit (API 1.39+, Linux), or build without -Secret/-Ssh.");
                return BuilderKind.Classic;
        }
    }

    public async Task<BuildResult> BuildAsync(BuildRequest request, CancellationToken ct)
    {
        try
        {
            var builder = ChooseBuilder(request.Builder, _engine.ApiVersion, _engine.EngineOs, request.Secrets.Count > 0 || request.Ssh.Count > 0,
                buildKitMissingReason: _engine.BuildKitMissingReason);
            if (builder == BuilderKind.BuildKit)
            {
                var context = BuildContext.Prepare(request.ContextPath, request.Dockerfile, request.WorkingDirectory);
                Preflight(context.DockerfilePath, classic: false);
                _sink.Verbose($"Builder: BuildKit (engine API {_engine.ApiVersion}). Context {context.ContextDirectory}, Dockerfile {context.DockerfilePath}.");
                return await new BuildKit.BuildKitBuilder(_engine, _sink).BuildAsync(request, context, ct).ConfigureAwait(false);
            }
            if (request.CacheTo.Count > 0)
                throw new DockOptException(ErrorIds.BuildCacheExporterUnsupported, DockOptErrorCategory.InvalidArgument,
                    "-CacheTo needs BuildKit; the classic builder exports no cache.", string.Join(", ", request.CacheTo), "Use -Builder BuildKit (or Auto on an engine with BuildKit).");
            _sink.Verbose(_engine.BuildKitMissingReason is { } noBuildKit ? $"Builder: classic ({noBuildKit})." : "Builder: classic.");
            return await BuildCoreAsync(request, ct).ConfigureAwait(false);
        }
        catch (DockOptException)
        {
            // Close the progress bar of a build that failed before it finished.
            _sink.Progress(new DockOptProgress(request.ActivityId, "Building", "Failed") { Completed = true });
            throw;
        }
    }

    /// <summary>The classic builder: pack the context, send it with POST /build, read the Step N/M stream, describe the image.</summary>
    async Task<BuildResult> BuildCoreAsync(BuildRequest request, CancellationToken ct)
    {
        var started = DateTime.UtcNow;
        var total = Stopwatch.StartNew();
        var context = BuildContext.Prepare(request.ContextPath, request.Dockerfile, request.WorkingDirectory);
        Preflight(context.DockerfilePath, classic: true);
        var instructions = ReadInstructions(context);
        var label = request.Tags.Count > 0 ? request.Tags[0] : Path.GetFileName(context.DockerfilePath);
        var activity = $"Building {label}";
        _sink.Verbose($"Context {context.ContextDirectory}, Dockerfile {context.DockerfilePath} (sent as '{context.ApiDockerfile}'), ignore file {context.IgnoreFile ?? "none"}, {context.Excludes.Count} pattern(s).");

        var content = new ContextContent(context, (bytes, entries) => _sink.Progress(new DockOptProgress(request.ActivityId, activity, "Sending build context")
        {
            CurrentOperation = $"{entries} entries, {bytes / (1024.0 * 1024.0):0.0} MB",
        }));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        var result = NewResult(request, context, started, "Classic");
        var stream = new ClassicStream(this, request, instructions, activity, result);

        var contextClock = Stopwatch.StartNew();
        var response = await SendClassicBuildAsync(request, context, content, ct).ConfigureAwait(false);
        try
        {
            await ReadClassicStreamAsync(response, request, context, content, stream, contextClock, result, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await RemoveContainerAsync(stream.RunningContainer).ConfigureAwait(false);
            throw;
        }
        catch (IOException) when (ct.IsCancellationRequested)
        {
            await RemoveContainerAsync(stream.RunningContainer).ConfigureAwait(false);
            throw new OperationCanceledException(ct);
        }
        stream.FinishStep();
        _sink.Progress(new DockOptProgress(request.ActivityId, activity, "Done") { Completed = true });

        if (stream.PendingError.Message != null)
        {
            await RemoveContainerAsync(stream.RunningContainer).ConfigureAwait(false);
            throw StepError(stream.PendingError.Message, stream.PendingError.Code, stream.Current, result.StepCount, context, request);
        }
        if (stream.ImageId == null)
            throw new DockOptException(ErrorIds.BuildFailed, DockOptErrorCategory.InvalidResult,
                "The engine ended the build without an image ID.", context.DockerfilePath, "Run with -Verbose to see the engine's messages.");

        result.Tags = stream.Tagged.Count > 0 ? stream.Tagged.ToArray() : request.Tags.ToArray();
        result.Steps = stream.Steps.ToArray();
        result.CacheHits = stream.Steps.Count(s => s.Cached);
        result.CacheMisses = stream.Steps.Count(s => !s.Cached && !IsFromStep(s.Instruction));
        await DescribeImageAsync(result, stream.ImageId, ct).ConfigureAwait(false);
        result.Duration = total.Elapsed;
        return result;
    }

    /// <summary>
    /// What the engine would report badly, said before it: a Dockerfile that is not a regular file (a FIFO would block),
    /// binary, empty or comments only, or (classic builder) with heredocs.
    /// </summary>
    internal static void Preflight(string dockerfilePath, bool classic)
    {
        Dockerfiles.SourceFile.EnsureRegular(dockerfilePath, "Dockerfile");
        string text;
        try { text = File.ReadAllText(dockerfilePath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; } // the context packer reports it
        if (text.Contains('\0'))
            throw new DockOptException(ErrorIds.DockerfileBinary, DockOptErrorCategory.InvalidData,
                $"The Dockerfile '{dockerfilePath}' is a binary file ({new FileInfo(dockerfilePath).Length} bytes with NUL bytes), not a Dockerfile.", dockerfilePath,
                "Give a text Dockerfile: this file holds binary data (NUL bytes).");
        var doc = Dockerfiles.DockerfileParser.Parse(text);
        if (doc.Instructions.Count == 0)
            throw new DockOptException(ErrorIds.DockerfileEmpty, DockOptErrorCategory.InvalidData,
                $"The Dockerfile '{dockerfilePath}' has no instructions ({(text.Trim().Length == 0 ? "it is empty" : "it holds only comments")}).", dockerfilePath,
                "Add instructions (FROM, then RUN, COPY, …): the Dockerfile is empty or holds only comments.");
        if (classic && doc.Instructions.FirstOrDefault(i => i.Heredocs.Count > 0) is { } h)
            throw new DockOptException(ErrorIds.DockerfileHeredocNeedsBuildKit, DockOptErrorCategory.NotImplemented,
                $"Line {h.Range.Start.Line} of '{dockerfilePath}' uses a heredoc ({h.Keyword} <<{h.Heredocs[0].Delimiter}); the classic builder does not know heredocs, they need BuildKit's Dockerfile 1.4 frontend.", dockerfilePath,
                "Heredocs need BuildKit's Dockerfile 1.4 frontend: use -Builder BuildKit (or Auto on an engine with BuildKit) and '# syntax=docker/dockerfile:1.4', or rewrite the heredoc as RUN lines.");
    }

    /// <summary>The Dockerfile's instructions with their lines (to point a failing step at its line).</summary>
    static IReadOnlyList<DockerfileSteps.Instruction> ReadInstructions(BuildContext context)
    {
        try
        {
            return DockerfileSteps.Parse(File.ReadAllText(context.DockerfilePath));
        }
        catch (UnauthorizedAccessException e)
        {
            throw new DockOptException(ErrorIds.BuildContextUnreadable, DockOptErrorCategory.ReadError,
                $"Cannot read the Dockerfile '{context.DockerfilePath}': {e.Message}", context.DockerfilePath, "Fix the file's permissions.", e);
        }
    }

    /// <summary>The result's description of the request (filled in further as the build runs), for either builder.</summary>
    internal static BuildResult NewResult(BuildRequest request, BuildContext context, DateTime started, string builder, string engine)
    {
        var result = new BuildResult
        {
            Dockerfile = context.DockerfilePath,
            ContextPath = context.ContextDirectory,
            Target = string.IsNullOrEmpty(request.Target) ? null : request.Target,
            BuildArgNames = request.BuildArgs.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray(),
            StartedAt = started,
            Engine = engine,
            IgnoreFile = context.IgnoreFile,
            Builder = builder,
        };
        (result.GitCommit, result.GitBranch) = GitInfo.Resolve(context.ContextDirectory);
        return result;
    }

    BuildResult NewResult(BuildRequest request, BuildContext context, DateTime started, string builder) =>
        NewResult(request, context, started, builder, _engine.Endpoint.ToString());

    /// <summary>POST /build with the context tar streamed as the body.</summary>
    async Task<HttpResponseMessage> SendClassicBuildAsync(BuildRequest request, BuildContext context, ContextContent content, CancellationToken ct)
    {
        try
        {
            return await _engine.SendAsync(HttpMethod.Post, BuildQuery(request, context), content, ct).ConfigureAwait(false);
        }
        catch (Exception) when (content.Failure != null)
        {
            throw content.Failure;
        }
        catch (HttpRequestException e) when (!ct.IsCancellationRequested)
        {
            throw new DockOptException(ErrorIds.EngineUnreachable, DockOptErrorCategory.ConnectionError,
                $"The Docker engine at {_engine.Endpoint} closed the build request: {(e.InnerException ?? e).Message}", _engine.Endpoint.ToString(),
                "Check that the engine is running and has disk space for the build context.", e);
        }
    }

    /// <summary>Reads the engine's JSON message stream into <paramref name="stream"/>; records when the context had arrived.</summary>
    async Task ReadClassicStreamAsync(HttpResponseMessage response, BuildRequest request, BuildContext context, ContextContent content,
        ClassicStream stream, Stopwatch contextClock, BuildResult result, CancellationToken ct)
    {
        using (response)
        {
            if (content.Failure != null) throw content.Failure;
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                throw RequestError(response.StatusCode, EngineErrors.ExtractMessage(body), context, request);
            }
            result.ContextBytes = content.BytesWritten;
            result.ContextEntryCount = context.EntryCount;
            await using var body2 = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            using var reader = new StreamReader(body2, Encoding.UTF8);
            var firstMessage = true;
            while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } raw)
            {
                if (raw.Length == 0) continue;
                if (firstMessage)
                {
                    firstMessage = false;
                    contextClock.Stop();
                    result.ContextDuration = contextClock.Elapsed;
                    result.ContextBytes = content.BytesWritten;
                    result.ContextEntryCount = context.EntryCount;
                    _sink.Verbose($"Build context: {content.BytesWritten} bytes, {context.EntryCount} entries, sent in {contextClock.Elapsed.TotalSeconds:0.000} s.");
                }
                JsonDocument doc;
                try { doc = JsonDocument.Parse(raw); }
                catch (JsonException)
                {
                    _sink.Verbose(raw);
                    continue;
                }
                using (doc) stream.OnMessage(doc.RootElement);
            }
            stream.FlushPartial();
        }
    }

    /// <summary>Size and layer count from docker image inspect.</summary>
    async Task DescribeImageAsync(BuildResult result, string imageId, CancellationToken ct)
    {
        result.ImageId = imageId;
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

    /// <summary>The classic builder's message stream: Step N/M lines, cache hits, step output, the image ID and errors.</summary>
    sealed class ClassicStream
    {
        readonly BuildDriver _driver;
        readonly BuildRequest _request;
        readonly IReadOnlyList<DockerfileSteps.Instruction> _instructions;
        readonly string _activity;
        readonly BuildResult _result;
        readonly StringBuilder _partial = new();

        public ClassicStream(BuildDriver driver, BuildRequest request, IReadOnlyList<DockerfileSteps.Instruction> instructions, string activity, BuildResult result)
        {
            _driver = driver;
            _request = request;
            _instructions = instructions;
            _activity = activity;
            _result = result;
        }

        public List<BuildStep> Steps { get; } = new();
        public StepState? Current { get; private set; }
        public string? RunningContainer { get; private set; }
        public string? ImageId { get; private set; }
        public List<string> Tagged { get; } = new();
        public (string? Message, int? Code) PendingError { get; private set; }

        IDockOptSink Sink => _driver._sink;

        public void FinishStep()
        {
            if (Current == null) return;
            Current.Clock.Stop();
            Current.Step.Duration = Current.Clock.Elapsed;
            Steps.Add(Current.Step);
        }

        public void OnMessage(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object) return;
            if (root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.String)
            {
                _partial.Append(s.GetString());
                var text = _partial.ToString();
                var lastNl = text.LastIndexOf('\n');
                if (lastNl >= 0)
                {
                    foreach (var l in text.Substring(0, lastNl).Split('\n')) OnLine(l.TrimEnd('\r'));
                    _partial.Clear().Append(text.Substring(lastNl + 1));
                }
            }
            if (root.TryGetProperty("aux", out var aux) && aux.ValueKind == JsonValueKind.Object &&
                aux.TryGetProperty("ID", out var id) && id.ValueKind == JsonValueKind.String)
                ImageId = id.GetString();
            if (root.TryGetProperty("status", out var st) && st.ValueKind == JsonValueKind.String)
            {
                var idPart = root.TryGetProperty("id", out var sid) && sid.ValueKind == JsonValueKind.String ? sid.GetString() + ": " : "";
                if (!root.TryGetProperty("progressDetail", out var pd) || pd.ValueKind != JsonValueKind.Object || !pd.TryGetProperty("current", out _))
                    Sink.Verbose(idPart + st.GetString());
            }
            if (root.TryGetProperty("errorDetail", out var ed) || root.TryGetProperty("error", out _))
            {
                string? message = null;
                int? code = null;
                if (ed.ValueKind == JsonValueKind.Object)
                {
                    if (ed.TryGetProperty("message", out var em) && em.ValueKind == JsonValueKind.String) message = em.GetString();
                    if (ed.TryGetProperty("code", out var ec) && ec.ValueKind == JsonValueKind.Number) code = ec.GetInt32();
                }
                if (message == null && root.TryGetProperty("error", out var er) && er.ValueKind == JsonValueKind.String) message = er.GetString();
                PendingError = (message ?? "unknown error", code);
            }
        }

        public void FlushPartial()
        {
            if (_partial.Length > 0) OnLine(_partial.ToString());
            _partial.Clear();
        }

        int _buildahStage, _buildahOffset, _buildahStageSteps;

        /// <summary>Buildah numbers steps per stage and skips ARGs before the first FROM: the Dockerfile-wide step number.</summary>
        (int N, int Of) BuildahNumber(Match b)
        {
            int I(int g) => b.Groups[g].Success ? int.Parse(b.Groups[g].Value, System.Globalization.CultureInfo.InvariantCulture) : 1;
            var stage = I(1);
            if (stage != _buildahStage)
            {
                if (_buildahStage != 0) _buildahOffset += _buildahStageSteps;
                _buildahStage = stage;
            }
            _buildahStageSteps = I(4);
            var globalArgs = _instructions.TakeWhile(i => !i.Keyword.Equals("FROM", StringComparison.OrdinalIgnoreCase)).Count();
            var n = globalArgs + _buildahOffset + I(3);
            return (n, Math.Max(_instructions.Count, globalArgs + _buildahOffset + _buildahStageSteps));
        }

        void OnLine(string line)
        {
            var m = StepLine.Match(line);
            var buildah = m.Success ? Match.Empty : BuildahStep.Match(line);
            if (m.Success || buildah.Success)
            {
                FinishStep();
                int n, of;
                string instruction;
                if (m.Success)
                {
                    n = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                    of = int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
                    instruction = m.Groups[3].Value;
                }
                else
                {
                    (n, of) = BuildahNumber(buildah);
                    instruction = buildah.Groups[5].Value;
                }
                Current = new StepState
                {
                    Step = new BuildStep { Number = n, Instruction = instruction, Line = n <= _instructions.Count ? _instructions[n - 1].Line : null },
                };
                Current.Clock.Start();
                _result.StepCount = of;
                Sink.Progress(new DockOptProgress(_request.ActivityId, _activity, $"Step {n}/{of}: {Shorten(instruction)}")
                {
                    PercentComplete = (int)((n - 1) * 100L / Math.Max(of, 1)),
                });
                Sink.Information(line, "DockOpt", "Build", "Step");
                return;
            }
            if (line.StartsWith(" ---> Using cache", StringComparison.Ordinal) || line.StartsWith("--> Using cache", StringComparison.Ordinal))
            {
                if (Current != null) Current.Step.Cached = true;
                Sink.Verbose(line.Trim());
                return;
            }
            if (RunningIn.Match(line) is { Success: true } r)
            {
                RunningContainer = r.Groups[1].Value;
                Sink.Verbose(line.Trim());
                return;
            }
            if (Removing.Match(line) is { Success: true } rm)
            {
                if (RunningContainer != null && rm.Groups[1].Value.StartsWith(RunningContainer, StringComparison.Ordinal)) RunningContainer = null;
                Sink.Verbose(line.Trim());
                return;
            }
            if (LayerId.IsMatch(line) || BuildahLayer.IsMatch(line) || line.StartsWith("Successfully built ", StringComparison.Ordinal))
            {
                Sink.Verbose(line.Trim());
                return;
            }
            if (TaggedLine.Match(line) is { Success: true } t)
            {
                // Buildah lists every name the image has (docker.io/app:1, and older tags of the same image), then Podman
                // the names asked for (app:1): keep only those asked for.
                var tagged = t.Groups[1].Value;
                var shortForm = tagged.StartsWith("docker.io/library/", StringComparison.Ordinal) ? tagged.Substring(18)
                    : tagged.StartsWith("docker.io/", StringComparison.Ordinal) ? tagged.Substring(10) : tagged;
                if (_buildahStage != 0 && _request.Tags.Count > 0)
                    tagged = _request.Tags.Contains(shortForm) ? shortForm : _request.Tags.Contains(tagged) ? tagged : "";
                if (tagged.Length > 0 && !Tagged.Contains(tagged)) Tagged.Add(tagged);
                Sink.Verbose(line.Trim());
                return;
            }
            Current?.AddOutput(line);
            Sink.Information(line, "DockOpt", "Build", "StepOutput");
        }
    }

    static bool IsFromStep(string instruction) => instruction.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase);

    static string Shorten(string s) => s.Length <= 80 ? s : s.Substring(0, 77) + "...";

    string BuildQuery(BuildRequest r, BuildContext ctx)
    {
        var q = new List<string>();
        void Add(string k, string v) => q.Add(k + "=" + Uri.EscapeDataString(v));
        foreach (var t in r.Tags) Add("t", t);
        Add("dockerfile", ctx.ApiDockerfile);
        if (!string.IsNullOrEmpty(r.Target)) Add("target", r.Target!);
        if (r.BuildArgs.Count > 0) Add("buildargs", JsonSerializer.Serialize(r.BuildArgs));
        if (r.Labels.Count > 0) Add("labels", JsonSerializer.Serialize(r.Labels));
        if (r.NoCache) Add("nocache", "1");
        if (r.Pull) Add("pull", "1");
        if (!string.IsNullOrEmpty(r.Platform)) Add("platform", r.Platform!);
        if (r.CacheFrom.Count > 0) Add("cachefrom", JsonSerializer.Serialize(r.CacheFrom));
        Add("rm", "1");
        // A failed step's container is removed too (the CLI keeps it by default): a failed build leaves nothing behind.
        Add("forcerm", "1");
        if (_engine.ApiVersion >= new Version(1, 38)) Add("version", "1");
        return "/build?" + string.Join('&', q);
    }

    async Task RemoveContainerAsync(string? id)
    {
        if (id == null) return;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            // The engine kills and removes the step container when the client goes away; this makes sure of it.
            for (var attempt = 0; attempt < 10; attempt++)
            {
                using var resp = await _engine.SendAsync(HttpMethod.Delete, $"/containers/{id}?force=1&v=1", null, cts.Token).ConfigureAwait(false);
                if (resp.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.NoContent or HttpStatusCode.OK) return;
                await Task.Delay(300, cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            // best effort
        }
    }

    static DockOptException RequestError(HttpStatusCode status, string message, BuildContext ctx, BuildRequest r)
    {
        message = Dockerfiles.MessageText.Summarise(message); // a 10,000-line continuation comes back whole; raw bytes too
        if (message.Contains("parse error", StringComparison.OrdinalIgnoreCase) || message.Contains("unknown instruction", StringComparison.OrdinalIgnoreCase))
            return new DockOptException(ErrorIds.DockerfileInvalid, DockOptErrorCategory.ParserError, $"{ctx.DockerfilePath}: {message}",
                ctx.DockerfilePath, "Fix the Dockerfile syntax (Test-DockOptDockerfile shows each problem with its line).");
        if (message.Contains("target stage", StringComparison.OrdinalIgnoreCase) || message.Contains("failed to reach build target", StringComparison.OrdinalIgnoreCase))
            return new DockOptException(ErrorIds.BuildTargetNotFound, DockOptErrorCategory.InvalidArgument, message, r.Target,
                "Give -Target the name of a stage (FROM ... AS <name>) of this Dockerfile.");
        if (message.Contains("invalid reference format", StringComparison.OrdinalIgnoreCase) || message.Contains("invalid tag", StringComparison.OrdinalIgnoreCase))
            return new DockOptException(ErrorIds.InvalidTag, DockOptErrorCategory.InvalidArgument, message, string.Join(", ", r.Tags),
                "Image names are lower-case: [registry[:port]/]name[:tag], for example myapp:1.0 or localhost:5000/team/app:latest.");
        return EngineErrors.FromStatus(status, message, ErrorIds.BuildFailed, ctx.DockerfilePath);
    }

    static DockOptException StepError(string message, int? code, StepState? step, int stepCount, BuildContext ctx, BuildRequest r)
    {
        var dockerfile = ctx.DockerfilePath;
        if (step == null)
            return RequestError(HttpStatusCode.InternalServerError, message, ctx, r);
        var instruction = step.Step.Instruction;
        var where = step.Step.Line is { } l ? $"{dockerfile}:{l}" : dockerfile;
        if (IsFromStep(instruction) && (message.Contains("pull access denied", StringComparison.OrdinalIgnoreCase) ||
            message.Contains("not found", StringComparison.OrdinalIgnoreCase) || message.Contains("dial tcp", StringComparison.OrdinalIgnoreCase) ||
            message.Contains("lookup ", StringComparison.OrdinalIgnoreCase) || message.Contains("repository does not exist", StringComparison.OrdinalIgnoreCase) ||
            message.Contains("manifest unknown", StringComparison.OrdinalIgnoreCase) || message.Contains("no such host", StringComparison.OrdinalIgnoreCase) ||
            message.Contains("Get \"http", StringComparison.OrdinalIgnoreCase) || message.Contains("connection refused", StringComparison.OrdinalIgnoreCase) ||
            message.Contains("timeout", StringComparison.OrdinalIgnoreCase)))
        {
            var image = instruction.Substring(5).Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(w => !w.StartsWith("--", StringComparison.Ordinal)) ?? "";
            return new DockOptException(ErrorIds.BaseImageNotFound, DockOptErrorCategory.ObjectNotFound,
                $"Step {step.Step.Number}/{stepCount} '{instruction}' ({where}): the base image '{image}' is not available locally and could not be pulled: {message}",
                image,
                $"The engine has no local image '{image}' and no registry that has it is reachable. Build or import it locally " +
                "(docker load -i image.tar, docker import, or Invoke-DockOptBuild -Tag " + image + "), tag an existing local image with that name, " +
                "or point the FROM line (or its ARG) at an image the engine has (Get-DockOptImage lists them).");
        }
        var exit = code ?? (NonZero.Match(message) is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null);
        if (NonZero.Match(message) is { Success: true } m2) exit = int.Parse(m2.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var tail = step.Tail.ToArray();
        var text = StepFailureMessage($"Step {step.Step.Number}/{stepCount} '{instruction}' ({where}) failed", exit, message, tail);
        var hint = instruction.StartsWith("RUN", StringComparison.OrdinalIgnoreCase)
            ? $"Fix the command at {where}. To debug, run the previous step's image: docker run --rm -it <image> sh, and repeat the command."
            : $"Fix the instruction at {where} (for COPY/ADD: the source must exist in the context and not be excluded by {ctx.IgnoreFile ?? ".dockerignore"}).";
        return new BuildStepFailedException(text, dockerfile, hint, step.Step.Number, stepCount, instruction, step.Step.Line, exit, tail, dockerfile);
    }

    /// <summary>The request body: the context tar written straight into the request stream as the engine reads it.</summary>
    sealed class ContextContent : HttpContent
    {
        internal const int ChunkSize = 32 * 1024;

        readonly BuildContext _context;
        readonly Action<long, int> _progress;

        public ContextContent(BuildContext context, Action<long, int> progress)
        {
            _context = context;
            _progress = progress;
        }

        public DockOptException? Failure { get; private set; }
        public long BytesWritten { get; private set; }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken ct)
        {
            SerializeToStream(stream, context, ct);
            return Task.CompletedTask;
        }

        protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken ct)
        {
            try
            {
                // 32 KiB chunks, as the docker CLI sends: the engine starts unpacking after the first 32 KiB rather than the
                // first 256 KiB, and the socket's buffer keeps the walk and the engine's unpacking overlapped to the end.
                var buffered = new BufferedStream(stream, ChunkSize); // not disposed: the handler owns the request stream
                BytesWritten = _context.WriteTo(buffered, ct, _progress);
                buffered.Flush();
            }
            catch (DockOptException e)
            {
                Failure = e;
                throw;
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }

    /// <summary>A failed step's message, the same for both builders: what failed, its exit code, the engine's message and the step's last output lines.</summary>
    internal static string StepFailureMessage(string what, int? exit, string message, IReadOnlyList<string> tail)
    {
        var sb = new StringBuilder(what);
        sb.Append(exit is { } x ? $" with exit code {x}" : "").Append(": ").Append(message.Trim());
        if (tail.Count > 0)
        {
            sb.Append($"\nLast {tail.Count} line(s) of its output:");
            foreach (var t in tail) sb.Append("\n  ").Append(t);
        }
        return sb.ToString();
    }
}
