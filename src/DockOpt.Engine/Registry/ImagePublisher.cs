using DockOpt.Engine.Images;
using System.Diagnostics;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using DockOpt.Engine.DockerApi;

namespace DockOpt.Engine.Registry;

/// <summary>
/// Publishes a local image under many tags through the Docker engine (tag, then <c>POST /images/{name}/push</c>), so only
/// layers the registry lacks are uploaded. Each tag's manifest is looked up first: a tag that already holds this image
/// (same config digest, or a digest the engine recorded for this repository) is <c>Unchanged</c> and nothing is sent.
/// A tag reported <c>Pushed</c> has been read back from the registry with the pushed digest.
/// </summary>
public sealed class ImagePublisher
{
    readonly DockerEngine _engine;
    readonly PublishOptions _o;
    readonly IDockOptSink _sink;
    bool _repositoryEnsured;
    static int _activitySeed = 7400;

    public ImagePublisher(DockerEngine engine, PublishOptions options, IDockOptSink sink)
    {
        _engine = engine;
        _o = options;
        _sink = sink;
    }

    RegistryTarget Target => _o.Target;

    /// <summary>What one publish's steps share: the image, the registry client, where each tag points, and what was done.</summary>
    sealed class PublishRun(ImageInspectResponse inspect, string[] diffIds, HashSet<string> known, RegistryClient reg, Stopwatch lookup, bool deferOutput)
    {
        public ImageInspectResponse Inspect { get; } = inspect;
        public string ImageId => Inspect.ID;
        public string[] DiffIds { get; } = diffIds;
        /// <summary>Digests the engine knows for this repository; grows with each pushed tag.</summary>
        public HashSet<string> Known { get; } = known;
        public RegistryClient Reg { get; } = reg;
        public Stopwatch Lookup { get; } = lookup;
        /// <summary>-WaitForScan on ECR: results are written after the scans, not as each tag completes.</summary>
        public bool DeferOutput { get; } = deferOutput;
        public Dictionary<string, RemoteManifest?> Remote { get; set; } = new(StringComparer.Ordinal);
        public List<PublishResult> Results { get; } = new();
        public List<string> CreatedTags { get; } = new();
        public Dictionary<string, RemoteManifest> Manifests { get; } = new(StringComparer.Ordinal);
        /// <summary>Which layer blobs the repository holds, for the figures of each push.</summary>
        public PushFigures Figures { get; } = new();
        /// <summary>Layer digests of the repository's other tags, read once per publish (engines without per-layer push lines).</summary>
        public List<string>? OtherTagLayers { get; set; }

        public bool SameImage(RemoteManifest? m) => m != null && (m.ConfigDigest == ImageId || Known.Contains(m.Digest));
    }

    /// <summary>Publishes one image; emits one PublishResult per tag (or a per-tag error) through the sink and returns the results.</summary>
    public async Task<IReadOnlyList<PublishResult>> PublishAsync(string image, CancellationToken ct)
    {
        var inspect = await InspectAsync(image, ct).ConfigureAwait(false);
        var imageId = inspect.ID;
        var diffIds = inspect.RootFS?.Layers?.ToArray() ?? Array.Empty<string>();
        var what = $"{Target.Host}/{Target.Repository}:{string.Join(",", _o.Tags)}";
        if (!_sink.ShouldProcess(what, $"Push image '{image}' ({ShortId(imageId)}, {ByteSize.Format(inspect.Size)}, {diffIds.Length} layers) under {_o.Tags.Count} tag(s)"))
            return Array.Empty<PublishResult>();

        var lookup = Stopwatch.StartNew();
        var cred = await _o.Auth.ResolveAsync(Target, _sink, ct).ConfigureAwait(false);
        using var reg = new RegistryClient(Target, cred, _o.Retry, _sink, _o.CertsDirectory);

        if (_o.CreateRepository && !_repositoryEnsured) await EnsureRepositoryAsync(ct).ConfigureAwait(false);

        var run = new PublishRun(inspect, diffIds, KnownDigests(inspect), reg, lookup, _o.WaitForScan && Target.Ecr != null);

        // 1. Where does each tag point now?
        run.Remote = await LookUpTagsAsync(reg, ct).ConfigureAwait(false);
        ReportRemoteTags(run);
        EmitUnchangedTags(run);

        var activity = Interlocked.Increment(ref _activitySeed);
        try
        {
            await PushChangedTagsAsync(run, activity, ct).ConfigureAwait(false);
        }
        finally
        {
            // Cleanup first (cancelled or not; it has its own short timeout), then the progress record.
            if (!_o.KeepLocalTags) await RemoveLocalTagsAsync(run.CreatedTags).ConfigureAwait(false);
            if (!ct.IsCancellationRequested)
                _sink.Progress(new DockOptProgress(activity, $"Publishing {image}", "Done") { Completed = true });
        }

        if (run.DeferOutput)
        {
            await AttachEcrScansAsync(run.Results, image, activity, ct).ConfigureAwait(false);
            foreach (var r in run.Results) _sink.Output(r);
        }
        return run.Results;
    }

