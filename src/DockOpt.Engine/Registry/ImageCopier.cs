using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Registry;

/// <summary>Options of a registry-to-registry copy.</summary>
public sealed class CopyOptions
{
    public RegistryAuth SourceAuth { get; init; } = new();
    public RegistryAuth DestinationAuth { get; init; } = new();
    public RetryPolicy Retry { get; init; } = new();

    /// <summary><c>os/arch[/variant]</c>: copy only this platform out of an index (the destination gets that image manifest).</summary>
    public string? Platform { get; init; }

    /// <summary>
    /// 0 (default): each blob goes in one streamed PATCH, as docker push, crane and skopeo send it. Otherwise chunked PATCHes
    /// of this many bytes (raised to the registry's OCI-Chunk-Min-Length), each retried on its own.
    /// </summary>
    public int ChunkSize { get; init; }

    /// <summary>Blobs of one image copied at the same time (docker pushes 5 layers at once, regclient 3 per host, crane 4).</summary>
    public int MaxConcurrentBlobs { get; init; } = 3;

    public string? CertsDirectory { get; init; }
}

/// <summary>
/// Copies an image between registries without an engine, as <c>crane copy</c> and <c>skopeo copy</c> do: every manifest byte
/// for byte (so digests are kept), blobs HEAD-checked at the destination, mounted across repositories of the same registry,
/// otherwise streamed from the source in bounded chunks; a whole index with every child manifest, or one platform of it.
/// </summary>
public sealed class ImageCopier
{
    readonly CopyOptions _o;
    readonly IDockOptSink _sink;
    static int _activitySeed = 8800;

    public ImageCopier(CopyOptions options, IDockOptSink sink)
    {
        _o = options;
        _sink = sink;
    }

    /// <summary>Parses a source: <c>[docker://]host[:port]/repository[:tag][@digest]</c> naming its registry host.</summary>
    public static ImageReference ParseSource(string text)
    {
        var s = text.Trim();
        if (s.StartsWith("docker://", StringComparison.OrdinalIgnoreCase)) s = s.Substring("docker://".Length);
        var slash = s.IndexOf('/');
        var first = slash > 0 ? s.Substring(0, slash) : "";
        if (slash <= 0 || !(first == "localhost" || first.IndexOfAny(new[] { '.', ':' }) >= 0))
            throw new DockOptException(ErrorIds.InvalidCopySource, DockOptErrorCategory.InvalidArgument,
                $"'{text}' names no registry host; Copy-DockOptImage reads registries, not the local engine.", text,
                "Give host[:port]/repository[:tag], e.g. 127.0.0.1:5000/app:1 or docker.io/library/busybox:1.36.");
        if (!ImageReference.TryParse(s, out var r, out var error))
            throw new DockOptException(ErrorIds.InvalidCopySource, DockOptErrorCategory.InvalidArgument, $"'{text}' is not an image reference: {error}", text,
                "Give host[:port]/repository[:tag|@sha256:<digest>].");
        return r!;
    }

    /// <summary>The registry API host of a reference (Docker Hub's API lives at registry-1.docker.io).</summary>
    public static RegistryTarget TargetOf(ImageReference r) =>
        new(r.Domain == "docker.io" ? "registry-1.docker.io" : r.Domain, r.Path);

