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
    static readonly Regex RunningIn = new(@"^ ---> Running in ([0-9a-f]+)\s*$", RegexOptions.Compiled);
    static readonly Regex Removing = new(@"^Removing intermediate container ([0-9a-f]+)\s*$", RegexOptions.Compiled);
    static readonly Regex LayerId = new(@"^ ---> ([0-9a-f]{12,})\s*$", RegexOptions.Compiled);
    static readonly Regex Tagged = new(@"^Successfully tagged (.+?)\s*$", RegexOptions.Compiled);
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

    public async Task<BuildResult> BuildAsync(BuildRequest request, CancellationToken ct)
    {
        try
        {
            return await BuildCoreAsync(request, ct).ConfigureAwait(false);
        }
        catch (DockOptException)
        {
            // Close the progress bar of a build that failed before it finished.
            _sink.Progress(new DockOptProgress(request.ActivityId, "Building", "Failed") { Completed = true });
            throw;
        }
    }

    async Task<BuildResult> BuildCoreAsync(BuildRequest request, CancellationToken ct)
    {
        var started = DateTime.UtcNow;
        var total = Stopwatch.StartNew();
        var context = BuildContext.Prepare(request.ContextPath, request.Dockerfile, request.WorkingDirectory);
        IReadOnlyList<DockerfileSteps.Instruction> instructions;
        try
        {
            instructions = DockerfileSteps.Parse(File.ReadAllText(context.DockerfilePath));
        }
        catch (UnauthorizedAccessException e)
        {
            throw new DockOptException("BuildContextUnreadable", DockOptErrorCategory.ReadError,
                $"Cannot read the Dockerfile '{context.DockerfilePath}': {e.Message}", context.DockerfilePath, "Fix the file's permissions.", e);
        }
        var label = request.Tags.Count > 0 ? request.Tags[0] : Path.GetFileName(context.DockerfilePath);
        var activity = $"Building {label}";
        _sink.Verbose($"Context {context.ContextDirectory}, Dockerfile {context.DockerfilePath} (sent as '{context.ApiDockerfile}'), ignore file {context.IgnoreFile ?? "none"}, {context.Excludes.Count} pattern(s).");

        var content = new ContextContent(context, (bytes, entries) => _sink.Progress(new DockOptProgress(request.ActivityId, activity, "Sending build context")
        {
            CurrentOperation = $"{entries} entries, {bytes / (1024.0 * 1024.0):0.0} MB",
        }));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");

        var result = new BuildResult
        {
            Dockerfile = context.DockerfilePath,
            ContextPath = context.ContextDirectory,
            Target = string.IsNullOrEmpty(request.Target) ? null : request.Target,
            BuildArgNames = request.BuildArgs.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray(),
            StartedAt = started,
            Engine = _engine.Endpoint.ToString(),
            IgnoreFile = context.IgnoreFile,
        };
        (result.GitCommit, result.GitBranch) = GitInfo.Resolve(context.ContextDirectory);

        var steps = new List<BuildStep>();
        StepState? current = null;
        string? runningContainer = null;
        string? imageId = null;
        var tagged = new List<string>();

        void FinishStep()
        {
            if (current == null) return;
            current.Clock.Stop();
            current.Step.Duration = current.Clock.Elapsed;
            steps.Add(current.Step);
        }

        void OnLine(string line)
        {
            var m = StepLine.Match(line);
            if (m.Success)
            {
                FinishStep();
                var n = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                var of = int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
                current = new StepState
                {
                    Step = new BuildStep { Number = n, Instruction = m.Groups[3].Value, Line = n <= instructions.Count ? instructions[n - 1].Line : null },
                };
                current.Clock.Start();
                result.StepCount = of;
                _sink.Progress(new DockOptProgress(request.ActivityId, activity, $"Step {n}/{of}: {Shorten(m.Groups[3].Value)}")
                {
                    PercentComplete = (int)((n - 1) * 100L / Math.Max(of, 1)),
                });
                _sink.Information(line, "DockOpt", "Build", "Step");
                return;
            }
            if (line.StartsWith(" ---> Using cache", StringComparison.Ordinal))
            {
                if (current != null) current.Step.Cached = true;
                _sink.Verbose(line.Trim());
                return;
            }
            if (RunningIn.Match(line) is { Success: true } r)
            {
                runningContainer = r.Groups[1].Value;
                _sink.Verbose(line.Trim());
                return;
            }
            if (Removing.Match(line) is { Success: true } rm)
            {
                if (runningContainer != null && rm.Groups[1].Value.StartsWith(runningContainer, StringComparison.Ordinal)) runningContainer = null;
                _sink.Verbose(line.Trim());
                return;
            }
            if (LayerId.IsMatch(line) || line.StartsWith("Successfully built ", StringComparison.Ordinal))
            {
                _sink.Verbose(line.Trim());
                return;
            }
            if (Tagged.Match(line) is { Success: true } t)
            {
                tagged.Add(t.Groups[1].Value);
                _sink.Verbose(line.Trim());
                return;
            }
            current?.AddOutput(line);
            _sink.Information(line, "DockOpt", "Build", "StepOutput");
        }

        var query = BuildQuery(request, context);
        var contextClock = Stopwatch.StartNew();
        HttpResponseMessage response;
        try
        {
            response = await _engine.SendAsync(HttpMethod.Post, query, content, ct).ConfigureAwait(false);
        }
        catch (Exception) when (content.Failure != null)
        {
            throw content.Failure;
        }
        catch (HttpRequestException e) when (!ct.IsCancellationRequested)
        {
            throw new DockOptException("EngineUnreachable", DockOptErrorCategory.ConnectionError,
                $"The Docker engine at {_engine.Endpoint} closed the build request: {(e.InnerException ?? e).Message}", _engine.Endpoint.ToString(),
                "Check that the engine is running and has disk space for the build context.", e);
        }

        var pendingError = (Message: (string?)null, Code: (int?)null);
        try
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
                await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                using var reader = new StreamReader(stream, Encoding.UTF8);
                var partial = new StringBuilder();
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
                    using (doc)
                    {
                        var root = doc.RootElement;
                        if (root.ValueKind != JsonValueKind.Object) continue;
                        if (root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.String)
                        {
                            partial.Append(s.GetString());
                            var text = partial.ToString();
                            var lastNl = text.LastIndexOf('\n');
                            if (lastNl >= 0)
                            {
                                foreach (var l in text.Substring(0, lastNl).Split('\n')) OnLine(l.TrimEnd('\r'));
                                partial.Clear().Append(text.Substring(lastNl + 1));
                            }
                        }
                        if (root.TryGetProperty("aux", out var aux) && aux.ValueKind == JsonValueKind.Object &&
                            aux.TryGetProperty("ID", out var id) && id.ValueKind == JsonValueKind.String)
                            imageId = id.GetString();
                        if (root.TryGetProperty("status", out var st) && st.ValueKind == JsonValueKind.String)
                        {
                            var idPart = root.TryGetProperty("id", out var sid) && sid.ValueKind == JsonValueKind.String ? sid.GetString() + ": " : "";
                            if (!root.TryGetProperty("progressDetail", out var pd) || pd.ValueKind != JsonValueKind.Object || !pd.TryGetProperty("current", out _))
                                _sink.Verbose(idPart + st.GetString());
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
                            pendingError = (message ?? "unknown error", code);
                        }
                    }
                }
                if (partial.Length > 0) OnLine(partial.ToString());
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await RemoveContainerAsync(runningContainer).ConfigureAwait(false);
            throw;
        }
        catch (IOException) when (ct.IsCancellationRequested)
        {
            await RemoveContainerAsync(runningContainer).ConfigureAwait(false);
            throw new OperationCanceledException(ct);
        }
        FinishStep();
        _sink.Progress(new DockOptProgress(request.ActivityId, activity, "Done") { Completed = true });

        if (pendingError.Message != null)
        {
            await RemoveContainerAsync(runningContainer).ConfigureAwait(false);
            throw StepError(pendingError.Message, pendingError.Code, current, result.StepCount, context, request);
        }
        if (imageId == null)
            throw new DockOptException("BuildFailed", DockOptErrorCategory.InvalidResult,
                "The engine ended the build without an image ID.", context.DockerfilePath, "Run with -Verbose to see the engine's messages.");

        total.Stop();
        result.ImageId = imageId;
        result.Tags = tagged.Count > 0 ? tagged.ToArray() : request.Tags.ToArray();
        result.Steps = steps.ToArray();
        result.CacheHits = steps.Count(s => s.Cached);
        result.CacheMisses = steps.Count(s => !s.Cached && !IsFromStep(s.Instruction));
        try
        {
            var inspect = await _engine.Client.Images.InspectImageAsync(imageId, ct).ConfigureAwait(false);
            result.Size = inspect.Size;
            result.LayerCount = inspect.RootFS?.Layers?.Count ?? 0;
        }
        catch (DockerApiException e)
        {
            throw EngineErrors.FromApi(e, "ImageNotFound", imageId);
        }
        result.Duration = total.Elapsed;
        return result;
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
        if (message.Contains("parse error", StringComparison.OrdinalIgnoreCase) || message.Contains("unknown instruction", StringComparison.OrdinalIgnoreCase))
            return new DockOptException("DockerfileInvalid", DockOptErrorCategory.ParserError, $"{ctx.DockerfilePath}: {message}",
                ctx.DockerfilePath, "Fix the Dockerfile syntax (Invoke-DockOptLint shows each problem with its line).");
        if (message.Contains("target stage", StringComparison.OrdinalIgnoreCase) || message.Contains("failed to reach build target", StringComparison.OrdinalIgnoreCase))
            return new DockOptException("BuildTargetNotFound", DockOptErrorCategory.InvalidArgument, message, r.Target,
                "Give -Target the name of a stage (FROM ... AS <name>) of this Dockerfile.");
        if (message.Contains("invalid reference format", StringComparison.OrdinalIgnoreCase) || message.Contains("invalid tag", StringComparison.OrdinalIgnoreCase))
            return new DockOptException("InvalidTag", DockOptErrorCategory.InvalidArgument, message, string.Join(", ", r.Tags),
                "Image names are lower-case: [registry[:port]/]name[:tag], for example myapp:1.0 or localhost:5000/team/app:latest.");
        return EngineErrors.FromStatus(status, message, "BuildFailed", ctx.DockerfilePath);
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
            return new DockOptException("BaseImageNotFound", DockOptErrorCategory.ObjectNotFound,
                $"Step {step.Step.Number}/{stepCount} '{instruction}' ({where}): the base image '{image}' is not available locally and could not be pulled: {message}",
                image,
                $"The engine has no local image '{image}' and no registry that has it is reachable. Build or import it locally " +
                "(docker load -i image.tar, docker import, or Invoke-DockOptBuild -Tag " + image + "), tag an existing local image with that name, " +
                "or point the FROM line (or its ARG) at an image the engine has (Get-DockOptImage lists them).");
        }
        var exit = code ?? (NonZero.Match(message) is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null);
        if (NonZero.Match(message) is { Success: true } m2) exit = int.Parse(m2.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var tail = step.Tail.ToArray();
        var sb = new StringBuilder();
        sb.Append($"Step {step.Step.Number}/{stepCount} '{instruction}' ({where}) failed");
        sb.Append(exit is { } x ? $" with exit code {x}" : "").Append(": ").Append(message.Trim());
        if (tail.Length > 0)
        {
            sb.Append($"\nLast {tail.Length} line(s) of its output:");
            foreach (var t in tail) sb.Append("\n  ").Append(t);
        }
        var hint = instruction.StartsWith("RUN", StringComparison.OrdinalIgnoreCase)
            ? $"Fix the command at {where}. To debug, run the previous step's image: docker run --rm -it <image> sh, and repeat the command."
            : $"Fix the instruction at {where} (for COPY/ADD: the source must exist in the context and not be excluded by {ctx.IgnoreFile ?? ".dockerignore"}).";
        return new BuildStepFailedException(sb.ToString(), dockerfile, hint, step.Step.Number, stepCount, instruction, step.Step.Line, exit, tail, dockerfile);
    }

    /// <summary>The request body: the context tar written straight into the request stream as the engine reads it.</summary>
    sealed class ContextContent : HttpContent
    {
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
                var buffered = new BufferedStream(stream, 256 * 1024); // not disposed: the handler owns the request stream
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
}
