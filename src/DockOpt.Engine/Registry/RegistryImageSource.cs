using DockOpt.Engine.Images;

namespace DockOpt.Engine.Registry;

/// <summary>
/// An image read straight from a registry (<c>docker://host/repo:tag[@digest]</c>), without a pull and without an engine:
/// the manifest (from an index, the entry for the platform asked for, else the host's), the config and each layer blob
/// streamed and decompressed once, every digest verified. Credentials come from the chain Publish uses (config.json,
/// credential helpers, ECR, bearer-token realms). Layers whose visitor asks for no content (an analysis cached by diff ID)
/// are not downloaded; the others come from the persistent <see cref="LayerBlobCache"/> when it holds them.
/// </summary>
public sealed class RegistryImageSource : ImageSource
{
    readonly ImageReference _reference;
    readonly IDockOptSink _sink;
    readonly RegistryAuth _auth;
    readonly RetryPolicy _retry;
    readonly LayerBlobCache? _cache;

    public RegistryImageSource(ImageReference reference, IDockOptSink sink, RegistryAuth? auth = null, RetryPolicy? retry = null,
        LayerBlobCache? cache = null)
    {
        _reference = reference;
        _sink = sink;
        _auth = auth ?? new RegistryAuth();
        _retry = retry ?? new RetryPolicy();
        _cache = cache;
    }

    public override string Description => "docker://" + _reference.Original;

    /// <summary>The manifest read last (after a read): the image manifest picked for the platform.</summary>
    public RegistryManifest? Manifest { get; private set; }

    /// <summary>The digest of the image manifest read last, and of the index it was picked from (null when none).</summary>
    public string? ManifestDigest { get; private set; }
    public string? IndexDigest { get; private set; }

    /// <summary>Layer blobs downloaded, served from the cache and skipped (their content was not needed) in the last read.</summary>
    public int Downloaded { get; private set; }
    public int FromCache { get; private set; }
    public int Skipped { get; private set; }

    /// <summary>Reads the manifest (picking from an index) and the config only: no layer is fetched.</summary>
    public async Task<(RegistryManifest Manifest, byte[] Config, ImageConfigSummary Summary)> ReadManifestAsync(string? platform, CancellationToken ct)
    {
        using var client = await OpenAsync(ct).ConfigureAwait(false);
        var (m, config, summary) = await ResolveAsync(client, platform, ct).ConfigureAwait(false);
        return (m, config, summary);
    }

    async Task<RegistryClient> OpenAsync(CancellationToken ct)
    {
        var target = RegistryTarget.From(_reference);
        if (_reference.IsDockerHub)
        {
            // Docker Hub: credentials are stored under index.docker.io (docker login), the API answers at registry-1.docker.io.
            var hubCredential = await _auth.ResolveAsync(target with { Host = "index.docker.io" }, _sink, ct).ConfigureAwait(false);
            return new RegistryClient(target with { Host = "registry-1.docker.io" }, hubCredential, _retry, _sink);
        }
        var credential = await _auth.ResolveAsync(target, _sink, ct).ConfigureAwait(false);
        return new RegistryClient(target, credential, _retry, _sink);
    }

    async Task<(RegistryManifest, byte[], ImageConfigSummary)> ResolveAsync(RegistryClient client, string? platform, CancellationToken ct)
    {
        var target = client.Target;
        var reference = _reference.Digest ?? _reference.TagOrDefault!;
        var (body, type, digest) = await _auth.WithEcrTokenRefreshAsync(target, client, () => client.GetManifestBytesAsync(reference, ct), _sink, ct)
            .ConfigureAwait(false);
        var manifest = RegistryManifest.Parse(body, type, Description);
        IndexDigest = null;
        if (manifest.IsIndex)
        {
            var wanted = RegistryPlatform.ParseOrHost(platform);
            var entry = manifest.Pick(wanted, Description);
            _sink.Verbose($"{Description}: index {digest} lists {manifest.Manifests.Count} manifest(s); {entry.Platform} is {entry.Digest}.");
            IndexDigest = digest;
            (body, type, digest) = await client.GetManifestBytesAsync(entry.Digest, ct).ConfigureAwait(false);
            manifest = RegistryManifest.Parse(body, type, Description);
            if (manifest.IsIndex)
                throw new DockOptException(ErrorIds.RegistryManifestInvalid, DockOptErrorCategory.InvalidData,
                    $"The manifest of '{Description}' cannot be read: the index entry for {wanted} is an index again.", Description, null);
        }
        ManifestDigest = digest;
        Manifest = manifest;
        var config = await client.GetBlobBytesAsync(manifest.Config!.Digest, ct).ConfigureAwait(false);
        var summary = ImageReader.ParseConfig(config, Description);
        if (platform != null && !manifest.IsIndex && IndexDigest == null && summary.Architecture.Length > 0)
        {
            // A single-platform image: -Platform must name its platform.
            var wanted = RegistryPlatform.Parse(platform);
            var has = RegistryPlatform.Normalize(summary.Os.Length > 0 ? summary.Os : "linux", summary.Architecture, ConfigVariant(config));
            if (!has.Matches(wanted))
                throw new DockOptException(ErrorIds.PlatformNotFound, DockOptErrorCategory.ObjectNotFound,
                    $"'{Description}' offers no image for {wanted}; it offers {has}.", Description,
                    $"Pick one of the platforms the image offers with -Platform, e.g. -Platform {has}.");
        }
        if (summary.DiffIds.Length != manifest.Layers.Count)
            throw new DockOptException(ErrorIds.RegistryManifestInvalid, DockOptErrorCategory.InvalidData,
                $"The manifest of '{Description}' lists {manifest.Layers.Count} layers but its config {summary.DiffIds.Length}.", Description, null);
        foreach (var l in manifest.Layers) CheckMediaType(l);
        return (manifest, config, summary);
    }