    /// <summary>Copies one source reference to the destination (<c>host/repository[:tag]</c>); null when -WhatIf declined.</summary>
    public async Task<CopyResult?> CopyAsync(ImageReference source, RegistryTarget destination, string? destinationTag, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var srcTarget = TargetOf(source);
        var srcRef = source.Digest ?? source.Tag ?? "latest";
        var dstRef = destinationTag ?? source.Tag ?? source.Digest ?? "latest";
        using var src = new RegistryClient(srcTarget, await _o.SourceAuth.ResolveAsync(srcTarget, _sink, ct).ConfigureAwait(false), _o.Retry, _sink, _o.CertsDirectory);
        var top = await src.GetRawManifestAsync(srcRef, ct).ConfigureAwait(false)
            ?? throw new DockOptException(ErrorIds.CopySourceNotFound, DockOptErrorCategory.ObjectNotFound,
                $"Registry {srcTarget.Host} has no manifest {srcTarget.Repository}{(srcRef.StartsWith("sha256:", StringComparison.Ordinal) ? "@" : ":")}{srcRef}.",
                source.ToString(), "Check the tag or digest, e.g. with 'curl http://<registry>/v2/<repository>/tags/list'.");
        var plan = await PlanAsync(src, top, ct).ConfigureAwait(false);
        var state = new CopyState { Top = plan.Top, Platforms = plan.Platforms };
        var what = destination.Reference(dstRef).Replace(":sha256:", "@sha256:", StringComparison.Ordinal);
        var sourceText = $"{srcTarget.Host}/{srcTarget.Repository}{(srcRef.StartsWith("sha256:", StringComparison.Ordinal) ? "@" : ":")}{srcRef}";
        if (!_sink.ShouldProcess(what, $"Copy {sourceText} ({plan.Top.Digest}, {Describe(plan)}) to {what}"))
            return null;

        using var dst = RegistryClient.ForCopy(destination, await _o.DestinationAuth.ResolveAsync(destination, _sink, ct).ConfigureAwait(false), _o.Retry, _sink, _o.CertsDirectory);
        var now = await dst.HeadManifestAsync(dstRef, ct).ConfigureAwait(false);
        if (now == plan.Top.Digest)
        {
            _sink.Verbose($"{what} already is {plan.Top.Digest}: nothing to copy.");
            return Result(state, sourceText, what, destination, src, dst, CopyStatus.Unchanged, sw.Elapsed);
        }

        var activity = Interlocked.Increment(ref _activitySeed);
        var mountFrom = string.Equals(srcTarget.Host, destination.Host, StringComparison.OrdinalIgnoreCase) ? srcTarget.Repository : null;
        try
        {
            foreach (var child in plan.Children)
                await CopyTreeAsync(src, dst, child, mountFrom, state, activity, 1, ct).ConfigureAwait(false);
            if (plan.Top.IsIndex)
            {
                await dst.PutManifestAsync(dstRef, plan.Top, ct).ConfigureAwait(false);
                state.Manifests++;
            }
            else await CopyImageManifestAsync(src, dst, plan.Top, dstRef, mountFrom, state, activity, ct).ConfigureAwait(false);
        }
        finally
        {
            dst.ReleaseUploads();
            if (!ct.IsCancellationRequested) _sink.Progress(new DockOptProgress(activity, $"Copying {sourceText}", "Done") { Completed = true });
        }

        var after = await dst.HeadManifestAsync(dstRef, ct).ConfigureAwait(false);
        if (after != plan.Top.Digest)
            throw new DockOptException(ErrorIds.PushNotVerified, DockOptErrorCategory.InvalidResult,
                $"Copied {plan.Top.Digest} to {what}, but the registry reports {after ?? "no manifest"} there.", what,
                "Another client may have written the tag at the same time; copy again.");
        _sink.Verbose($"Copied {sourceText} to {what} ({plan.Top.Digest}): {state.Copied} blob(s) sent ({ByteSize.Format(state.Bytes)}), {state.Mounted} mounted, {state.Skipped} already there.");
        return Result(state, sourceText, what, destination, src, dst, CopyStatus.Copied, sw.Elapsed);
    }

    sealed class CopyState
    {
        public RawManifest Top = null!;
        public List<string> Platforms = new();
        public int Copied, Mounted, Skipped, Manifests;
        public long Bytes, Size;
    }

    sealed record CopyPlan(RawManifest Top, List<RawManifest> Children, List<string> Platforms);

    static string Describe(CopyPlan p) => p.Top.IsIndex
        ? $"index of {p.Children.Count} manifest(s): {string.Join(", ", p.Platforms)}"
        : $"{p.Top.MediaType}{(p.Platforms.Count > 0 ? ", " + p.Platforms[0] : "")}";

    /// <summary>What is copied: the index and all its children, one child (-Platform), or one image manifest.</summary>
    async Task<CopyPlan> PlanAsync(RegistryClient src, RawManifest top, CancellationToken ct)
    {
        if (top.IsIndex)
        {
            var entries = RegistryClient.Descriptors(top);
            if (_o.Platform != null)
            {
                var offered = entries.Select(e => e.Platform ?? "unknown").ToList();
                var pick = entries.FirstOrDefault(e => PlatformMatches(e.Platform, _o.Platform))
                    ?? throw NoPlatform(src.Target.ToString(), offered);
                var one = await ChildAsync(src, pick.Digest, ct).ConfigureAwait(false);
                return new CopyPlan(one, new List<RawManifest>(), new List<string> { pick.Platform! });
            }
            var children = new List<RawManifest>();
            foreach (var e in entries) children.Add(await ChildAsync(src, e.Digest, ct).ConfigureAwait(false));
            return new CopyPlan(top, children, entries.Select(e => e.Platform ?? "unknown").ToList());
        }
        var platform = await ConfigPlatformAsync(src, top, ct).ConfigureAwait(false);
        if (_o.Platform != null && !PlatformMatches(platform, _o.Platform))
            throw NoPlatform(src.Target.ToString(), new List<string> { platform ?? "unknown" });
        return new CopyPlan(top, new List<RawManifest>(), platform != null ? new List<string> { platform } : new List<string>());
    }

