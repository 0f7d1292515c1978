using System.Diagnostics;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using DockOpt.Engine.DockerApi;

namespace DockOpt.Engine.Registry;

/// <summary>
/// Publishes one multi-platform image from one local image per platform: each image is pushed through the engine under
/// <c>&lt;first tag&gt;-&lt;os&gt;-&lt;arch&gt;[-&lt;variant&gt;]</c> (engine API 1.41 pushes by tag only), then an OCI image index of
/// their manifests is PUT under every tag. The index bytes are deterministic (entries sorted by platform), so publishing the
/// same images again finds every tag at the same digest and sends nothing.
/// </summary>
public sealed class IndexPublisher
{
    readonly DockerEngine _engine;
    readonly PublishOptions _o;
    readonly IDockOptSink _sink;

    public IndexPublisher(DockerEngine engine, PublishOptions options, IDockOptSink sink)
    {
        _engine = engine;
        _o = options;
        _sink = sink;
    }

    RegistryTarget Target => _o.Target;

    /// <summary>The platform tag of one image: <c>1.4-linux-arm64</c>, <c>1.4-linux-arm-v7</c>.</summary>
    public static string PlatformTag(string tag, string platform) => $"{tag}-{platform.Replace('/', '-')}";

    public async Task<IReadOnlyList<PublishResult>> PublishAsync(IReadOnlyList<string> images, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var platforms = await PlatformsAsync(images, ct).ConfigureAwait(false);
        var what = $"{Target}:{string.Join(",", _o.Tags)}";
        if (!_sink.ShouldProcess(what, $"Push {platforms.Count} image(s) ({string.Join(", ", platforms.Select(p => $"{p.Image} as {p.Platform}"))}) and an OCI image index of them under {_o.Tags.Count} tag(s)"))
            return Array.Empty<PublishResult>();

        var children = new List<(string Platform, PublishResult Result)>();
        foreach (var (image, platform) in platforms.OrderBy(p => p.Platform, StringComparer.Ordinal))
        {
            var ptag = PlatformTag(_o.Tags[0], platform);
            var child = new ImagePublisher(_engine, With(ptag), new ConfirmedSink(_sink));
            var r = await child.PublishAsync(image, ct).ConfigureAwait(false);
            if (r.Count == 0)
                throw new DockOptException(ErrorIds.PushFailed, DockOptErrorCategory.InvalidResult,
                    $"The {platform} image '{image}' was not published as {Target.Reference(ptag)}, so no index was written.", Target.Reference(ptag),
                    "Fix the error reported for that image and publish again.");
            r[0].Platform = platform;
            children.Add((platform, r[0]));
        }

        var cred = await _o.Auth.ResolveAsync(Target, _sink, ct).ConfigureAwait(false);
        using var reg = new RegistryClient(Target, cred, _o.Retry, _sink, _o.CertsDirectory);
        var index = await BuildIndexAsync(reg, children, ct).ConfigureAwait(false);
        var results = new List<PublishResult>();
        foreach (var tag in _o.Tags)
        {
            var tagWatch = Stopwatch.StartNew();
            var now = await reg.HeadManifestAsync(tag, ct).ConfigureAwait(false);
            var status = PublishStatus.Unchanged;
            if (now != index.Digest)
            {
                await reg.PutManifestAsync(tag, index, ct).ConfigureAwait(false);
                var after = await reg.HeadManifestAsync(tag, ct).ConfigureAwait(false);
                if (after != index.Digest)
                    throw new DockOptException(ErrorIds.PushNotVerified, DockOptErrorCategory.InvalidResult,
                        $"The index {index.Digest} was written as {Target.Reference(tag)}, but the registry reports {after ?? "no manifest"} there.",
                        Target.Reference(tag), "Another client may have pushed the tag at the same time; publish again.");
                status = PublishStatus.Pushed;
            }
            _sink.Verbose(status == PublishStatus.Unchanged
                ? $"{Target.Reference(tag)} already is the index {index.Digest}: nothing sent."
                : $"{Target.Reference(tag)}: index {index.Digest} of {children.Count} platform(s) written.");
            var r = IndexResult(tag, index, children, cred, status, tagWatch.Elapsed);
            results.Add(r);
            _sink.Output(r);
        }
        var sent = children.Sum(c => c.Result.BytesPushed);
        _sink.Verbose(results.All(r => r.Status == PublishStatus.Unchanged) && children.All(c => c.Result.Status == PublishStatus.Unchanged)
            ? $"Every platform image and every tag already were in {Target}: nothing was sent ({sw.Elapsed.TotalSeconds:0.0} s)."
            : $"Published {children.Count} platform(s) and the index {index.Digest} to {Target}: {ByteSize.Format(sent)} of layers sent.");
        return results;
    }