    /// <summary>Tells (verbose) where each tag points now: nowhere, this image, or another image.</summary>
    void ReportRemoteTags(PublishRun run)
    {
        var remote = run.Remote;
        foreach (var tag in _o.Tags)
        {
            _sink.Verbose(remote[tag] == null
                ? $"{Target.Reference(tag)}: not in the registry."
                : $"{Target.Reference(tag)}: {remote[tag]!.Digest}{(run.SameImage(remote[tag]) ? " (this image)" : $" (another image, config {remote[tag]!.ConfigDigest ?? remote[tag]!.MediaType})")}.");
        }
    }

    /// <summary>Each tag that already holds this image is Unchanged: nothing is sent for it.</summary>
    void EmitUnchangedTags(PublishRun run)
    {
        foreach (var tag in _o.Tags)
        {
            var m = run.Remote[tag];
            if (run.SameImage(m))
            {
                // Duration of an unchanged tag: credentials and the manifest lookups it took.
                Emit(run, NewResult(tag, m!, run.ImageId, run.Reg.Credential, PublishStatus.Unchanged, 0, run.DiffIds.Length, 0, run.Lookup.Elapsed, 0));
            }
        }
    }

    /// <summary>Pushes each tag that does not hold this image yet; a tag that fails is reported and the others go on.</summary>
    async Task PushChangedTagsAsync(PublishRun run, int activity, CancellationToken ct)
    {
        foreach (var tag in _o.Tags.Where(t => !run.SameImage(run.Remote[t])))
        {
            try
            {
                var before = await PresentBeforeAsync(run, ct).ConfigureAwait(false);
                var r = await PushTagAsync(run, tag, activity, before, ct).ConfigureAwait(false);
                Emit(run, r);
                // A digest the engine now knows for this repository makes later tags cheap to judge.
                run.Known.Add(r.Digest);
            }
            catch (DockOptException e) when (e.ErrorId is ErrorIds.TagImmutable or ErrorIds.PushNotVerified or ErrorIds.PushFailed)
            {
                _sink.Error(e); // one tag failing never hides the others
            }
        }
    }

    void Emit(PublishRun run, PublishResult r)
    {
        run.Results.Add(r);
        if (!run.DeferOutput) _sink.Output(r);
    }

    /// <summary>A manifest by digest, read from the registry once per publish.</summary>
    static async Task<RemoteManifest?> ManifestOfAsync(PublishRun run, string digest, CancellationToken ct)
    {
        if (run.Manifests.TryGetValue(digest, out var m)) return m;
        m = await run.Reg.GetManifestAsync(digest, ct).ConfigureAwait(false);
        if (m != null) run.Manifests[digest] = m;
        return m;
    }