    static async Task<RawManifest> ChildAsync(RegistryClient src, string digest, CancellationToken ct) =>
        await src.GetRawManifestAsync(digest, ct).ConfigureAwait(false)
        ?? throw new DockOptException(ErrorIds.CopySourceNotFound, DockOptErrorCategory.ObjectNotFound,
            $"The index in {src.Target} lists {digest}, which the registry does not have.", src.Target.Pinned(digest),
            "The source index is incomplete; copy one platform with -Platform, or push the index again.");

    /// <summary>os/arch[/variant] from an image manifest's config blob (small; read whole, at most 4 MiB).</summary>
    static async Task<string?> ConfigPlatformAsync(RegistryClient src, RawManifest m, CancellationToken ct)
    {
        var config = RegistryClient.Descriptors(m).FirstOrDefault();
        if (config == null || config.Size > 4 * 1024 * 1024) return null;
        using var resp = await src.OpenBlobForCopyAsync(config.Digest, ct).ConfigureAwait(false);
        var bytes = await resp.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            return RegistryClient.PlatformString(doc.RootElement);
        }
        catch (JsonException) { return null; }
    }

    /// <summary>Whether an index entry's platform serves the one asked for, normalised as containerd does (linux/arm64 = linux/arm64/v8, x86_64 = amd64).</summary>
    public static bool PlatformMatches(string? offered, string wanted) =>
        Images.ImagePlatformMatch.TryParse(offered) is { } o && Images.ImagePlatformMatch.TryParse(wanted) is { } w && o.Matches(w);

    static DockOptException NoPlatform(string what, List<string> offered) => new(ErrorIds.PlatformNotFound, DockOptErrorCategory.ObjectNotFound,
        $"{what} offers {string.Join(", ", offered)}; no match for the platform asked for.", what,
        $"Pick one of the platforms the image offers with -Platform os/arch[/variant]: {string.Join(", ", offered)}.");

    /// <summary>
    /// One child of an index, by its digest: an image manifest with its blobs, or a nested index (the OCI image spec allows an
    /// index to list indexes) with its own children first. Depth is bounded.
    /// </summary>
    async Task CopyTreeAsync(RegistryClient src, RegistryClient dst, RawManifest m, string? mountFrom, CopyState state, int activity, int depth, CancellationToken ct)
    {
        if (!m.IsIndex)
        {
            await CopyImageManifestAsync(src, dst, m, m.Digest, mountFrom, state, activity, ct).ConfigureAwait(false);
            return;
        }
        if (depth > 4)
            throw new DockOptException(ErrorIds.RegistryError, DockOptErrorCategory.InvalidData, $"The index {m.Digest} in {src.Target} nests indexes more than 4 deep.", src.Target.Pinned(m.Digest), null);
        if (await dst.HeadManifestAsync(m.Digest, ct).ConfigureAwait(false) == m.Digest) return;
        foreach (var e in RegistryClient.Descriptors(m))
            await CopyTreeAsync(src, dst, await ChildAsync(src, e.Digest, ct).ConfigureAwait(false), mountFrom, state, activity, depth + 1, ct).ConfigureAwait(false);
        await dst.PutManifestAsync(m.Digest, m, ct).ConfigureAwait(false);
        state.Manifests++;
    }

    /// <summary>Copies the blobs of one image manifest, then the manifest itself (skipped when the destination has that digest).</summary>
    async Task CopyImageManifestAsync(RegistryClient src, RegistryClient dst, RawManifest m, string reference, string? mountFrom, CopyState state,
        int activity, CancellationToken ct)
    {
        var blobs = RegistryClient.Descriptors(m).Where(b => !b.Foreign).ToList();
        state.Size += blobs.Sum(b => Math.Max(0, b.Size));
        var byDigest = reference == m.Digest;
        if (byDigest && await dst.HeadManifestAsync(m.Digest, ct).ConfigureAwait(false) == m.Digest)
        {
            state.Skipped += blobs.Count;
            return;
        }
        await CopyBlobsAsync(src, dst, m, blobs, mountFrom, state, activity, ct).ConfigureAwait(false);
        await dst.PutManifestAsync(reference, m, ct).ConfigureAwait(false);
        state.Manifests++;
    }

    /// <summary>
    /// The blobs of one image manifest, <see cref="CopyOptions.MaxConcurrentBlobs"/> at a time; the first failure cancels the
    /// others and is the one thrown.
    /// </summary>
    async Task CopyBlobsAsync(RegistryClient src, RegistryClient dst, RawManifest m, List<BlobDescriptor> blobs, string? mountFrom, CopyState state,
        int activity, CancellationToken ct)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var gate = new SemaphoreSlim(Math.Max(1, _o.MaxConcurrentBlobs));
        var done = 0;
        var copies = blobs.Select(async blob =>
        {
            await gate.WaitAsync(failed.Token).ConfigureAwait(false);
            try
            {
                await CopyBlobAsync(src, dst, blob, mountFrom, state, failed.Token).ConfigureAwait(false);
                var n = Interlocked.Increment(ref done);
                _sink.Progress(new DockOptProgress(activity, $"Copying to {dst.Target}", $"{m.Digest.Substring(7, 12)}: {n} of {blobs.Count} blobs, {ByteSize.Format(Interlocked.Read(ref state.Bytes))} sent")
                { PercentComplete = (int)(100L * n / Math.Max(1, blobs.Count)) });
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                failed.Cancel();
                throw;
            }
            finally { gate.Release(); }
        }).ToList();
        try { await Task.WhenAll(copies).ConfigureAwait(false); }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // The first real failure, not the cancellations it caused.
            var first = copies.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
            if (first != null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
            throw;
        }
    }

    /// <summary>
    /// HEAD at the destination, then a mount (same registry), else GET from the source streamed to the destination. A transient
    /// failure of a streamed blob starts that blob again (new session, new GET) within the retry policy.
    /// </summary>
    async Task CopyBlobAsync(RegistryClient src, RegistryClient dst, BlobDescriptor blob, string? mountFrom, CopyState state, CancellationToken ct)
    {
        if (await dst.BlobExistsAsync(blob.Digest, ct).ConfigureAwait(false))
        {
            Interlocked.Increment(ref state.Skipped);
            _sink.Debug($"Blob {blob.Digest}: already in {dst.Target}.");
            return;
        }
        var started = DateTime.UtcNow;
        for (var attempt = 1; ; attempt++)
        {
            var (location, chunkMin) = await dst.StartUploadAsync(blob.Digest, mountFrom, ct).ConfigureAwait(false);
            if (location == null)
            {
                Interlocked.Increment(ref state.Mounted);
                _sink.Verbose($"Blob {blob.Digest}: mounted from {mountFrom}.");
                return;
            }
            try
            {
                var sent = _o.ChunkSize > 0
                    ? await StreamBlobChunkedAsync(src, dst, blob, location, (int)Math.Min(int.MaxValue / 2, Math.Max(_o.ChunkSize, chunkMin)), ct).ConfigureAwait(false)
                    : await StreamBlobAsync(src, dst, blob, location, ct).ConfigureAwait(false);
                Interlocked.Increment(ref state.Copied);
                Interlocked.Add(ref state.Bytes, sent);
                _sink.Verbose($"Blob {blob.Digest}: {ByteSize.Format(sent)} copied.");
                return;
            }
            catch (Exception e) when (_o.ChunkSize == 0 && e is not DockOptException && RetryPolicy.IsTransient(e) && !ct.IsCancellationRequested)
            {
                var delay = _o.Retry.Delay(attempt);
                if (!_o.Retry.CanRetry(attempt, started, delay))
                    throw new DockOptException(ErrorIds.RegistryUnreachable, DockOptErrorCategory.ConnectionError,
                        $"Copying the blob {blob.Digest} to {dst.Target.Host} failed after {attempt} attempt(s): {e.Message}", dst.Target.ToString(),
                        "Check that both registries are up and reachable; raise -RetryTimeout / -MaxAttempts for a flaky link.", e);
                _sink.Verbose($"Blob {blob.Digest}: {e.Message}; starting it again in {delay.TotalSeconds:0.0} s (attempt {attempt + 1}).");
                await Task.Delay(delay, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// One streamed PATCH with the whole blob as it arrives from the source GET (never held in memory), its SHA-256 and length
    /// checked on the way; the PUT <c>?digest=</c> that ends the upload is sent only when both match.
    /// </summary>
    static async Task<long> StreamBlobAsync(RegistryClient src, RegistryClient dst, BlobDescriptor blob, Uri location, CancellationToken ct)
    {
        using var resp = await src.OpenBlobForCopyAsync(blob.Digest, ct).ConfigureAwait(false);
        await using var body = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var hashing = new HashingStream(body);
        try
        {
            var next = await dst.UploadStreamAsync(location, hashing, blob.Size >= 0 ? blob.Size : resp.Content.Headers.ContentLength ?? -1, ct).ConfigureAwait(false);
            CheckDigest(src, blob, hashing.Digest, hashing.BytesRead);
            await dst.CompleteUploadAsync(next, blob.Digest, Array.Empty<byte>(), 0, ct).ConfigureAwait(false);
            return hashing.BytesRead;
        }
        finally
        {
            hashing.ReleaseHash();
        }
    }

    static void CheckDigest(RegistryClient src, BlobDescriptor blob, string digest, long total)
    {
        if (digest != blob.Digest || (blob.Size >= 0 && total != blob.Size))
            throw new DockOptException(ErrorIds.RegistryDigestMismatch, DockOptErrorCategory.InvalidData,
                $"Registry {src.Target.Host} sent {total} bytes with SHA-256 {digest} for the blob {blob.Digest} ({blob.Size} bytes).",
                src.Target.Pinned(blob.Digest), "The source registry or a proxy alters blobs; check it.");
    }

    /// <summary>A read-only pass-through stream that hashes (SHA-256) and counts what is read.</summary>
    sealed class HashingStream : Stream
    {
        readonly Stream _inner;
        readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        public HashingStream(Stream inner) => _inner = inner;
        public long BytesRead { get; private set; }
        public string Digest => "sha256:" + Convert.ToHexString(_hash.GetCurrentHash()).ToLowerInvariant();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Count(buffer.AsSpan(offset), _inner.Read(buffer, offset, count));
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            var n = await _inner.ReadAsync(buffer, ct).ConfigureAwait(false);
            return Count(buffer.Span, n);
        }
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();
        int Count(Span<byte> data, int n)
        {
            _hash.AppendData(data.Slice(0, n));
            BytesRead += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        /// <summary>Frees the hash (not in Dispose: the request that sends this stream disposes it before the digest is read).</summary>
        public void ReleaseHash() => _hash.Dispose();
    }

    /// <summary>
    /// Streams one blob: reads the source GET in chunks (memory bounded by the chunk size), PATCHes every full chunk and PUTs the
    /// last one with <c>?digest=</c>. The SHA-256 and length are checked while reading; a mismatch ends the upload before the PUT.
    /// </summary>
    static async Task<long> StreamBlobChunkedAsync(RegistryClient src, RegistryClient dst, BlobDescriptor blob, Uri location, int chunk, CancellationToken ct)
    {
        using var resp = await src.OpenBlobForCopyAsync(blob.Digest, ct).ConfigureAwait(false);
        await using var body = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[chunk];
        long offset = 0;
        while (true)
        {
            var n = await FillAsync(body, buffer, ct).ConfigureAwait(false);
            hash.AppendData(buffer, 0, n);
            if (n < buffer.Length)
            {
                var total = offset + n;
                CheckDigest(src, blob, "sha256:" + Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant(), total);
                await dst.CompleteUploadAsync(location, blob.Digest, buffer, n, ct).ConfigureAwait(false);
                return total;
            }
            location = await dst.UploadChunkAsync(location, buffer, n, offset, ct).ConfigureAwait(false);
            offset += n;
        }
    }

    static async Task<int> FillAsync(Stream s, byte[] buffer, CancellationToken ct)
    {
        var n = 0;
        while (n < buffer.Length)
        {
            var r = await s.ReadAsync(buffer.AsMemory(n), ct).ConfigureAwait(false);
            if (r == 0) break;
            n += r;
        }
        return n;
    }

    static CopyResult Result(CopyState s, string source, string destination, RegistryTarget dstTarget, RegistryClient src, RegistryClient dst,
        CopyStatus status, TimeSpan duration) => new()
    {
        Source = source,
        Destination = destination,
        Digest = s.Top.Digest,
        ImageUri = dstTarget.Pinned(s.Top.Digest),
        MediaType = s.Top.MediaType,
        Platforms = s.Platforms.ToArray(),
        ManifestsCopied = s.Manifests,
        BlobsCopied = s.Copied,
        BlobsMounted = s.Mounted,
        BlobsSkipped = s.Skipped,
        BytesSent = s.Bytes,
        Size = s.Size,
        Status = status,
        Duration = duration,
        AuthSource = src.Credential.Source == dst.Credential.Source ? dst.Credential.Source : $"{src.Credential.Source} -> {dst.Credential.Source}",
    };
}