    static string? ConfigVariant(byte[] config)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(config);
            return doc.RootElement.TryGetProperty("variant", out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString() : null;
        }
        catch (System.Text.Json.JsonException) { return null; }
    }

    /// <summary>Layer media types DockOpt decompresses: tar, tar+gzip, tar+zstd (OCI and Docker spellings, foreign too).</summary>
    internal void CheckMediaType(RegistryDescriptor l)
    {
        var t = l.MediaType;
        var ok = t.Length == 0
                 || t.EndsWith(".tar", StringComparison.Ordinal) || t.EndsWith(".tar+gzip", StringComparison.Ordinal)
                 || t.EndsWith(".tar+zstd", StringComparison.Ordinal) || t.EndsWith(".tar.gzip", StringComparison.Ordinal)
                 || t.EndsWith(".tar.zstd", StringComparison.Ordinal);
        if (!ok)
            throw new DockOptException(ErrorIds.LayerCompressionUnsupported, DockOptErrorCategory.NotImplemented,
                $"Layer {l.Digest} of '{Description}' has the media type '{t}', whose compression DockOpt does not read.", Description,
                "Layers compressed with gzip, zstd or not at all are read; re-push the image with one of them (skopeo copy --dest-compress-format gzip).");
    }

    internal override async Task ReadAsync(IImageVisitor visitor, ImageReadOptions options, CancellationToken ct)
    {
        using var client = await OpenAsync(ct).ConfigureAwait(false);
        var (manifest, config, summary) = await ResolveAsync(client, options.Platform, ct).ConfigureAwait(false);
        Downloaded = FromCache = Skipped = 0;
        var configKey = BlobKey(manifest.Config!.Digest);
        var keys = new List<string>();
        var mediaTypes = new List<string?>();
        var digests = new Dictionary<string, LayerDigest>(StringComparer.Ordinal);
        try
        {
            for (var i = 0; i < manifest.Layers.Count; i++)
            {
                ct.ThrowIfCancellationRequested();
                var l = manifest.Layers[i];
                var key = BlobKey(l.Digest);
                keys.Add(key);
                mediaTypes.Add(l.MediaType.Length > 0 ? l.MediaType : null);
                if (digests.ContainsKey(key)) continue;
                var blob = new LayerBlob
                {
                    Key = key,
                    BlobDigest = l.Digest,
                    StoredLength = l.Size,
                    ExpectedDiffId = summary.DiffIds[i],
                    ExpectedIndex = i,
                    Compression = l.MediaType.Contains("zstd", StringComparison.Ordinal) ? LayerCompression.Zstd
                        : l.MediaType.Contains("gzip", StringComparison.Ordinal) ? LayerCompression.Gzip : LayerCompression.None,
                };
                var layerVisitor = visitor.BeginLayer(blob);
                if (layerVisitor == null)
                {
                    // Nothing needs the content: the diff ID is the verified config's, so the blob is not fetched.
                    Skipped++;
                    var skipped = new LayerDigest { DiffId = summary.DiffIds[i], Visited = false };
                    digests[key] = skipped;
                    visitor.EndLayer(blob, skipped);
                    continue;
                }
                var d = await ReadLayerAsync(client, l, blob, layerVisitor, options, ct).ConfigureAwait(false);
                digests[key] = d;
                visitor.EndLayer(blob, d);
            }
        }
        finally
        {
            _cache?.CleanUp();
        }
        _sink.Verbose($"{Description}: {manifest.Layers.Count} layer(s): {Downloaded} downloaded, {FromCache} from the layer cache, {Skipped} not needed.");
        var resolved = new ResolvedArchiveImage
        {
            Format = ImageArchiveFormat.OciLayout, ConfigKey = configKey, Config = config, Summary = summary, Tags = new[] { _reference.Original },
        };
        resolved.LayerKeys.AddRange(keys);
        resolved.MediaTypes.AddRange(mediaTypes);
        resolved.BlobDigests.AddRange(manifest.Layers.Select(l => (string?)l.Digest));
        var image = ImageReader.Assemble(resolved, k => k, digests, Description);
        image.CompressedSize = manifest.LayerBytes;
        visitor.EndImage(image);
    }

    async Task<LayerDigest> ReadLayerAsync(RegistryClient client, RegistryDescriptor l, LayerBlob blob, ILayerVisitor layerVisitor,
        ImageReadOptions options, CancellationToken ct)
    {
        var cached = _cache?.TryOpen(l.Digest, l.Size);
        Stream raw;
        if (cached != null)
        {
            FromCache++;
            raw = cached;
        }
        else
        {
            Downloaded++;
            var checking = (DigestCheckingStream)await client.OpenBlobAsync(l.Digest, l.Size, ct).ConfigureAwait(false);
            _cache?.Attach(checking, l.Digest, l.Size);
            raw = checking;
        }
        await using (raw.ConfigureAwait(false))
        {
            return await Task.Run(() =>
            {
                var d = LayerTarReader.Read(raw, blob, _ => layerVisitor, ct, options.VerifyDiffIds);
                // Whatever the tar reader left (padding after the end-of-archive blocks) is read so the digest covers it all.
                if (raw is DigestCheckingStream c) c.DrainAndCheck();
                return d;
            }, ct).ConfigureAwait(false);
        }
    }

    static string BlobKey(string digest) => "blobs/" + digest.Replace(':', '/');
}