    async Task<ImageInspectResponse> InspectAsync(string image, CancellationToken ct)
    {
        try
        {
            return await _engine.Client.Images.InspectImageAsync(image, ct).ConfigureAwait(false);
        }
        catch (DockerImageNotFoundException)
        {
            throw new DockOptException(ErrorIds.ImageNotFound, DockOptErrorCategory.ObjectNotFound, $"No local image '{image}'.", image,
                "Check the name with Get-DockOptImage, or build it first.");
        }
        catch (DockerApiException e)
        {
            throw EngineErrors.FromApi(e, ErrorIds.ImageNotFound, image);
        }
    }

    /// <summary>Manifest digests the engine already knows for the target repository (its RepoDigests there).</summary>
    HashSet<string> KnownDigests(ImageInspectResponse inspect)
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rd in inspect.RepoDigests ?? new List<string>())
            if (ImageReference.TryParse(rd, out var pinned) && pinned!.Digest != null && pinned.Repository == Target.ToString())
                known.Add(pinned.Digest);
        return known;
    }

    /// <summary>Where each tag points now (null: not in the registry). The first lookup settles scheme and auth; the others go out together.</summary>
    async Task<Dictionary<string, RemoteManifest?>> LookUpTagsAsync(RegistryClient reg, CancellationToken ct)
    {
        var remote = new Dictionary<string, RemoteManifest?>(StringComparer.Ordinal);
        remote[_o.Tags[0]] = await WithTokenRefreshAsync(reg, () => reg.GetManifestAsync(_o.Tags[0], ct), ct).ConfigureAwait(false);
        var rest = _o.Tags.Skip(1).Select(t => (Tag: t, Task: reg.GetManifestAsync(t, ct))).ToList();
        foreach (var (t, task) in rest) remote[t] = await task.ConfigureAwait(false);
        return remote;
    }

    /// <summary>-WaitForScan on ECR: waits for the scan of each pushed digest and attaches it to the results.</summary>
    async Task AttachEcrScansAsync(List<PublishResult> results, string image, int activity, CancellationToken ct)
    {
        using (var ecr = _o.Auth.NewEcrClient(Target.Ecr!, _sink))
        {
            foreach (var digest in results.Select(r => r.Digest).Distinct())
            {
                _sink.Progress(new DockOptProgress(activity, $"Publishing {image}", $"Waiting for the ECR scan of {digest}"));
                var scan = await ecr.WaitForScanAsync(Target.Repository, digest, _o.ScanTimeout, _o.ScanPollInterval, ct).ConfigureAwait(false);
                foreach (var r in results.Where(r => r.Digest == digest)) r.Scan = scan;
                _sink.Verbose($"ECR scan of {Target.Pinned(digest)}: {scan}.");
            }
        }
        _sink.Progress(new DockOptProgress(activity, $"Publishing {image}", "Done") { Completed = true });
    }

    static string ShortId(string id) => id.StartsWith("sha256:", StringComparison.Ordinal) && id.Length > 19 ? id.Substring(7, 12) : id;

    PublishResult NewResult(string tag, RemoteManifest m, string imageId, RegistryCredential cred, PublishStatus status,
        int pushed, int skipped, long bytes, TimeSpan duration, int attempts) => new()
    {
        Registry = Target.Host,
        Repository = Target.Repository,
        Tag = tag,
        Digest = m.Digest,
        ImageUri = Target.Pinned(m.Digest),
        ImageId = imageId,
        Size = m.TotalSize,
        ManifestSize = m.ManifestSize,
        LayersPushed = pushed,
        LayersSkipped = skipped,
        BytesPushed = bytes,
        Status = status,
        Duration = duration,
        Attempts = attempts,
        AuthSource = cred.Source,
        PublishedAt = DateTime.UtcNow,
    };

    async Task EnsureRepositoryAsync(CancellationToken ct)
    {
        var ecr = Target.Ecr;
        if (ecr == null)
        {
            _sink.Warning($"-CreateRepository applies to Amazon ECR; {Target.Host} creates repositories on first push (or not at all), so nothing was done.");
            _repositoryEnsured = true;
            return;
        }
        using var client = _o.Auth.NewEcrClient(ecr, _sink);
        var created = await client.CreateRepositoryAsync(Target.Repository, _o.RepositorySettings, ct).ConfigureAwait(false);
        _sink.Verbose(created ? $"Created ECR repository {Target.Repository} in {ecr.Region}." : $"ECR repository {Target.Repository} already exists.");
        _repositoryEnsured = true;
    }

    Task<T> WithTokenRefreshAsync<T>(RegistryClient reg, Func<Task<T>> call, CancellationToken ct) =>
        _o.Auth.WithEcrTokenRefreshAsync(Target, reg, call, _sink, ct);

    internal enum PushErrorKind { Transient, Auth, Expired, Immutable, NotFound, Other }

    internal static PushErrorKind Classify(string message)
    {
        var m = message.ToLowerInvariant();
        if (m.Contains("immutable") || m.Contains("tag invalid") || m.Contains("tag_invalid") || m.Contains("imagetagalreadyexists")) return PushErrorKind.Immutable;
        if (m.Contains("expired")) return PushErrorKind.Expired;
        if (m.Contains("unauthorized") || m.Contains("authentication required") || m.Contains("no basic auth credentials") || m.Contains("denied"))
            return PushErrorKind.Auth;
        if (m.Contains("name unknown") || m.Contains("name_unknown") || m.Contains("does not exist in the registry")) return PushErrorKind.NotFound;
        if (m.Contains("connection refused") || m.Contains("connection reset") || m.Contains("eof") || m.Contains("broken pipe") ||
            m.Contains("timeout") || m.Contains("toomanyrequests") || m.Contains("429") || m.Contains("502") || m.Contains("503") ||
            m.Contains("504") || m.Contains("500 internal") || m.Contains("internal server error") || m.Contains("service unavailable") ||
            m.Contains("no route to host") || m.Contains("i/o timeout") || m.Contains("dial tcp"))
            return PushErrorKind.Transient;
        return PushErrorKind.Other;
    }

    /// <summary>Pushes one tag through the engine: tag the image locally, push it (with retries), read the tag back.</summary>
    async Task<PublishResult> PushTagAsync(PublishRun run, string tag, int activity, IReadOnlySet<string> before, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var localRef = Target.Reference(tag);
        await TagLocallyAsync(run.Inspect, tag, localRef, run.CreatedTags, ct).ConfigureAwait(false);
        var (stream, attempts, immutable) = await PushWithRetriesAsync(run.Reg, run.ImageId, tag, localRef, activity, sw, ct).ConfigureAwait(false);
        if (immutable != null) return immutable;
        var verify = new PushCheck(tag, localRef, stream, attempts, sw, before);
        return await VerifyPushAsync(run, verify, ct).ConfigureAwait(false);
    }

    /// <summary>What <see cref="VerifyPushAsync"/> checks a push against.</summary>
    sealed record PushCheck(string Tag, string LocalRef, PushStream Stream, int Attempts, Stopwatch Clock, IReadOnlySet<string> Before);

    /// <summary>
    /// Which layer blobs the repository holds right before a push: the layers of every manifest it serves that may share
    /// layers with the image (the tags being published, manifests the engine recorded for this repository, tags pushed earlier
    /// in this publish, and, for an engine that prints no per-layer push lines, the repository's other tags), each HEAD-checked.
    /// </summary>
    async Task<IReadOnlySet<string>> PresentBeforeAsync(PublishRun run, CancellationToken ct)
    {
        var candidates = new List<string>();
        foreach (var m in run.Remote.Values) if (m != null) candidates.AddRange(m.LayerDigests);
        foreach (var d in run.Known.ToList())
            if (await ManifestOfAsync(run, d, ct).ConfigureAwait(false) is { } known) candidates.AddRange(known.LayerDigests);
        foreach (var m in run.Manifests.Values) candidates.AddRange(m.LayerDigests);
        if (_engine.EngineProduct != "Docker") candidates.AddRange(run.OtherTagLayers ??= await OtherTagLayersAsync(run, ct).ConfigureAwait(false));
        try { return await run.Figures.SnapshotAsync(run.Reg, candidates, ct).ConfigureAwait(false); }
        catch (DockOptException e) when (e.ErrorId is ErrorIds.RegistryAccessDenied or ErrorIds.RegistryError)
        {
            // The push itself decides; without the check, layers the repository held count as sent.
            _sink.Verbose($"Could not check which layers {Target} holds before the push: {e.Message}");
            return new HashSet<string>(run.Figures.Present, StringComparer.Ordinal);
        }
    }

    /// <summary>The layer digests of the repository's other tags (the first 50 it lists; 4 manifests at a time).</summary>
    async Task<List<string>> OtherTagLayersAsync(PublishRun run, CancellationToken ct)
    {
        try
        {
            var tags = (await run.Reg.ListTagsAsync(ct).ConfigureAwait(false)).Where(t => !_o.Tags.Contains(t)).Take(50).ToList();
            using var gate = new SemaphoreSlim(4);
            var reads = tags.Select(async t =>
            {
                await gate.WaitAsync(ct).ConfigureAwait(false);
                try { return await run.Reg.GetManifestAsync(t, ct).ConfigureAwait(false); }
                finally { gate.Release(); }
            }).ToList();
            return (await Task.WhenAll(reads).ConfigureAwait(false)).Where(m => m != null).SelectMany(m => m!.LayerDigests).ToList();
        }
        catch (DockOptException e) when (e.ErrorId is ErrorIds.RegistryAccessDenied or ErrorIds.RegistryError)
        {
            _sink.Verbose($"Could not read the other tags of {Target}: {e.Message} Layers they hold count as sent if the push uses them.");
            return new List<string>();
        }
    }

    /// <summary>Gives the image the registry name the engine pushes (unless it already has it).</summary>
    async Task TagLocallyAsync(ImageInspectResponse inspect, string tag, string localRef, List<string> createdTags, CancellationToken ct)
    {
        if (inspect.RepoTags != null && inspect.RepoTags.Contains(localRef)) return;
        // Listed before the request: a cancel after the engine tagged (answer not read yet) still removes it.
        createdTags.Add(localRef);
        using var tagResp = await _engine.SendCheckedAsync(HttpMethod.Post,
            $"/images/{inspect.ID}/tag?repo={Uri.EscapeDataString(Target.ToString())}&tag={Uri.EscapeDataString(tag)}", null, ct,
            ErrorIds.ImageNotFound, inspect.ID).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs engine pushes until one succeeds: an expired ECR token is refreshed once, transient failures are retried within
    /// the retry policy, an immutable tag is judged by <see cref="ImmutableAsync"/> (its result is returned as the third item).
    /// </summary>
    async Task<(PushStream Stream, int Attempts, PublishResult? Immutable)> PushWithRetriesAsync(RegistryClient reg, string imageId, string tag,
        string localRef, int activity, Stopwatch sw, CancellationToken ct)
    {
        var started = DateTime.UtcNow;
        var refreshed = false;
        var attempt = 0;
        while (true)
        {
            attempt++;
            var stream = new PushStream();
            var failure = await PushOnceAsync(reg, tag, localRef, stream, activity, started, attempt, ct).ConfigureAwait(false);
            if (failure == null) return (stream, attempt, null);
            failure = reg.Credential.Scrub(failure);
            _sink.Verbose($"Push of {localRef}, attempt {attempt}: {failure}");
            var kind = Classify(failure);
            if (kind == PushErrorKind.Immutable)
                return (stream, attempt, await ImmutableAsync(reg, imageId, tag, failure, sw, attempt, ct).ConfigureAwait(false));
            if (kind == PushErrorKind.Expired && !refreshed && Target.Ecr != null)
            {
                refreshed = true;
                RegistryAuth.Forget(Target.Host);
                reg.UpdateCredential(await _o.Auth.ResolveAsync(Target, _sink, ct, refresh: true).ConfigureAwait(false));
                continue;
            }
            if (kind == PushErrorKind.Transient)
            {
                var delay = _o.Retry.Delay(attempt);
                if (_o.Retry.CanRetry(attempt, started, delay))
                {
                    _sink.Warning($"Push of {localRef} failed ({failure}); retry {attempt} in {delay.TotalSeconds:0.0} s.");
                    await Task.Delay(delay, ct).ConfigureAwait(false);
                    continue;
                }
            }
            throw PushFailure(kind, failure, localRef, reg, attempt, started);
        }
    }

    /// <summary>One <c>POST /images/{name}/push</c>, read to its end; returns why it failed, or null.</summary>
    async Task<string?> PushOnceAsync(RegistryClient reg, string tag, string localRef, PushStream stream, int activity, DateTime started, int attempt,
        CancellationToken ct)
    {
        var remaining = _o.Retry.MaxTime - (DateTime.UtcNow - started);
        if (remaining < TimeSpan.FromSeconds(1)) remaining = TimeSpan.FromSeconds(1);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(remaining);
        try
        {
            var headers = new Dictionary<string, string> { ["X-Registry-Auth"] = reg.Credential.ToEngineAuthHeader(Target.Host) };
            using var resp = await _engine.SendAsync(HttpMethod.Post,
                $"/images/{Target}/push?tag={Uri.EscapeDataString(tag)}", null, deadline.Token, headers).ConfigureAwait(false);
            if (!resp.IsSuccessStatusCode)
                return EngineErrors.ExtractMessage(await resp.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false));
            await ReadStreamAsync(resp, stream, tag, activity, deadline.Token).ConfigureAwait(false);
            return stream.Error ?? (stream.Digest == null ? "the engine ended the push without a digest" : null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            var failure = $"the push did not finish within {_o.Retry.MaxTime.TotalSeconds:0} s{(stream.EngineRetries > 0 ? $" (the engine retried {stream.EngineRetries} time(s))" : "")}";
            throw new DockOptException(ErrorIds.RegistryUnreachable, DockOptErrorCategory.ConnectionError,
                $"Pushing {localRef} failed: {reg.Credential.Scrub(failure)}; {attempt} attempt(s) in {(DateTime.UtcNow - started).TotalSeconds:0.0} s.",
                localRef, "Check that the registry is up and reachable; raise -RetryTimeout for a slow link.");
        }
        catch (HttpRequestException e)
        {
            throw new DockOptException(ErrorIds.EngineError, DockOptErrorCategory.ConnectionError, $"The Docker engine connection failed during the push of {localRef}: {e.Message}", localRef, null, e);
        }
    }

    /// <summary>The error for a push failure that is not retried (any more).</summary>
    DockOptException PushFailure(PushErrorKind kind, string failure, string localRef, RegistryClient reg, int attempt, DateTime started) => kind switch
    {
        PushErrorKind.Auth or PushErrorKind.Expired => new DockOptException(ErrorIds.RegistryAuthenticationFailed, DockOptErrorCategory.AuthenticationError,
            $"Registry {Target.Host} refused the push of {localRef} for {reg.Credential}: {failure}", Target.Host,
            "Check the credentials and that the account may push to this repository."),
        PushErrorKind.NotFound => new DockOptException(ErrorIds.RepositoryNotFound, DockOptErrorCategory.ObjectNotFound,
            $"Registry {Target.Host} has no repository {Target.Repository}: {failure}", Target.ToString(),
            Target.Ecr != null ? "Add -CreateRepository, or create it with New-ECRRepository." : "Create the repository in the registry first."),
        PushErrorKind.Transient => new DockOptException(ErrorIds.RegistryUnreachable, DockOptErrorCategory.ConnectionError,
            $"Pushing {localRef} failed after {attempt} attempt(s) in {(DateTime.UtcNow - started).TotalSeconds:0.0} s: {failure}",
            localRef, "Check that the registry is up and reachable; raise -RetryTimeout / -MaxAttempts for a flaky link."),
        _ => new DockOptException(ErrorIds.PushFailed, DockOptErrorCategory.InvalidResult, $"Pushing {localRef} failed: {failure}", localRef, null),
    };

    /// <summary>
    /// Nothing is reported Pushed that the registry does not have: reads the tag back. The layer figures come from the
    /// registry (the manifest's layers the repository did not hold before the push, with the manifest's sizes); where the
    /// engine printed per-layer lines (dockerd), its figures are kept and checked against the registry's.
    /// </summary>
    async Task<PublishResult> VerifyPushAsync(PublishRun run, PushCheck p, CancellationToken ct)
    {
        var reg = run.Reg;
        var stream = p.Stream;
        var now = await reg.HeadManifestAsync(p.Tag, ct).ConfigureAwait(false);
        if (now != stream.Digest)
            throw new DockOptException(ErrorIds.PushNotVerified, DockOptErrorCategory.InvalidResult,
                $"The engine pushed {p.LocalRef} as {stream.Digest}, but the registry reports {(now ?? "no manifest")} for the tag.", p.LocalRef,
                "Another client may have pushed the tag at the same time; publish again.");
        var manifest = await ManifestOfAsync(run, stream.Digest!, ct).ConfigureAwait(false)
            ?? throw new DockOptException(ErrorIds.PushNotVerified, DockOptErrorCategory.InvalidResult,
                $"The registry does not return the manifest {stream.Digest} just pushed as {p.LocalRef}.", p.LocalRef, "Publish again.");

        var gained = run.Figures.Compare(manifest, p.Before);
        var diffIds = run.DiffIds;
        int pushed, skipped;
        long bytes;
        if (stream.Layers.Count == 0 && manifest.LayerDigests.Length > 0)
        {
            (pushed, skipped, bytes) = (gained.Sent, gained.Kept, gained.Bytes);
            _sink.Verbose($"The engine printed no per-layer push lines; from the registry: {pushed} of {manifest.LayerDigests.Length} layer(s) new to {Target} ({ByteSize.Format(bytes)}).");
        }
        else
        {
            (pushed, skipped, bytes) = EngineFigures(stream, diffIds, manifest);
            var mounted = stream.Layers.Values.Count(l => l.Outcome == "Mounted");
            if (pushed + mounted != gained.Sent)
                _sink.Verbose($"The engine reported {pushed} layer(s) uploaded and {mounted} mounted; the registry shows {gained.Sent} layer(s) new to {Target} ({string.Join(", ", gained.SentDigests)}).");
        }
        _sink.Verbose($"Pushed {p.LocalRef} as {stream.Digest}: {pushed} layer(s) uploaded ({ByteSize.Format(bytes)}), {skipped} already there, {p.Attempts} attempt(s).");
        return NewResult(p.Tag, manifest, run.ImageId, reg.Credential, PublishStatus.Pushed, pushed, skipped, bytes, p.Clock.Elapsed, p.Attempts);
    }

    /// <summary>The figures of dockerd's per-layer lines: layers Pushed, with the manifest's compressed size of each.</summary>
    static (int Pushed, int Skipped, long Bytes) EngineFigures(PushStream stream, string[] diffIds, RemoteManifest manifest)
    {
        long bytes = 0;
        var byId = diffIds.Select((d, i) => (Short: d.Length > 19 ? d.Substring(7, 12) : d, Index: i)).GroupBy(x => x.Short).ToDictionary(g => g.Key, g => g.First().Index);
        foreach (var l in stream.Layers.Values.Where(l => l.Outcome == "Pushed"))
            bytes += byId.TryGetValue(l.Id, out var i) && i < manifest.LayerSizes.Length && manifest.LayerSizes.Length == diffIds.Length
                ? manifest.LayerSizes[i] : Math.Max(l.Current, l.Total);
        return (stream.Pushed, stream.Skipped + Math.Max(0, diffIds.Length - stream.Layers.Count), bytes);
    }

    async Task<PublishResult> ImmutableAsync(RegistryClient reg, string imageId, string tag, string failure, Stopwatch sw, int attempts, CancellationToken ct)
    {
        var m = await reg.GetManifestAsync(tag, ct).ConfigureAwait(false);
        if (m != null && m.ConfigDigest == imageId)
        {
            _sink.Verbose($"{Target.Reference(tag)} is immutable and already holds this image ({m.Digest}): counted as Unchanged.");
            return NewResult(tag, m, imageId, reg.Credential, PublishStatus.Unchanged, 0, 0, 0, sw.Elapsed, attempts);
        }
        throw new DockOptException(ErrorIds.TagImmutable, DockOptErrorCategory.ResourceExists,
            $"Tag {Target.Reference(tag)} is immutable and points to another image ({m?.Digest ?? "unknown digest"}): {failure}",
            Target.Reference(tag), "Publish under a new tag (for example -TagStrategy GitSha or SemVer); immutable tags cannot be moved.");
    }

    async Task ReadStreamAsync(HttpResponseMessage resp, PushStream stream, string tag, int activity, CancellationToken ct)
    {
        using var body = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var reader = new StreamReader(body);
        var lastProgress = DateTime.MinValue;
        var layerActivity = new Dictionary<string, int>(StringComparer.Ordinal);
        while (true)
        {
            var line = await reader.ReadLineAsync(ct).ConfigureAwait(false);
            if (line == null) break;
            var before = stream.Layers.Count;
            var layer = stream.Apply(line);
            if (layer == null) continue;
            if (!layerActivity.TryGetValue(layer.Id, out var la)) layerActivity[layer.Id] = la = activity * 100 + layerActivity.Count + 1;
            var done = layer.Outcome != null;
            if (done || DateTime.UtcNow - lastProgress > TimeSpan.FromMilliseconds(250))
            {
                lastProgress = DateTime.UtcNow;
                var total = stream.TotalBytes;
                _sink.Progress(new DockOptProgress(activity, $"Pushing {Target.Reference(tag)}",
                    $"{stream.Layers.Values.Count(l => l.Outcome != null)}/{stream.Layers.Count} layers, {ByteSize.Format(stream.CurrentBytes)} of {ByteSize.Format(total)}")
                { PercentComplete = total > 0 ? (int)(100 * stream.CurrentBytes / total) : -1 });
                _sink.Progress(new DockOptProgress(la, $"Layer {layer.Id}",
                    layer.Total > 0 ? $"{layer.State} {ByteSize.Format(layer.Current)} of {ByteSize.Format(layer.Total)}" : layer.State)
                {
                    ParentActivityId = activity,
                    PercentComplete = done ? 100 : layer.Total > 0 ? (int)(100 * layer.Current / layer.Total) : -1,
                    Completed = done,
                });
            }
            if (done && before == stream.Layers.Count)
                _sink.Verbose($"Layer {layer.Id}: {layer.State}{(layer.Total > 0 ? $" ({ByteSize.Format(layer.Total)})" : "")}.");
        }
    }

    /// <summary>Removes the tags this run made; runs on cancellation too, with a fresh 20 s budget of its own.</summary>
    async Task RemoveLocalTagsAsync(List<string> tags)
    {
        using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        foreach (var t in tags)
        {
            try
            {
                using var r = await _engine.SendAsync(HttpMethod.Delete, $"/images/{t}?noprune=1", null, cleanup.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
            {
                try { _sink.Verbose($"Could not remove the local tag {t}: {e.Message}"); }
                catch (OperationCanceledException) { }
            }
        }
    }
}
