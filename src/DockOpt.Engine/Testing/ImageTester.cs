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

    /// <summary>Platform of the containers the run creates (os/arch[/variant]); null: the engine's default.</summary>
    public string? Platform { get; init; }
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
    readonly PublishedPorts _published;

    public ImageTester(DockerEngine engine, IDockOptSink sink, IImageFileSource? files)
    {
        _engine = engine;
        _published = PublishedPorts.For(engine.Endpoint);
        _api = new ContainerApi(engine);
        _sink = sink;
        _files = files;
    }

    internal sealed class Run
    {
        public required string Image;
        public required string ImageId;
        public readonly List<ImageTestResult> Results = new();
        public Action<ImageTestResult> Emit = _ => { };
        public Func<string, bool> Wanted = _ => true;
        public readonly HashSet<CommandSpec> CommandsDone = new();
        public Dictionary<string, string> GlobalEnv = new(StringComparer.Ordinal);
        public string? UserOverride;
        public JsonNode? CommandHostConfig;
        public bool Tty;

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
        _api.Platform = options.Platform;
        if (options.Platform != null) CheckPlatform(run, info, options.Platform);
        ApplyRunSettings(run, spec, options);
        // The static exec-form reading defers to the graceful-shutdown check when that one runs.
        var needsContainer = NeedsContainer(spec, run);
        var execForm = spec.Metadata.ExecForm == true && run.Wanted(CatMetadata);
        var deferExec = execForm && needsContainer && run.Wanted(CatShutdown) && spec.Runtime.Shutdown != false;
        var summary = new ImageTestSummary { Image = image, ImageId = info.Id, StartedAt = started };

        // Files from the image's layers: /etc/passwd for the user check, plus every file check, in one pass.
        var plan = PlanImageFiles(run, info, spec);
        var files = await ReadImageFilesAsync(image, info, plan, ct).ConfigureAwait(false);

        if (run.Wanted(CatMetadata)) CheckStaticMetadata(run, info, spec, plan, files, execForm && !deferExec);
        CheckFilesAndSystem(run, spec, plan, files);
        if (run.Wanted(CatFiles))
            await CheckLicensesAsync(run, info, spec, files.Entries, files.Error, ct).ConfigureAwait(false);
        if (run.Wanted(CatMetadata) && (spec.Metadata.Volumes.Count > 0 || spec.Metadata.UnmountedVolumes.Count > 0))
            await CheckVolumesAsync(run, info, spec.Metadata, ct).ConfigureAwait(false);

        if (needsContainer)
            await RunContainerAsync(run, info, spec, options, summary, ct).ConfigureAwait(false);
        if (run.Wanted(CatCommand))
            foreach (var c in spec.Commands.Where(c => !run.CommandsDone.Contains(c)))
                await RunCommandAsync(run, null, c, info, spec, ct).ConfigureAwait(false);
        if (deferExec) AddDeferredExecForm(run, info, spec);

        if (run.Results.Count == 0)
            run.Add(CatSuite, "At least one check ran", ">= 1 check", "0 checks", ImageTestOutcome.Error,
                "No check ran: the spec and parameters select nothing for this image (check -Category and the spec file).");

        FillSummary(summary, run, total);
        _sink.Progress(new DockOptProgress(61, $"Testing {image}", "Done") { Completed = true });
        return summary;
    }

    static void CheckPlatform(Run run, ImageInfo info, string platform)
    {
        var have = $"{info.Os}/{info.Architecture}" + (string.IsNullOrEmpty(info.Variant) ? "" : "/" + info.Variant);
        var want = platform.Trim().ToLowerInvariant();
        var ok = have.Equals(want, StringComparison.OrdinalIgnoreCase) || (want.Count(c => c == '/') == 1 && have.StartsWith(want + "/", StringComparison.OrdinalIgnoreCase));
        run.Add(CatMetadata, "Platform", want, have, ok ? ImageTestOutcome.Passed : ImageTestOutcome.Failed,
            ok ? "" : $"The local image is {have}, not {want}: pull or build it for {want} (docker pull --platform {want}).");
    }

    /// <summary>The spec's environment, user, host config and tty for every container, and the category filter.</summary>
    static void ApplyRunSettings(Run run, ImageTestSpec spec, ImageTestOptions options)
    {
        foreach (var kv in RunEnvironment(spec.Runtime)) run.GlobalEnv[kv.Key] = kv.Value;
        foreach (var kv in spec.CommandEnv) run.GlobalEnv[kv.Key] = kv.Value;
        run.UserOverride = spec.Runtime.User;
        run.CommandHostConfig = RunHostConfig(spec.Runtime);
        if (spec.Runtime.Tty == true) run.Tty = true;
        run.Wanted = c => options.Categories == null || options.Categories.Contains(c, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Which files the static checks need from the image's layers.</summary>
    sealed record ImageFilePlan(bool NeedPasswd, List<FileSpec> FileSpecs, List<string> ProbeCandidates, List<string> LicenseFiles, List<string> SystemFiles)
    {
        public bool Any => NeedPasswd || FileSpecs.Count > 0 || ProbeCandidates.Count > 0 || LicenseFiles.Count > 0 || SystemFiles.Count > 0;
    }

    /// <summary>The files read from the layers, or why they could not be read (both null: nothing was needed).</summary>
    sealed record ImageFiles(IReadOnlyDictionary<string, ImageFileEntry?>? Entries, string? Error);

    static ImageFilePlan PlanImageFiles(Run run, ImageInfo info, ImageTestSpec spec)
    {
        var needPasswd = run.Wanted(CatMetadata) && spec.Metadata.NonRoot == true && UserNeedsPasswd(info.User);
        var fileSpecs = run.Wanted(CatFiles) ? spec.Files : new List<FileSpec>();
        var probeCandidates = run.Wanted(CatMetadata) && spec.Metadata.Healthcheck == true ? HealthProbeCandidates(info) : new List<string>();
        var licenseFiles = run.Wanted(CatFiles) ? spec.Licenses.SelectMany(l => l.Files).Select(FileChecks.Normalize).Distinct().ToList() : new List<string>();
        var systemFiles = run.Wanted(CatFiles) ? SystemChecks.FilesNeeded(spec.System).ToList() : new List<string>();
        return new(needPasswd, fileSpecs, probeCandidates, licenseFiles, systemFiles);
    }

    async Task<ImageFiles> ReadImageFilesAsync(string image, ImageInfo info, ImageFilePlan plan, CancellationToken ct)
    {
        if (!plan.Any) return new(null, null);
        if (_files == null) return new(null, "Reading files from image layers is not available in this build.");
        var paths = plan.FileSpecs.Select(f => FileChecks.Normalize(f.Path)).ToList();
        var content = plan.FileSpecs.Where(FileChecks.NeedsContent).Select(f => FileChecks.Normalize(f.Path)).ToList();
        if (plan.NeedPasswd) { paths.Add("/etc/passwd"); content.Add("/etc/passwd"); }
        foreach (var lf in plan.LicenseFiles) { paths.Add(lf); content.Add(lf); }
        foreach (var sf in plan.SystemFiles) { paths.Add(sf); content.Add(sf); }
        paths.AddRange(plan.ProbeCandidates);
        _sink.Progress(new DockOptProgress(61, $"Testing {image}", "Reading files from the image layers"));
        IReadOnlyDictionary<string, ImageFileEntry?>? entries = null;
        try
        {
            entries = await _files.ReadAsync(info.Id, paths.Distinct().ToList(), content.Distinct().ToList(), ct).ConfigureAwait(false);
            if (plan.SystemFiles.Contains(SystemChecks.Dpkg))
            {
                // distroless: no status file, one file per package in status.d.
                var merged = new Dictionary<string, ImageFileEntry?>(entries, StringComparer.Ordinal);
                foreach (var kv in await _files.ReadDirectoryAsync(info.Id, SystemChecks.DpkgStatusDirectory, ct).ConfigureAwait(false)) merged[kv.Key] = kv.Value;
                entries = merged;
            }
            return new(entries, null);
        }
        catch (DockOptException e)
        {
            return new(entries, e.Message); // what was read before the failure stays, as before
        }
    }

    /// <summary>The metadata checks on the image config and its files; <paramref name="execFormNow"/>: the static exec-form check runs here.</summary>
    static void CheckStaticMetadata(Run run, ImageInfo info, ImageTestSpec spec, ImageFilePlan plan, ImageFiles files, bool execFormNow)
    {
        var (entries, readerError) = (files.Entries, files.Error);
        string? passwd = null;
        if (plan.NeedPasswd && entries != null && entries.TryGetValue("/etc/passwd", out var pw) && pw?.Content != null)
            passwd = System.Text.Encoding.UTF8.GetString(pw.Content);
        if (plan.NeedPasswd && readerError != null)
            run.Add(CatMetadata, "Runs as non-root user", "a user whose UID is not 0", info.User, ImageTestOutcome.Error,
                $"USER '{info.User}' is a name and the image's /etc/passwd could not be read: {readerError}");
        var md = CloneWithout(spec.Metadata, nonRoot: plan.NeedPasswd && readerError != null);
        foreach (var _ in MetadataChecks.Run(info, md, passwd, run.Maker(CatMetadata))) { }
        if (execFormNow) MetadataChecks.ExecForm(info, spec.Runtime.Init == true, run.Maker(CatMetadata));
        if (plan.ProbeCandidates.Count > 0) CheckHealthcheckCommandPresent(run, info, plan.ProbeCandidates, files);
    }

    static void CheckHealthcheckCommandPresent(Run run, ImageInfo info, List<string> probeCandidates, ImageFiles files)
    {
        var (entries, readerError) = (files.Entries, files.Error);
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

    /// <summary>The file checks and the users, groups and packages checks, on the files read from the layers.</summary>
    static void CheckFilesAndSystem(Run run, ImageTestSpec spec, ImageFilePlan plan, ImageFiles files)
    {
        var (entries, readerError) = (files.Entries, files.Error);
        foreach (var f in plan.FileSpecs)
        {
            if (readerError != null || entries == null)
            {
                run.Add(CatFiles, f.Name ?? f.Path, f.Exists ? "exists" : "absent", "", ImageTestOutcome.Error, readerError ?? "The image could not be read.");
                continue;
            }
            entries.TryGetValue(FileChecks.Normalize(f.Path), out var entry);
            foreach (var _ in FileChecks.Check(f, entry, run.Maker(CatFiles))) { }
        }

        if (plan.SystemFiles.Count > 0)
        {
            if (readerError != null || entries == null)
                run.Add(CatFiles, "Users, groups and packages", "read from the image", "not read", ImageTestOutcome.Error, readerError ?? "The image could not be read.");
            else
                foreach (var _ in SystemChecks.CheckImage(spec.System, entries, run.Maker(CatFiles))) { }
        }
    }

    static void FillSummary(ImageTestSummary summary, Run run, Stopwatch total)
    {
        summary.Total = run.Results.Count;
        summary.PassedCount = run.Results.Count(r => r.Outcome == ImageTestOutcome.Passed);
        summary.FailedCount = run.Results.Count(r => r.Outcome == ImageTestOutcome.Failed);
        summary.ErrorCount = run.Results.Count(r => r.Outcome == ImageTestOutcome.Error);
        summary.SkippedCount = run.Results.Count(r => r.Outcome == ImageTestOutcome.Skipped);
        summary.Outcome = summary.ErrorCount > 0 ? ImageTestOutcome.Error : summary.FailedCount > 0 ? ImageTestOutcome.Failed
            : summary.PassedCount == 0 ? ImageTestOutcome.Error : ImageTestOutcome.Passed;
        summary.Success = summary.Outcome == ImageTestOutcome.Passed;
        summary.Duration = total.Elapsed;
    }

    /// <summary>Words container-structure-test's license test refuses in a copyright file (upper-cased).</summary>
    public static readonly string[] ForbiddenLicenses = { "AGPL", "WTFPL" };

    /// <summary>Debian packages container-structure-test's license test lets go without a copyright file.</summary>
    public static readonly string[] LicenseExceptions = { "libgnutls30" };

    async Task CheckLicensesAsync(Run run, ImageInfo info, ImageTestSpec spec, IReadOnlyDictionary<string, ImageFileEntry?>? entries, string? readerError, CancellationToken ct)
    {
        foreach (var l in spec.Licenses)
        {
            if (l.Debian)
            {
                const string name = "Debian package licenses (/usr/share/doc/*/copyright)";
                const string expected = "a copyright file per package, none naming AGPL or WTFPL";
                var sw = Stopwatch.StartNew();
                if (_files is not ArchiveFileSource archive)
                    run.Add(CatFiles, name, expected, "not read", ImageTestOutcome.Error, "The license scan needs the engine's archive API reader.");
                else
                {
                    List<ArchiveFileSource.DebianLicense>? scan;
                    try { scan = await archive.ScanDebianLicensesAsync(info.Id, ForbiddenLicenses, ct).ConfigureAwait(false); }
                    catch (DockOptException e)
                    {
                        run.Add(CatFiles, name, expected, "not read", ImageTestOutcome.Error, e.Message, sw.Elapsed);
                        continue;
                    }
                    if (scan == null)
                        run.Add(CatFiles, name, expected, "no /usr/share/doc", ImageTestOutcome.Failed, "The image has no /usr/share/doc: it is not a Debian-based image, or its docs were removed.", sw.Elapsed);
                    else
                    {
                        var problems = scan.Where(p => !LicenseExceptions.Contains(p.Package) && (!p.HasCopyright || p.Forbidden != null))
                            .Select(p => p.HasCopyright ? $"{p.Package}: license names {p.Forbidden}" : $"{p.Package}: no copyright file").ToList();
                        run.Add(CatFiles, name, expected, $"{scan.Count} packages, {problems.Count} with problems",
                            problems.Count == 0 ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, string.Join("; ", problems.Take(10)) + (problems.Count > 10 ? $"; … {problems.Count - 10} more" : ""),
                            sw.Elapsed, string.Join("\n", problems), scan.Count);
                    }
                }
            }
            foreach (var f in l.Files.Select(FileChecks.Normalize).Distinct())
            {
                var name = $"License {f}";
                const string expected = "readable, not AGPL or WTFPL";
                if (readerError != null || entries == null) { run.Add(CatFiles, name, expected, "not read", ImageTestOutcome.Error, readerError ?? "The image could not be read."); continue; }
                entries.TryGetValue(f, out var e);
                if (e?.Content == null)
                {
                    run.Add(CatFiles, name, expected, e == null ? "absent" : e.Type, ImageTestOutcome.Failed, $"{f} is not a readable file in the image.");
                    continue;
                }
                var text = System.Text.Encoding.UTF8.GetString(e.Content).ToUpperInvariant();
                var bad = ForbiddenLicenses.FirstOrDefault(w => text.Contains(w, StringComparison.Ordinal));
                run.Add(CatFiles, name, expected, bad == null ? "allowed" : $"names {bad}", bad == null ? ImageTestOutcome.Passed : ImageTestOutcome.Failed,
                    bad == null ? "" : $"{f} contains '{bad}' (container-structure-test refuses AGPL and WTFPL).");
            }
        }
    }

    async Task CheckVolumesAsync(Run run, ImageInfo info, MetadataSpec md, CancellationToken ct)
    {
        var raw = await _api.GetJsonAsync($"/images/{Uri.EscapeDataString(info.Id)}/json", ct, ErrorIds.ImageNotFound).ConfigureAwait(false);
        var volumes = raw["Config"]?["Volumes"] is JsonObject vo ? vo.Select(kv => kv.Key).ToList() : new List<string>();
        var shown = volumes.Count == 0 ? "none" : string.Join(", ", volumes);
        foreach (var v in md.Volumes.Distinct())
            run.Add(CatMetadata, $"Volume {v}", v, shown, volumes.Contains(v) ? ImageTestOutcome.Passed : ImageTestOutcome.Failed,
                volumes.Contains(v) ? "" : $"The image declares no VOLUME {v}.");
        foreach (var v in md.UnmountedVolumes.Distinct())
            run.Add(CatMetadata, $"No volume {v}", $"not {v}", shown, !volumes.Contains(v) ? ImageTestOutcome.Passed : ImageTestOutcome.Failed,
                !volumes.Contains(v) ? "" : $"The image declares VOLUME {v}.");
    }

    /// <summary>The environment every container of the run gets: env files, names from this process, then runtime.environment.</summary>
    internal static Dictionary<string, string> RunEnvironment(RuntimeSpec rt)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var n in rt.HostEnv)
            if (Environment.GetEnvironmentVariable(n) is { } v) env[n] = v;
        foreach (var kv in rt.Environment) env[kv.Key] = kv.Value;
        return env;
    }

    /// <summary>The HostConfig the run options give every container of the run (app, commands): mounts, capabilities, network, read-only root, privileges.</summary>
    internal static JsonObject RunHostConfig(RuntimeSpec rt)
    {
        var host = new JsonObject();
        if (rt.Binds.Count > 0) host["Binds"] = new JsonArray(rt.Binds.Select(b => (JsonNode?)JsonValue.Create(b)).ToArray());
        var mounts = rt.Mounts.Where(m => m.Type != "tmpfs").ToList();
        if (mounts.Count > 0)
            host["Mounts"] = new JsonArray(mounts.Select(m =>
            {
                var o = new JsonObject { ["Type"] = m.Type, ["Target"] = m.Target, ["ReadOnly"] = m.ReadOnly };
                if (!string.IsNullOrEmpty(m.Source)) o["Source"] = m.Source;
                return (JsonNode?)o;
            }).ToArray());
        var tmpfs = rt.Mounts.Where(m => m.Type == "tmpfs").ToList();
        if (tmpfs.Count > 0) host["Tmpfs"] = new JsonObject(tmpfs.Select(m => KeyValuePair.Create(m.Target, (JsonNode?)JsonValue.Create(m.ReadOnly ? "ro" : "rw"))));
        if (rt.CapAdd.Count > 0) host["CapAdd"] = new JsonArray(rt.CapAdd.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray());
        if (rt.CapDrop.Count > 0) host["CapDrop"] = new JsonArray(rt.CapDrop.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray());
        if (rt.Privileged == true) host["Privileged"] = true;
        if (rt.ReadOnly == true) host["ReadonlyRootfs"] = true;
        if (rt.Network != null) host["NetworkMode"] = rt.Network;
        return host;
    }

    static MetadataSpec CloneWithout(MetadataSpec md, bool nonRoot)
    {
        var c = new MetadataSpec();
        c.Merge(md);
        if (nonRoot) c.NonRoot = null;
        c.ExecForm = null; // judged apart (see AddDeferredExecForm)
        return c;
    }

    /// <summary>
    /// The exec-form check after the graceful-shutdown check ran: its result decides (a script that forwards the signal
    /// passes whatever its form; an exec-form app that ignores it fails). Without a shutdown verdict, the static reading.
    /// </summary>
    static void AddDeferredExecForm(Run run, ImageInfo info, ImageTestSpec spec)
    {
        var init = spec.Runtime.Init == true;
        var v = ExecFormCheck.Judge(info.Entrypoint, info.Cmd, init, info.StopSignal);
        var sd = run.Results.LastOrDefault(r => r.Category == CatShutdown && r.Name == ShutdownName);
        const string expected = "the stop signal reaches the app (graceful-shutdown check)";
        if (sd is { Outcome: ImageTestOutcome.Passed })
            run.Add(CatMetadata, MetadataChecks.ExecFormName, expected, v.Actual, ImageTestOutcome.Passed,
                $"Decided by the graceful-shutdown check, which passed ({sd.Actual})." + (v.Ok ? "" : " The static reading alone would have failed it: " + v.Reason));
        else if (sd is { Outcome: ImageTestOutcome.Failed })
            run.Add(CatMetadata, MetadataChecks.ExecFormName, expected, v.Actual, ImageTestOutcome.Failed,
                $"Decided by the graceful-shutdown check, which failed ({sd.Actual}). " + (v.Ok ? "The form looks right; the app itself does not exit on the stop signal." : v.Reason));
        else
            run.Add(CatMetadata, MetadataChecks.ExecFormName, "exec form, 'exec' or a forwarding trap in a sh -c script, or an init as PID 1", v.Actual,
                v.Ok ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, v.Reason + (sd == null ? "" : " (static reading: the graceful-shutdown check did not run to the end)"));
    }

    public const string ShutdownName = "Stops gracefully";

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
        var wantsRuntime = r.Start == true || spec.Services.Count > 0 || spec.System.NeedsContainer || spec.Commands.Any(c => !c.Separate && c.Setup.Count == 0) || r.Http.Count > 0 || !r.Ready.IsEmpty || r.Healthy == true
            || r.Resources != null || r.Shutdown == true || r.Init == true;
        return wantsRuntime && new[] { CatCommand, CatStartup, CatHttp, CatHealth, CatResources, CatShutdown }.Any(run.Wanted);
    }

    // ------------------------------------------------------------------ container phase

    internal sealed class Stats
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
        public int PidSamples;
    }

    static bool NeedsMoreSamples(Stats s)
    {
        lock (s.Gate) return s.Samples == 0 || s.CpuSamples == 0;
    }

    /// <summary>State of the container phase, shared by its steps.</summary>
    sealed class AppRun
    {
        public required Run Run;
        public required ImageInfo Info;
        public required ImageTestSpec Spec;
        public required ImageTestOptions Options;
        public required ImageTestSummary Summary;
        public required string Name;
        public required List<string> Ports;
        public required TimeSpan Grace;
        public required TimeSpan ReadyTimeout;
        public string Progress => $"Testing {Run.Image}";
        public RuntimeSpec Rt => Spec.Runtime;
        public string? Id;
        public bool CreateAttempted;
        /// <summary>The engine refused to start the app (missing or non-executable entrypoint): its message.</summary>
        public string? StartRefused;
        public Stopwatch CreateWatch = new();
        public TimeSpan StartedAt;
        public Dictionary<string, int> Mapped = new(StringComparer.Ordinal);
        public Readiness? Ready;
        public TimeSpan Startup;
        public readonly Stats Stats = new();
        public Task? StatsTask;
        public string? Network;
        public readonly List<(string Name, string Id)> ServiceContainers = new();
        public readonly Dictionary<string, (Dictionary<string, int> Mapped, List<string> Ports)> ServicePorts = new(StringComparer.OrdinalIgnoreCase);
        public bool ServicesFailed;
    }

    /// <summary>
    /// The container phase, in named steps: services (their network and companions), create and start the app, wait
    /// until ready, health, HTTP checks and commands, resources, graceful shutdown; then everything this run created is
    /// removed, cancelled or not.
    /// </summary>
    async Task RunContainerAsync(Run run, ImageInfo info, ImageTestSpec spec, ImageTestOptions options, ImageTestSummary summary, CancellationToken ct)
    {
        var rt = spec.Runtime;
        var a = new AppRun
        {
            Run = run, Info = info, Spec = spec, Options = options, Summary = summary,
            Name = "dockopt-test-" + Guid.NewGuid().ToString("n").Substring(0, 12),
            Ports = info.ExposedPorts.Select(MetadataChecks.NormalizePort)
                .Concat(rt.Ports.Select(MetadataChecks.NormalizePort))
                .Concat(rt.Http.Where(h => h.Port != null && h.Service == null).Select(h => MetadataChecks.NormalizePort(h.Port!)))
                .Concat(rt.Ready.HttpPort != null ? new[] { MetadataChecks.NormalizePort(rt.Ready.HttpPort) } : Array.Empty<string>())
                .Distinct(StringComparer.Ordinal).ToList(),
            Grace = rt.GracePeriod ?? options.GracePeriod
                ?? TimeSpan.FromSeconds(string.Equals(info.Os, "windows", StringComparison.OrdinalIgnoreCase) ? 30 : 10),
            ReadyTimeout = rt.Ready.Timeout ?? options.ReadyTimeout,
        };
        using var statsCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            await StartServicesAsync(a, ct).ConfigureAwait(false);
            await CreateAndStartAppAsync(a, statsCts.Token, ct).ConfigureAwait(false);
            await WaitUntilReadyAsync(a, ct).ConfigureAwait(false);
            await StartServicesAfterAppAsync(a, ct).ConfigureAwait(false);
            await CheckHealthStepAsync(a, ct).ConfigureAwait(false);
            await RunHttpAndCommandsAsync(a, ct).ConfigureAwait(false);
            await ReportResourcesStepAsync(a, statsCts, ct).ConfigureAwait(false);
            await ShutdownStepAsync(a, ct).ConfigureAwait(false);
        }
        finally
        {
            statsCts.Cancel();
            if (a.StatsTask != null) { try { await a.StatsTask.ConfigureAwait(false); } catch (Exception) { } }
            await CleanupAsync(a).ConfigureAwait(false);
        }
    }

    static JsonArray Arr(IEnumerable<string> items) => new(items.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray());

    JsonObject PortBindings(IEnumerable<string> ports) => new(ports.Select(p => KeyValuePair.Create(p,
        (JsonNode?)new JsonArray(new JsonObject { ["HostIp"] = _published.HostIp, ["HostPort"] = "" }))));

    /// <summary>Step: a private network and the companion containers that start before the app, each waited for; none: nothing.</summary>
    async Task StartServicesAsync(AppRun a, CancellationToken ct)
    {
        if (a.Spec.Services.Count == 0) return;
        var net = a.Rt.Network is { } n && n is not ("none" or "host" or "bridge" or "default") ? n : null;
        if (net == null)
        {
            net = "dockopt-test-net-" + Guid.NewGuid().ToString("n").Substring(0, 12);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // not cancellable in flight, like create
            var created = await _api.PostJsonAsync("/networks/create", new JsonObject
            {
                ["Name"] = net, ["CheckDuplicate"] = true, ["Driver"] = "bridge",
                ["Labels"] = new JsonObject { ["dockopt.test"] = "true", ["dockopt.test.image"] = a.Run.Image },
            }, cts.Token).ConfigureAwait(false);
            a.Network = created["Id"]?.GetValue<string>() ?? net;
            _sink.Verbose($"Created network {net} for the services.");
        }
        a.Rt.Network = net;
        foreach (var sv in a.Spec.Services.Where(x => !x.AfterApp))
            if (!await StartServiceAsync(a, sv, ct).ConfigureAwait(false))
            {
                a.ServicesFailed = true;
                return;
            }
    }

    /// <summary>
    /// Step: the services declared <c>after: app</c>, once the app is ready (a proxy whose configuration needs 'app' to
    /// resolve when it starts). When the app is not ready they are not started, and say so.
    /// </summary>
    async Task StartServicesAfterAppAsync(AppRun a, CancellationToken ct)
    {
        var late = a.Spec.Services.Where(x => x.AfterApp).ToList();
        if (late.Count == 0 || a.ServicesFailed || a.Id == null) return;
        if (a.Ready is not { Ok: true } || a.Ready.Exited)
        {
            foreach (var sv in late)
                a.Run.Add(CatStartup, $"Service {sv.Name} ready", "started after the app is ready", "not started", ImageTestOutcome.Skipped,
                    $"The service '{sv.Name}' starts after the app (after: app), and the app did not become ready.");
            return;
        }
        foreach (var sv in late)
            if (!await StartServiceAsync(a, sv, ct).ConfigureAwait(false)) return;
    }

    /// <summary>Creates, starts and waits for one service on the run's network; false (with a result saying why) when it is not ready.</summary>
    async Task<bool> StartServiceAsync(AppRun a, ServiceSpec sv, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var net = a.Rt.Network!;
        var sw = Stopwatch.StartNew();
        var what = $"Service {sv.Name} ready";
        _sink.Progress(new DockOptProgress(61, a.Progress, $"Starting service {sv.Name} ({sv.Image}){(sv.AfterApp ? " after the app" : "")}"));
        ImageInfo si;
        try
        {
            si = await new LocalImageCatalog(_engine).DescribeAsync(sv.Image, null, new LocalImageCatalog.Query { IncludeHistory = false }, ct).ConfigureAwait(false);
        }
        catch (DockOptException e)
        {
            a.Run.Add(CatStartup, what, "started and ready", "image not found", ImageTestOutcome.Error,
                $"The service image '{sv.Image}' could not be used{(sv.AfterApp ? "" : ", so the app was not started")}: {e.Message}");
            return false;
        }
        var ports = sv.Ports.Select(MetadataChecks.NormalizePort).Distinct().ToList();
        var body = new JsonObject
        {
            ["Image"] = si.Id,
            ["Labels"] = new JsonObject { ["dockopt.test"] = "true", ["dockopt.test.image"] = a.Run.Image, ["dockopt.test.service"] = sv.Name },
            ["ExposedPorts"] = new JsonObject(ports.Select(p => KeyValuePair.Create(p, (JsonNode?)new JsonObject()))),
            ["HostConfig"] = new JsonObject { ["NetworkMode"] = net, ["PortBindings"] = PortBindings(ports) },
            ["NetworkingConfig"] = new JsonObject { ["EndpointsConfig"] = new JsonObject { [net] = new JsonObject { ["Aliases"] = Arr(new[] { sv.Name }) } } },
        };
        if (sv.Environment.Count > 0) body["Env"] = Arr(sv.Environment.Select(kv => $"{kv.Key}={kv.Value}"));
        if (sv.Entrypoint != null) body["Entrypoint"] = Arr(sv.Entrypoint);
        if (sv.Command != null) body["Cmd"] = Arr(sv.Command);
        var name = $"{a.Name}-{sv.Name}";
        string id;
        try
        {
            using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
                id = await _api.CreateAsync(name, body, cts.Token).ConfigureAwait(false);
        }
        catch (DockOptException)
        {
            await _api.RemoveAsync(name).ConfigureAwait(false);
            throw;
        }
        a.ServiceContainers.Add((sv.Name, id));
        ct.ThrowIfCancellationRequested();
        await _api.StartAsync(id, ct).ConfigureAwait(false);
        var mapped = MappedPorts(await _api.InspectAsync(id, ct).ConfigureAwait(false));
        var srt = new RuntimeSpec { Ready = sv.Ready };
        srt.Ports.AddRange(ports);
        var ready = await WaitReadyAsync(id, si, srt, mapped, sv.Ready.Timeout ?? a.ReadyTimeout, sw, ct).ConfigureAwait(false);
        if (ready.Ok) a.ServicePorts[sv.Name] = (mapped, ports);
        if (a.Run.Wanted(CatStartup) || !ready.Ok)
            a.Run.Add(CatStartup, what, $"ready within {MetadataChecks.Dur(sv.Ready.Timeout ?? a.ReadyTimeout)} ({ready.Conditions}){(sv.AfterApp ? " after the app" : "")}",
                ready.Ok ? $"ready in {sw.Elapsed.TotalSeconds:0.###} s" : ready.Actual, ready.Ok ? ImageTestOutcome.Passed : ImageTestOutcome.Failed,
                ready.Ok ? "" : $"The service '{sv.Name}' did not become ready{(sv.AfterApp ? "" : ", so the app was not started")}. {ready.Message}", sw.Elapsed, ready.Detail);
        return ready.Ok;
    }

    /// <summary>Step: create and start the app container (on the services' network, as 'app'), start sampling its stats.</summary>
    async Task CreateAndStartAppAsync(AppRun a, CancellationToken statsToken, CancellationToken ct)
    {
        if (a.ServicesFailed) return;
        var rt = a.Rt;
        var body = new JsonObject
        {
            ["Image"] = a.Info.Id,
            ["Labels"] = new JsonObject { ["dockopt.test"] = "true", ["dockopt.test.image"] = a.Run.Image },
            ["ExposedPorts"] = new JsonObject(a.Ports.Select(p => KeyValuePair.Create(p, (JsonNode?)new JsonObject()))),
        };
        var env = RunEnvironment(rt);
        if (env.Count > 0) body["Env"] = Arr(env.Select(kv => $"{kv.Key}={kv.Value}"));
        if (rt.Arguments != null) body["Cmd"] = Arr(rt.Arguments);
        if (rt.User != null) body["User"] = rt.User;
        if (rt.Tty == true) body["Tty"] = true;
        if (TestHealthcheck(a) is { } thc && rt.HealthInterval != null)
        {
            static long Ns(TimeSpan? t) => t is { } v ? v.Ticks * 100 : 0; // 0: the engine's default
            body["Healthcheck"] = new JsonObject
            {
                ["Test"] = Arr(thc.Test), ["Interval"] = Ns(thc.Interval), ["Timeout"] = Ns(thc.Timeout),
                ["StartPeriod"] = Ns(thc.StartPeriod), ["Retries"] = thc.Retries ?? 0,
            };
        }
        var host = RunHostConfig(rt);
        host["PortBindings"] = PortBindings(a.Ports);
        if (rt.Memory is { } mem) { host["Memory"] = mem; host["MemorySwap"] = mem; }
        if (rt.Cpus is { } cpus) host["NanoCpus"] = (long)(cpus * 1e9);
        if (rt.Init == true) host["Init"] = true;
        body["HostConfig"] = host;
        if (a.Spec.Services.Count > 0 && rt.Network != null)
            body["NetworkingConfig"] = new JsonObject { ["EndpointsConfig"] = new JsonObject { [rt.Network] = new JsonObject { ["Aliases"] = Arr(new[] { "app" }) } } };

        _sink.Progress(new DockOptProgress(61, a.Progress, "Creating the container"));
        a.CreateWatch = Stopwatch.StartNew();
        a.CreateAttempted = true;
        // Not cancellable: a create cancelled in flight can leave a container whose ID we never learn.
        using (var createCts = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            a.Id = await _api.CreateAsync(a.Name, body, createCts.Token).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        a.Summary.ContainerName = a.Name;
        _sink.Verbose($"Created container {a.Name} ({a.Id.Substring(0, 12)}) from {a.Run.Image}.");
        try
        {
            await _api.StartAsync(a.Id, ct).ConfigureAwait(false);
        }
        catch (DockOptException e) when (ContainerApi.StartRefused(e) is { } code)
        {
            // The image's entrypoint is missing or not executable: a failed startup, not an engine error.
            a.StartRefused = $"exit {code}: {e.Message}";
            return;
        }
        a.StartedAt = a.CreateWatch.Elapsed;
        var id = a.Id;
        a.StatsTask = Task.Run(() => SampleStatsAsync(id, a.Stats, statsToken), CancellationToken.None);
        a.Mapped = MappedPorts(await _api.InspectAsync(a.Id, ct).ConfigureAwait(false));
        _sink.Verbose("Published ports: " + (a.Mapped.Count == 0 ? "none" : string.Join(", ", a.Mapped.Select(kv => $"{kv.Key} -> {_published.Where}:{kv.Value}"))));
    }

    /// <summary>Step: wait for the readiness conditions; report startup.</summary>
    async Task WaitUntilReadyAsync(AppRun a, CancellationToken ct)
    {
        if (a.Id == null) return;
        if (a.StartRefused != null)
        {
            a.Ready = new Readiness(false, true, "started", "not started",
                $"The engine could not start the container ({a.StartRefused}). Check ENTRYPOINT/CMD (and -Arguments): the executable must exist in the image and be executable.", a.StartRefused);
            if (a.Run.Wanted(CatStartup))
                a.Run.Add(CatStartup, "Starts and becomes ready", $"ready within {MetadataChecks.Dur(a.ReadyTimeout)}", "not started",
                    ImageTestOutcome.Failed, a.Ready.Message, a.CreateWatch.Elapsed, a.StartRefused);
            return;
        }
        _sink.Progress(new DockOptProgress(61, a.Progress, "Waiting until the container is ready"));
        var ready = a.Ready = await WaitReadyAsync(a.Id, a.Info, a.Rt, a.Mapped, a.ReadyTimeout, a.CreateWatch, ct).ConfigureAwait(false);
        a.Startup = a.CreateWatch.Elapsed;
        if (a.Run.Wanted(CatStartup))
            a.Run.Add(CatStartup, "Starts and becomes ready", $"ready within {MetadataChecks.Dur(a.ReadyTimeout)} ({ready.Conditions})",
                ready.Ok ? $"ready in {a.Startup.TotalSeconds:0.###} s" : ready.Actual,
                ready.Ok ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, ready.Message, a.Startup, ready.Detail,
                ready.Ok ? Math.Round(a.Startup.TotalSeconds, 3) : null);
        if (ready.Ok) a.Summary.StartupTime = a.Startup;
    }

    /// <summary>Step: health, judged against the image's own HEALTHCHECK timing (independent of readiness).</summary>
    async Task CheckHealthStepAsync(AppRun a, CancellationToken ct)
    {
        if (a.Id == null || a.Ready == null) return;
        var hc = a.Info.Healthcheck is { Disabled: false } h ? h : null;
        if (!a.Run.Wanted(CatHealth) || !(a.Rt.Healthy == true || (a.Rt.Healthy == null && hc != null))) return;
        if (hc == null)
            a.Run.Add(CatHealth, "Becomes healthy", "healthy", "no HEALTHCHECK", ImageTestOutcome.Failed,
                "The image defines no HEALTHCHECK, so the engine never reports it healthy. Add a HEALTHCHECK.");
        else if (a.Ready.Exited)
            a.Run.Add(CatHealth, "Becomes healthy", "healthy", "container exited", ImageTestOutcome.Skipped, "The container exited before the health check could run.");
        else
            await CheckHealthAsync(a.Run, a.Id, TestHealthcheck(a)!, a.CreateWatch.Elapsed - a.StartedAt, ct,
                a.Rt.HealthInterval is { } hi ? $" (probed every {MetadataChecks.Dur(hi)} for the test, runtime.healthInterval; the image's interval is {MetadataChecks.Dur(hc.Interval ?? TimeSpan.FromSeconds(30))})" : "").ConfigureAwait(false);
    }

    /// <summary>Step: HTTP checks (on the app's or a service's published port) and commands in the app container while it runs.</summary>
    async Task RunHttpAndCommandsAsync(AppRun a, CancellationToken ct)
    {
        var run = a.Run;
        if (a.Id == null || a.Ready == null)
        {
            if (run.Wanted(CatHttp))
                foreach (var h in a.Rt.Http) run.Add(CatHttp, HttpName(h), StatusSet.Describe(h.Status), "not run", ImageTestOutcome.Skipped, "A service did not start, so the app was not started.");
            return;
        }
        if (!a.Ready.Ok)
        {
            if (run.Wanted(CatHttp))
                foreach (var h in a.Rt.Http) run.Add(CatHttp, HttpName(h), StatusSet.Describe(h.Status), "not run", ImageTestOutcome.Skipped, "The container did not become ready.");
        }
        else if (run.Wanted(CatHttp))
            foreach (var h in a.Rt.Http)
            {
                if (h.Service == null)
                    await HttpChecks.RunAsync(h, a.Mapped, a.Ports, a.Options.SkipCertificateCheck, _published, run.Add, ct).ConfigureAwait(false);
                else if (a.ServicePorts.TryGetValue(h.Service, out var sp))
                    await HttpChecks.RunAsync(h, sp.Mapped, sp.Ports, a.Options.SkipCertificateCheck, _published, run.Add, ct).ConfigureAwait(false);
                else if (a.Spec.Services.Any(x => x.Name.Equals(h.Service, StringComparison.OrdinalIgnoreCase)))
                    run.Add(CatHttp, HttpName(h), StatusSet.Describe(h.Status), "not run", ImageTestOutcome.Skipped,
                        $"The check goes through service '{h.Service}', which did not start or become ready (see its Startup result).");
                else
                    run.Add(CatHttp, HttpName(h), StatusSet.Describe(h.Status), "no such service", ImageTestOutcome.Error,
                        $"The check goes through service '{h.Service}', which the spec does not define (services: {string.Join(", ", a.Spec.Services.Select(x => x.Name))}).");
            }
        if (run.Wanted(CatStartup) && a.Spec.System.NeedsContainer)
            await CheckPortsAndProcessesAsync(a, ct).ConfigureAwait(false);
        // Commands go to the app container while it runs (ready or not); once it exited they get containers of their own.
        if (run.Wanted(CatCommand) && !a.Ready.Exited)
            foreach (var c in a.Spec.Commands.Where(c => !c.Separate && c.Setup.Count == 0))
            {
                if (!await IsRunningAsync(a.Id, ct).ConfigureAwait(false)) break;
                await RunCommandAsync(run, a.Id, c, a.Info, a.Spec, ct).ConfigureAwait(false);
            }
    }

    /// <summary>
    /// goss-style port and process checks in the running app: processes from the engine's top (no shell needed); sockets
    /// from /proc/PID/net on this host when the engine is local, else by 'cat /proc/net/…' in the container.
    /// </summary>
    async Task CheckPortsAndProcessesAsync(AppRun a, CancellationToken ct)
    {
        var sys = a.Spec.System;
        var running = a.Id != null && await IsRunningAsync(a.Id, ct).ConfigureAwait(false);
        if (!running)
        {
            foreach (var p in sys.Ports) a.Run.Add(CatStartup, $"Port {p.Name} {(p.Present ? "listening" : "not listening")}", p.Present ? "listening" : "not listening", "container not running", ImageTestOutcome.Failed, "The app container is not running.");
            foreach (var p in sys.Processes) a.Run.Add(CatStartup, $"Process {p.Name} {(p.Present ? "running" : "not running")}", p.Present ? "running" : "not running", "container not running", ImageTestOutcome.Failed, "The app container is not running.");
            return;
        }
        if (sys.Processes.Count > 0)
        {
            var top = await _api.GetJsonAsync($"/containers/{a.Id}/top", ct).ConfigureAwait(false);
            var titles = (top["Titles"] as JsonArray)?.Select(t => t?.GetValue<string>()).ToList() ?? new List<string?>();
            var cmdCol = titles.IndexOf("CMD") is var i && i >= 0 ? i : titles.Count - 1;
            var cmds = (top["Processes"] as JsonArray)?.Select(row => (row as JsonArray)?[cmdCol]?.GetValue<string>() ?? "").ToList() ?? new List<string>();
            var names = SystemChecks.ProcessNames(cmds);
            foreach (var p in sys.Processes)
            {
                var has = names.Contains(p.Name);
                a.Run.Add(CatStartup, $"Process {p.Name} {(p.Present ? "running" : "not running")}", p.Present ? "running" : "not running",
                    has ? "running" : "not running", has == p.Present ? ImageTestOutcome.Passed : ImageTestOutcome.Failed,
                    has == p.Present ? "" : $"Processes in the container: {string.Join(", ", names.OrderBy(x => x))}.", default, string.Join("\n", cmds));
            }
        }
        if (sys.Ports.Count > 0)
        {
            var tables = new List<(string, string)>();
            string how;
            var inspect = await _api.InspectAsync(a.Id!, ct).ConfigureAwait(false);
            var pid = inspect["State"]?["Pid"]?.GetValue<long>() ?? 0;
            string? cgroup = null;
            try { if (pid > 0 && OperatingSystem.IsLinux()) cgroup = await File.ReadAllTextAsync($"/proc/{pid}/cgroup", ct).ConfigureAwait(false); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            if (cgroup != null && cgroup.Contains(a.Id!, StringComparison.Ordinal))
            {
                how = $"/proc/{pid}/net on this host";
                foreach (var proto in new[] { "tcp", "tcp6", "udp", "udp6" })
                    try { tables.Add((proto, await File.ReadAllTextAsync($"/proc/{pid}/net/{proto}", ct).ConfigureAwait(false))); }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
            else
            {
                how = "cat /proc/net/… in the container";
                foreach (var proto in new[] { "tcp", "tcp6", "udp", "udp6" })
                {
                    var r = await _api.ExecAsync(a.Id!, new[] { "cat", $"/proc/net/{proto}" }, new Dictionary<string, string>(), null, TimeSpan.FromSeconds(5), ct).ConfigureAwait(false);
                    if (r.ExitCode == 0) tables.Add((proto, r.Stdout));
                }
            }
            var listening = SystemChecks.ListeningPorts(tables);
            foreach (var p in sys.Ports)
            {
                var name = $"Port {p.Name} {(p.Present ? "listening" : "not listening")}";
                if (tables.Count == 0)
                {
                    a.Run.Add(CatStartup, name, p.Present ? "listening" : "not listening", "not read", ImageTestOutcome.Error,
                        "The container's sockets could not be read: the engine is not on this host and the image has no 'cat'.");
                    continue;
                }
                var has = listening.Contains(p.Name);
                a.Run.Add(CatStartup, name, p.Present ? "listening" : "not listening", has ? "listening" : "not listening",
                    has == p.Present ? ImageTestOutcome.Passed : ImageTestOutcome.Failed,
                    (has == p.Present ? "" : $"Listening: {(listening.Count == 0 ? "none" : string.Join(", ", listening.OrderBy(x => x)))}. ") + $"Read from {how}.");
            }
        }
    }

    /// <summary>Step: stop sampling (after CPU's second reading) and report memory, CPU and PIDs.</summary>
    async Task ReportResourcesStepAsync(AppRun a, CancellationTokenSource statsCts, CancellationToken ct)
    {
        if (a.Id == null || a.Ready == null) return;
        if (a.Run.Wanted(CatResources) && !a.Ready.Exited)
            for (var i = 0; i < 12 && NeedsMoreSamples(a.Stats) && await IsRunningAsync(a.Id, ct).ConfigureAwait(false); i++)
                await Task.Delay(250, ct).ConfigureAwait(false);
        statsCts.Cancel();
        if (a.StatsTask != null) await a.StatsTask.ConfigureAwait(false);
        if (!a.Run.Wanted(CatResources)) return;
        if (a.Ready.Exited)
            a.Run.Add(CatResources, "Resource use", "sampled while the checks run", "container exited", ImageTestOutcome.Skipped,
                "The container exited during startup; there was nothing to measure.");
        else
            ReportResources(a.Run, a.Stats, a.Rt, a.Ready.Ok ? a.Startup : null, a.Summary);
    }

    /// <summary>Step: graceful shutdown with the image's stop signal.</summary>
    async Task ShutdownStepAsync(AppRun a, CancellationToken ct)
    {
        if (a.Id == null || a.Ready == null || !a.Run.Wanted(CatShutdown) || a.Rt.Shutdown == false) return;
        if (a.Ready.Exited)
            a.Run.Add(CatShutdown, ShutdownName, "exit 0 or 143 within the grace period", "container already exited", ImageTestOutcome.Skipped,
                "The container exited during startup.");
        else
        {
            _sink.Progress(new DockOptProgress(61, a.Progress, $"Stopping the container (grace period {MetadataChecks.Dur(a.Grace)})"));
            await CheckShutdownAsync(a.Run, a.Id, a.Info, a.Grace, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Step (always, cancelled or not): remove the app container (unless kept), the services and their network.</summary>
    async Task CleanupAsync(AppRun a)
    {
        if (a.Id == null && a.CreateAttempted)
            await _api.RemoveAsync(a.Name).ConfigureAwait(false); // by name, in case the create got through
        if (a.Id != null)
        {
            if (a.Options.KeepContainer)
            {
                a.Summary.ContainerKept = true;
                _sink.Warning($"Kept container {a.Name} ({a.Id.Substring(0, 12)}); remove it with 'docker rm -f {a.Name}'.");
            }
            else if (!await _api.RemoveAsync(a.Id).ConfigureAwait(false))
                _sink.Warning($"Could not remove container {a.Name}; remove it with 'docker rm -f {a.Name}'.");
            else
                _sink.Verbose($"Removed container {a.Name}.");
        }
        foreach (var sv in a.Spec.Services)
        {
            var known = a.ServiceContainers.FirstOrDefault(x => x.Name == sv.Name);
            if (known.Id != null ? !await _api.RemoveAsync(known.Id).ConfigureAwait(false) : false)
                _sink.Warning($"Could not remove service container {a.Name}-{sv.Name}; remove it with 'docker rm -f {a.Name}-{sv.Name}'.");
            else if (known.Id == null) await _api.RemoveAsync($"{a.Name}-{sv.Name}").ConfigureAwait(false); // a create that may have got through
        }
        if (a.Network != null && !await _api.RemoveNetworkAsync(a.Network).ConfigureAwait(false))
            _sink.Warning($"Could not remove network {a.Network}; remove it with 'docker network rm {a.Network}'.");
    }

    internal static string HttpName(HttpCheckSpec h) => h.Name ?? $"{h.Method} {h.Path}";

    Dictionary<string, int> MappedPorts(JsonNode inspect)
    {
        var r = new Dictionary<string, int>(StringComparer.Ordinal);
        if (inspect["NetworkSettings"]?["Ports"] is JsonObject ports)
            foreach (var kv in ports)
                if (kv.Value is JsonArray arr)
                    foreach (var b in arr)
                        if (b?["HostPort"]?.GetValue<string>() is { } hp && int.TryParse(hp, out var p)
                            && _published.Accepts(b["HostIp"]?.GetValue<string>()))
                        {
                            r[kv.Key] = p;
                            break;
                        }
        return r;
    }

    // ------------------------------------------------------------------ readiness

    internal sealed record Readiness(bool Ok, bool Exited, string Conditions, string Actual, string Message, string? Detail);

    /// <summary>What readiness waits for: the conditions in force and their description.</summary>
    sealed record ReadyPlan(bool WantHealthy, bool WantTcp, bool RunningOnly, string What);

    async Task<Readiness> WaitReadyAsync(string id, ImageInfo info, RuntimeSpec rt, Dictionary<string, int> mapped, TimeSpan timeout,
        Stopwatch sinceCreate, CancellationToken ct)
    {
        var r = rt.Ready;
        var (plan, refused) = PlanReadiness(info, r, mapped);
        if (refused != null) return refused;

        var logRx = r.LogPattern != null ? new Regex(r.LogPattern, RegexOptions.Multiline, TimeSpan.FromSeconds(2)) : null;
        // One follow stream for the whole wait, matched in a bounded window: memory does not grow with the log.
        await using var follower = logRx != null ? _api.FollowLogs(id, logRx, ct) : null;
        using var http = HttpChecks.CreateClient(true, _published);
        var deadline = sinceCreate.Elapsed + timeout;
        var pending = new List<string>();
        var runningSince = (TimeSpan?)null;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var st = await _api.InspectAsync(id, ct).ConfigureAwait(false);
            var state = st["State"]!;
            if (state["Running"]?.GetValue<bool>() != true)
                return await ExitedBeforeReadyAsync(id, plan.What, sinceCreate, ct).ConfigureAwait(false);
            runningSince ??= sinceCreate.Elapsed;
            pending.Clear();
            if (plan.WantHealthy && CheckHealthPending(state, plan.What, pending) is { } unhealthy) return unhealthy;
            if (follower != null && !follower.Matched)
                pending.Add(follower.Failure != null ? $"log unavailable ({follower.Failure})" : $"no log line matches /{r.LogPattern}/");
            await AddPendingProbesAsync(plan, rt, mapped, http, _published, pending, ct).ConfigureAwait(false);
            if (plan.RunningOnly && sinceCreate.Elapsed - runningSince < TimeSpan.FromSeconds(1)) pending.Add("running for less than 1 s");

            if (pending.Count == 0) return new(true, false, plan.What, "ready", "", null);
            if (sinceCreate.Elapsed >= deadline)
            {
                var logs = await TailAsync(id, 20, ct).ConfigureAwait(false);
                return new(false, false, plan.What, "not ready: " + string.Join("; ", pending),
                    $"Not ready within {MetadataChecks.Dur(timeout)} ({string.Join("; ", pending)}). Raise -TimeoutSec or check the log in Detail.", logs);
            }
            await Task.Delay(250, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The readiness conditions for this image and spec, or the readiness failure when they cannot be met at all.</summary>
    static (ReadyPlan Plan, Readiness? Refused) PlanReadiness(ImageInfo info, ReadinessSpec r, Dictionary<string, int> mapped)
    {
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
            return (null!, new Readiness(false, false, "TCP", "no TCP port", "Readiness asks for TCP but no TCP port is exposed or given with -Port.", null));
        var runningOnly = conditions.Count == 0;
        if (runningOnly) conditions.Add("running for 1 s");
        var what = string.Join(" and ", conditions);
        if (wantHealthy && !hasHc)
            return (null!, new Readiness(false, false, what, "no HEALTHCHECK", "Readiness asks for 'healthy' but the image defines no HEALTHCHECK.", null));
        return (new ReadyPlan(wantHealthy, wantTcp, runningOnly, what), null);
    }

    /// <summary>Exited before ready: fail fast with the evidence.</summary>
    async Task<Readiness> ExitedBeforeReadyAsync(string id, string what, Stopwatch sinceCreate, CancellationToken ct)
    {
        await Task.Delay(100, ct).ConfigureAwait(false);
        var st = await _api.InspectAsync(id, ct).ConfigureAwait(false);
        var state = st["State"]!;
        var code = state["ExitCode"]?.GetValue<long>() ?? -1;
        var oom = state["OOMKilled"]?.GetValue<bool>() == true;
        var err = state["Error"]?.GetValue<string>();
        var logs = await TailAsync(id, 20, ct).ConfigureAwait(false);
        var msg = $"The container exited with code {code} after {sinceCreate.Elapsed.TotalSeconds:0.##} s, before it was ready" +
            (oom ? " (OOMKilled: it ran out of memory; raise -Memory or reduce usage)" : "") +
            (string.IsNullOrEmpty(err) ? "" : $"; engine error: {err}") + ". Last log lines are in Detail.";
        return new(false, true, what, $"exited with code {code}{(oom ? ", OOMKilled" : "")}", msg, logs);
    }

    /// <summary>Adds the health status to <paramref name="pending"/> unless healthy; the failure when the container is unhealthy.</summary>
    static Readiness? CheckHealthPending(JsonNode state, string what, List<string> pending)
    {
        var hs = state["Health"]?["Status"]?.GetValue<string>();
        if (hs == "unhealthy")
        {
            var log = HealthLog(state);
            return new(false, false, what, "unhealthy", "The container became unhealthy before it was ready; the health log is in Detail.", log);
        }
        if (hs != "healthy") pending.Add($"health {hs ?? "none"}");
        return null;
    }

    /// <summary>The HTTP and TCP readiness probes; what is not ready yet goes to <paramref name="pending"/>.</summary>
    static async Task AddPendingProbesAsync(ReadyPlan plan, RuntimeSpec rt, Dictionary<string, int> mapped, HttpClient http, PublishedPorts published,
        List<string> pending, CancellationToken ct)
    {
        var r = rt.Ready;
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
        if (plan.WantTcp)
            foreach (var kv in mapped.Where(k => k.Key.EndsWith("/tcp", StringComparison.Ordinal)))
                if (!await HttpChecks.TcpReadyAsync(kv.Value, published, ct).ConfigureAwait(false)) pending.Add($"TCP {kv.Key} not accepting");
    }

    async Task<string> TailAsync(string id, int lines, CancellationToken ct)
    {
        try { return Dockerfiles.MessageText.SummariseTail((await _api.LogsAsync(id, lines, ct).ConfigureAwait(false)).TrimEnd(), 4000, lines); }
        catch (DockOptException e) { return $"(log unavailable: {e.Message})"; }
    }

    static string HealthLog(JsonNode state)
    {
        if (state["Health"]?["Log"] is not JsonArray log) return "";
        return string.Join("\n", log.Select(l =>
            $"{l?["Start"]?.GetValue<string>()} exit {l?["ExitCode"]?.GetValue<long>()}: {(l?["Output"]?.GetValue<string>() ?? "").Trim()}"));
    }

    // ------------------------------------------------------------------ health

    /// <summary>The HEALTHCHECK the test container runs: the image's, with runtime.healthInterval as its interval when given; null when none or disabled.</summary>
    static HealthcheckInfo? TestHealthcheck(AppRun a) => a.Info.Healthcheck is { Disabled: false } h
        ? a.Rt.HealthInterval is { } hi ? new HealthcheckInfo { Test = h.Test, Interval = hi, Timeout = h.Timeout, StartPeriod = h.StartPeriod, Retries = h.Retries } : h
        : null;

    /// <param name="note">Said after Expected: that runtime.healthInterval replaced the image's interval, or empty.</param>
    async Task CheckHealthAsync(Run run, string id, HealthcheckInfo hc, TimeSpan elapsedSinceStart, CancellationToken ct, string note = "")
    {
        var interval = hc.Interval ?? TimeSpan.FromSeconds(30);
        var start = hc.StartPeriod ?? TimeSpan.Zero;
        var retries = hc.Retries ?? 3;
        var budget = start + TimeSpan.FromTicks(interval.Ticks * retries);
        var tolerance = TimeSpan.FromSeconds(2);
        var expected = $"healthy within start period + retries × interval = {MetadataChecks.Dur(budget)}{note}";
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

    async Task<bool> IsRunningAsync(string id, CancellationToken ct)
    {
        var st = await _api.InspectAsync(id, ct).ConfigureAwait(false);
        return st["State"]?["Running"]?.GetValue<bool>() == true;
    }

    /// <summary>
    /// One command check: docker exec in the app container (<paramref name="appId"/>), or, when it is null, the check asks
    /// for it (container: separate) or has setup commands, in a container of its own.
    /// </summary>
    async Task RunCommandAsync(Run run, string? appId, CommandSpec c, ImageInfo info, ImageTestSpec spec, CancellationToken ct)
    {
        run.CommandsDone.Add(c);
        var sw = Stopwatch.StartNew();
        var expected = $"exit {c.ExitCode} within {MetadataChecks.Dur(c.Timeout)}";
        (long? code, string stdout, string stderr) r;
        var where = "";
        var notes = new List<string>();
        var temps = new List<string>();
        try
        {
            if (appId != null && !c.Separate && c.Setup.Count == 0)
            {
                var execEnv = new Dictionary<string, string>(spec.CommandEnv, StringComparer.Ordinal);
                foreach (var kv in c.Env) execEnv[kv.Key] = kv.Value;
                r = await _api.ExecAsync(appId, c.Command, execEnv, c.User, c.Timeout, ct).ConfigureAwait(false);
            }
            else
            {
                where = c.Separate ? "" : " (in a container of its own: the app container was not running)";
                var image = info.Id;
                var i = 0;
                foreach (var setup in c.Setup)
                {
                    string? committed = null;
                    var sr = await _api.RunToExitAsync(OwnName(), OwnContainerBody(image, setup, c, run), c.Timeout,
                        async cid => committed = await _api.CommitAsync(cid, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
                    i++;
                    if (sr.ExitCode != 0 || committed == null)
                    {
                        run.Add(CatCommand, c.Name, expected, $"setup {i} {(sr.ExitCode == null ? "timed out" : $"exited {sr.ExitCode}")}", ImageTestOutcome.Error,
                            $"Setup command {i} ({MetadataChecks.Json(setup)}) failed, so the command did not run.", sw.Elapsed,
                            $"stdout:\n{Trunc(sr.Stdout)}\nstderr:\n{Trunc(sr.Stderr)}");
                        return;
                    }
                    temps.Add(committed);
                    image = committed;
                }
                string? after = null;
                r = await _api.RunToExitAsync(OwnName(), OwnContainerBody(image, c.Command, c, run), c.Timeout,
                    c.Teardown.Count == 0 ? null : async cid => after = await _api.CommitAsync(cid, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
                if (after != null)
                {
                    temps.Add(after);
                    foreach (var td in c.Teardown)
                    {
                        var tr = await _api.RunToExitAsync(OwnName(), OwnContainerBody(after, td, c, run), c.Timeout, null, ct).ConfigureAwait(false);
                        if (tr.ExitCode != 0) notes.Add($"teardown {MetadataChecks.Json(td)} {(tr.ExitCode == null ? "timed out" : $"exited {tr.ExitCode}")}: {Trunc(tr.Stderr)}");
                    }
                }
            }
        }
        catch (DockOptException e)
        {
            run.Add(CatCommand, c.Name, expected, "could not run", ImageTestOutcome.Error, $"The command could not be started: {e.Message}", sw.Elapsed);
            return;
        }
        finally
        {
            foreach (var t in Enumerable.Reverse(temps)) await _api.RemoveImageAsync(t).ConfigureAwait(false);
        }
        var detail = $"stdout:\n{Trunc(r.stdout)}\nstderr:\n{Trunc(r.stderr)}";
        if (r.code == null)
        {
            run.Add(CatCommand, c.Name, expected, $"timed out after {MetadataChecks.Dur(c.Timeout)}", ImageTestOutcome.Failed,
                "The command did not finish in time" + (appId != null && !c.Separate ? " (it may keep running until the container is removed)." : "; its container was killed.") + where,
                sw.Elapsed, detail);
            return;
        }
        var problems = new List<string>();
        if (r.code != c.ExitCode) problems.Add($"exit code {r.code}, expected {c.ExitCode}");
        foreach (var rx in c.Stdout) if (!Regex.IsMatch(r.stdout, rx, RegexOptions.Multiline)) problems.Add($"stdout does not match /{rx}/");
        foreach (var rx in c.NotStdout) if (Regex.IsMatch(r.stdout, rx, RegexOptions.Multiline)) problems.Add($"stdout matches /{rx}/");
        foreach (var rx in c.Stderr) if (!Regex.IsMatch(r.stderr, rx, RegexOptions.Multiline)) problems.Add($"stderr does not match /{rx}/");
        foreach (var rx in c.NotStderr) if (Regex.IsMatch(r.stderr, rx, RegexOptions.Multiline)) problems.Add($"stderr matches /{rx}/");
        if ((r.code == 126 || r.code == 127) && r.code != c.ExitCode) problems.Add("126/127: the command was not found or not executable in the image");
        var message = string.Join("; ", problems.Concat(notes.Select(n => "note: " + n)));
        run.Add(CatCommand, c.Name, expected + (c.Stdout.Count + c.Stderr.Count > 0 ? ", output matches" : ""), $"exit {r.code}",
            problems.Count == 0 ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, message + where, sw.Elapsed, detail, r.code);
    }

    static string OwnName() => "dockopt-test-cmd-" + Guid.NewGuid().ToString("n").Substring(0, 12);

    /// <summary>A container for one command: the image's user, env and workdir, the entrypoint replaced by the command.</summary>
    JsonObject OwnContainerBody(string image, string[] argv, CommandSpec c, Run run)
    {
        var body = new JsonObject
        {
            ["Image"] = image,
            ["Entrypoint"] = new JsonArray((JsonNode?)JsonValue.Create(argv[0])),
            ["Cmd"] = new JsonArray(argv.Skip(1).Select(a => (JsonNode?)JsonValue.Create(a)).ToArray()),
            ["Labels"] = new JsonObject { ["dockopt.test"] = "true", ["dockopt.test.image"] = run.Image },
            ["AttachStdout"] = false,
            ["AttachStderr"] = false,
        };
        var env = new Dictionary<string, string>(run.GlobalEnv, StringComparer.Ordinal);
        foreach (var kv in c.Env) env[kv.Key] = kv.Value;
        if (env.Count > 0) body["Env"] = new JsonArray(env.Select(kv => (JsonNode?)JsonValue.Create($"{kv.Key}={kv.Value}")).ToArray());
        if (!string.IsNullOrEmpty(c.User)) body["User"] = c.User;
        else if (run.UserOverride != null) body["User"] = run.UserOverride;
        if (run.Tty) body["Tty"] = true;
        body["HostConfig"] = run.CommandHostConfig?.DeepClone() ?? new JsonObject();
        return body;
    }

    static string Trunc(string s) => Dockerfiles.MessageText.Summarise(s.TrimEnd(), 4000, 100);

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
                    if (pids is { } p) { stats.PeakPids = Math.Max(stats.PeakPids, p); stats.PidSamples++; }
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

    internal static void ReportResources(Run run, Stats s, RuntimeSpec rt, TimeSpan? startup, ImageTestSummary summary)
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
        int cpuSamples, pidSamples;
        lock (s.Gate) { cpuSamples = s.CpuSamples; pidSamples = s.PidSamples; }
        if (samples == 0)
        {
            // Never a pass on no evidence: each asked-for figure is an error.
            const string why = "The engine returned no stats sample while the checks ran (the container ran less than a second, or the engine's stats are unavailable).";
            run.Add(CatResources, "Peak memory", res.MaxMemory is { } m0 ? "<= " + ByteSize.Format(m0) : "sampled", "no stats sample", ImageTestOutcome.Error, why);
            run.Add(CatResources, "CPU", res.MaxCpuPercent is { } c0 ? $"peak <= {c0:0.#}%" : "sampled", "no stats sample", ImageTestOutcome.Error, why);
            run.Add(CatResources, "PIDs", res.MaxPids is { } p0 ? $"<= {p0}" : "sampled", "no stats sample", ImageTestOutcome.Error, why);
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
        if (limited && rt.Memory is { } asked && limit != asked)
            run.Add(CatResources, "Memory limit applied", ByteSize.Format(asked), $"engine reports {ByteSize.Format(limit)}", ImageTestOutcome.Failed,
                "The engine's stats report another memory limit than the one asked for: the limit was not applied (cgroup v1 without memory accounting, or a rootless engine).");
        var cpuExpected = res.MaxCpuPercent is { } mc ? $"peak <= {mc:0.#}%" : "measured";
        if (cpuSamples == 0)
            run.Add(CatResources, "CPU", cpuExpected, "no CPU sample", ImageTestOutcome.Error,
                $"CPU use needs two consecutive stats readings and the engine gave {samples}: there is no figure to judge (the container ran too briefly).");
        else
        {
            var cpuOk = res.MaxCpuPercent == null || peakCpu <= res.MaxCpuPercent;
            run.Add(CatResources, "CPU", cpuExpected, $"peak {peakCpu:0.#}%, mean {avgCpu:0.#}%",
                cpuOk ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, $"Percent of one CPU (docker stats semantics), {cpuSamples} samples.", default, null, Math.Round(peakCpu, 2));
        }
        var pidsExpected = res.MaxPids is { } mp ? $"<= {mp}" : "measured";
        if (pidSamples == 0)
            run.Add(CatResources, "PIDs", pidsExpected, "no PIDs sample", ImageTestOutcome.Error, "The engine's stats carry no PID count (pids cgroup controller missing).");
        else
        {
            var pidsOk = res.MaxPids == null || pids <= res.MaxPids;
            run.Add(CatResources, "PIDs", pidsExpected, $"peak {pids}", pidsOk ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, "", default, null, pids);
        }
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