    PublishOptions With(string tag) => new()
    {
        Target = _o.Target, Tags = new[] { tag }, Auth = _o.Auth, Retry = _o.Retry, CreateRepository = _o.CreateRepository,
        RepositorySettings = _o.RepositorySettings, WaitForScan = _o.WaitForScan, ScanTimeout = _o.ScanTimeout,
        ScanPollInterval = _o.ScanPollInterval, KeepLocalTags = _o.KeepLocalTags, CertsDirectory = _o.CertsDirectory,
    };

    /// <summary>Each image's platform from its config (os/architecture/variant); two images for one platform are refused.</summary>
    async Task<List<(string Image, string Platform)>> PlatformsAsync(IReadOnlyList<string> images, CancellationToken ct)
    {
        var list = new List<(string Image, string Platform)>();
        foreach (var image in images)
        {
            ImageInspectResponse inspect;
            try { inspect = await _engine.Client.Images.InspectImageAsync(image, ct).ConfigureAwait(false); }
            catch (DockerImageNotFoundException)
            {
                throw new DockOptException(ErrorIds.ImageNotFound, DockOptErrorCategory.ObjectNotFound, $"No local image '{image}'.", image,
                    "Check the name with Get-DockOptImage, or build it first.");
            }
            catch (DockerApiException e) { throw EngineErrors.FromApi(e, ErrorIds.ImageNotFound, image); }
            var platform = $"{inspect.Os}/{inspect.Architecture}" + (string.IsNullOrEmpty(inspect.Variant) ? "" : "/" + inspect.Variant);
            var same = list.FirstOrDefault(p => p.Platform == platform);
            if (same.Image != null)
                throw new DockOptException(ErrorIds.DuplicatePlatform, DockOptErrorCategory.InvalidArgument,
                    $"'{same.Image}' and '{image}' are both {platform}; an index holds one image per platform.", image,
                    "Give one local image per platform; check each image's platform with 'docker image inspect --format {{.Os}}/{{.Architecture}}/{{.Variant}}'.");
            list.Add((image, platform));
        }
        return list;
    }

    /// <summary>The OCI image index: schemaVersion 2, its mediaType (ECR refuses OCI manifests without one), entries sorted by platform.</summary>
    static async Task<RawManifest> BuildIndexAsync(RegistryClient reg, List<(string Platform, PublishResult Result)> children, CancellationToken ct)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", RawManifest.OciIndex);
            w.WriteStartArray("manifests");
            foreach (var (platform, r) in children)
            {
                var m = await reg.GetRawManifestAsync(r.Digest, ct).ConfigureAwait(false)
                    ?? throw new DockOptException(ErrorIds.PushNotVerified, DockOptErrorCategory.InvalidResult,
                        $"The registry does not return the manifest {r.Digest} just published for {platform}.", r.ImageUri, "Publish again.");
                var parts = platform.Split('/');
                w.WriteStartObject();
                w.WriteString("mediaType", m.MediaType);
                w.WriteString("digest", m.Digest);
                w.WriteNumber("size", m.Size);
                w.WriteStartObject("platform");
                w.WriteString("architecture", parts[1]);
                w.WriteString("os", parts[0]);
                if (parts.Length > 2) w.WriteString("variant", parts[2]);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        var bytes = ms.ToArray();
        return new RawManifest(bytes, RawManifest.OciIndex, RegistryClient.DigestOf(bytes));
    }

    PublishResult IndexResult(string tag, RawManifest index, List<(string Platform, PublishResult Result)> children, RegistryCredential cred,
        PublishStatus status, TimeSpan duration) => new()
    {
        Registry = Target.Host,
        Repository = Target.Repository,
        Tag = tag,
        Digest = index.Digest,
        ImageUri = Target.Pinned(index.Digest),
        ImageId = string.Join(",", children.Select(c => c.Result.ImageId)),
        Platform = string.Join(",", children.Select(c => c.Platform)),
        MediaType = RawManifest.OciIndex,
        Size = children.Sum(c => c.Result.Size),
        ManifestSize = index.Size,
        Status = status,
        Duration = duration,
        Attempts = status == PublishStatus.Pushed ? 1 : 0,
        AuthSource = cred.Source,
        PublishedAt = DateTime.UtcNow,
    };

    /// <summary>The command asked once for the whole index; the per-platform pushes are not asked again.</summary>
    sealed class ConfirmedSink : IDockOptSink
    {
        readonly IDockOptSink _inner;
        public ConfirmedSink(IDockOptSink inner) => _inner = inner;
        public void Output(object item) => _inner.Output(item);
        public void Verbose(string message) => _inner.Verbose(message);
        public void Debug(string message) => _inner.Debug(message);
        public void Warning(string message) => _inner.Warning(message);
        public void Information(string message, params string[] tags) => _inner.Information(message, tags);
        public void Progress(DockOptProgress progress) => _inner.Progress(progress);
        public void Error(DockOptException error) => _inner.Error(error);
        public bool ShouldProcess(string target, string action) => true;
    }
}
