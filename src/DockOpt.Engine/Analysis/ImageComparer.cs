using DockOpt.Engine.DockerApi;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis;

/// <summary>Compares two images: sizes, layers (by diff ID), build times and registry cost.</summary>
public sealed class ImageComparer
{
    readonly DockerEngine _engine;

    readonly Func<CancellationToken, Task<DockerEngine>>? _getEngine;

    public ImageComparer(DockerEngine engine) => _engine = engine;

    /// <summary>Connects to the engine only when a side is a local image.</summary>
    public ImageComparer(Func<CancellationToken, Task<DockerEngine>> getEngine)
    {
        _engine = null!;
        _getEngine = getEngine;
    }

    /// <summary>The platform to pick from a multi-platform image (os/arch[/variant]); null: the host's.</summary>
    public string? Platform { get; init; }

    /// <summary>Estimate local images' compressed size (gzip of each layer, as docker push does); on by default.</summary>
    public bool EstimateCompressed { get; init; } = true;

    async Task<DockerEngine> EngineAsync(CancellationToken ct) => _engine ?? await _getEngine!(ct).ConfigureAwait(false);

    /// <summary>One side resolved: the image, what is known of its compressed size, its file system when read, and its source.</summary>
    sealed record Resolved(ImageInfo Info, long? Compressed, IReadOnlyDictionary<string, FsNode>? FileSystem, string Source);

    async Task<Resolved> ResolveSideAsync(ComparisonSide side, string parameter, bool detailed, IDockOptSink sink, int progressId, CancellationToken ct)
    {
        if (side.Transport is { Transport: not ImageTransport.Engine } t)
        {
            ImageSource source = t.Transport == ImageTransport.Registry
                ? new Registry.RegistryImageSource(t.Registry!, sink, cache: Registry.LayerBlobCache.FromEnvironment())
                : ImageSource.FromPath(t.Value, t.OciRef);
            var r = await new ImageAnalyzer(sink, LayerScanCache.Shared).AnalyzeAsync(new ImageAnalyzer.Request
            {
                Source = source, Name = side.DisplayName ?? t.Original, SourceKind = t.Qualified, ProgressId = progressId, Platform = Platform,
            }, ct).ConfigureAwait(false);
            var a = r.Analysis;
            var info = new ImageInfo
            {
                Id = a.ImageId,
                Repository = side.DisplayName ?? t.Original,
                Tag = "",
                Size = a.TotalSize,
                LayerCount = a.LayerCount,
                LayerDiffIds = r.DiffIds.ToArray(),
                History = a.Layers.Select(l => new ImageHistoryEntry { CreatedBy = l.CreatedBy, Size = l.Size, EmptyLayer = l.IsEmpty }).ToArray(),
            };
            return new Resolved(info, a.CompressedSize, r.FileSystem, t.Qualified);
        }
        var engine = await EngineAsync(ct).ConfigureAwait(false);
        var found = await ResolveAsync(new LocalImageCatalog(engine), side.Transport is { } et ? new ComparisonSide { Reference = et.Value, DisplayName = side.DisplayName, BuildDuration = side.BuildDuration } : side, parameter, ct).ConfigureAwait(false);
        long? compressed = null;
        if (EstimateCompressed)
            compressed = await new Registry.PushSizeEstimator(engine, sink).EstimateAsync(found.Id, found.LayerDiffIds, ct).ConfigureAwait(false);
        return new Resolved(found, compressed, null, ImageSourceReference.ForEngine(found.Name));
    }

    /// <summary>Resolves both sides on the engine and compares them.</summary>
    public async Task<ImageComparison> CompareAsync(ComparisonSide reference, ComparisonSide difference, RegistryCostModel cost,
        bool detailed, CancellationToken ct, IDockOptSink? sink = null)
    {
        sink ??= NullSink.Instance;
        var rs = await ResolveSideAsync(reference, "ReferenceImage", detailed, sink, 41, ct).ConfigureAwait(false);
        var ds = await ResolveSideAsync(difference, "DifferenceImage", detailed, sink, 42, ct).ConfigureAwait(false);
        var (r, d) = (rs.Info, ds.Info);
        var c = Compare(r, d, reference.BuildDuration, difference.BuildDuration, cost, detailed, rs.Compressed, ds.Compressed);
        c.ReferenceSource = rs.Source;
        c.DifferenceSource = ds.Source;
        c.ReferenceImage = reference.DisplayName ?? r.Name;
        c.DifferenceImage = difference.DisplayName ?? d.Name;
        if (c.Layers != null)
            foreach (var l in c.Layers)
            {
                l.ReferenceImage = c.ReferenceImage;
                l.DifferenceImage = c.DifferenceImage;
            }
        var usedEngine = _engine ?? (rs.FileSystem == null || ds.FileSystem == null ? await EngineAsync(ct).ConfigureAwait(false) : null);
        c.Engine = usedEngine?.Endpoint.ToString() ?? "";
        if (detailed)
        {
            // File level: both images streamed once each; layers they share are parsed once (layer cache). A side read
            // from a registry or an archive was analysed already.
            var analyzer = new ImageAnalyzer(sink, LayerScanCache.Shared);
            async Task<IReadOnlyDictionary<string, FsNode>> Fs(Resolved x, int id) => x.FileSystem ?? (await analyzer.AnalyzeAsync(
                new ImageAnalyzer.Request { Source = ImageSource.FromEngine(usedEngine!, x.Info.Id), Name = x.Info.Name, ProgressId = id }, ct).ConfigureAwait(false)).FileSystem;
            c.Files = ImageFileDiff.Compare(await Fs(rs, 41).ConfigureAwait(false), await Fs(ds, 42).ConfigureAwait(false)).ToArray();
        }
        return c;
    }

    /// <summary>Finds exactly one local image for a side; ImageNotFound or AmbiguousImage otherwise.</summary>
    static async Task<ImageInfo> ResolveAsync(LocalImageCatalog catalog, ComparisonSide side, string parameter, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(side.Reference))
            throw new DockOptException(ErrorIds.ImageNameEmpty, DockOptErrorCategory.InvalidArgument,
                $"-{parameter} is empty.", side, "Give an image name, an ImageInfo from Get-DockOptImage or a BuildResult from Invoke-DockOptBuild.");
        DockOptException? missing = null;
        var found = await catalog.GetAsync(new LocalImageCatalog.Query { Names = new[] { side.Reference } }, e => missing ??= e, ct)
            .ConfigureAwait(false);
        if (found.Count == 0)
            throw missing ?? new DockOptException(ErrorIds.ImageNotFound, DockOptErrorCategory.ObjectNotFound,
                $"No local image matches '{side.Reference}' (-{parameter}).", side.Reference, "List local images with Get-DockOptImage.");
        if (found.Count > 1)
            throw new DockOptException(ErrorIds.AmbiguousImage, DockOptErrorCategory.InvalidArgument,
                $"-{parameter} '{side.Reference}' matches {found.Count} images ({string.Join(", ", found.Take(5).Select(i => i.Name))}); a comparison needs exactly one.",
                side.Reference, "Give a full repository:tag or an image ID.");
        return found[0];
    }

    /// <summary>The comparison of two described images (pure; no engine).</summary>
    public static ImageComparison Compare(ImageInfo reference, ImageInfo difference, TimeSpan? referenceBuild, TimeSpan? differenceBuild,
        RegistryCostModel cost, bool detailed, long? referenceCompressed = null, long? differenceCompressed = null)
    {
        // Registries store and transfer compressed layers: the costs use compressed bytes when both sides have them.
        var compressed = referenceCompressed.HasValue && differenceCompressed.HasValue;
        var refCost = cost.MonthlyCost(compressed ? referenceCompressed!.Value : reference.Size);
        var diffCost = cost.MonthlyCost(compressed ? differenceCompressed!.Value : difference.Size);
        var monthly = refCost - diffCost;
        var c = new ImageComparison
        {
            ReferenceImage = reference.Name,
            ReferenceImageId = reference.Id,
            DifferenceImage = difference.Name,
            DifferenceImageId = difference.Id,
            ReferenceSize = reference.Size,
            DifferenceSize = difference.Size,
            ReferenceLayerCount = reference.LayerCount,
            DifferenceLayerCount = difference.LayerCount,
            ReferenceBuildDuration = referenceBuild,
            DifferenceBuildDuration = differenceBuild,
            StoragePricePerGBMonth = cost.StoragePricePerGBMonth,
            TransferPricePerGB = cost.TransferPricePerGB,
            PullsPerMonth = cost.PullsPerMonth,
            ReferenceMonthlyCost = Math.Round(refCost, 4),
            DifferenceMonthlyCost = Math.Round(diffCost, 4),
            MonthlySavings = Math.Round(monthly, 4),
            YearlySavings = Math.Round(monthly * 12, 4),
            ComparedAt = DateTime.UtcNow,
            Engine = reference.Engine,
            ReferenceCompressedSize = referenceCompressed,
            DifferenceCompressedSize = differenceCompressed,
            CostBasis = compressed ? "Compressed" : "Uncompressed",
        };

        var layers = CompareLayers(reference, difference);
        c.SharedLayerCount = layers.Count(l => l.Presence == LayerPresence.Shared);
        c.SharedSize = layers.Where(l => l.Presence == LayerPresence.Shared).Sum(l => l.Size);
        if (detailed)
        {
            foreach (var l in layers)
            {
                l.ReferenceImage = c.ReferenceImage;
                l.DifferenceImage = c.DifferenceImage;
            }
            c.Layers = layers.ToArray();
        }
        return c;
    }

    /// <summary>
    /// Layers by diff ID: the reference's layers in order (shared or reference-only), then the difference-only ones.
    /// A diff ID that repeats within one image (an identical layer twice) is matched once per occurrence.
    /// </summary>
    public static List<LayerComparison> CompareLayers(ImageInfo reference, ImageInfo difference)
    {
        var refLayers = Describe(reference);
        var diffLayers = Describe(difference);
        var unmatched = new Dictionary<string, Queue<int>>(StringComparer.Ordinal);
        for (var i = 0; i < diffLayers.Count; i++)
        {
            if (!unmatched.TryGetValue(diffLayers[i].DiffId, out var q)) unmatched[diffLayers[i].DiffId] = q = new Queue<int>();
            q.Enqueue(i);
        }
        var result = new List<LayerComparison>();
        var matched = new HashSet<int>();
        for (var i = 0; i < refLayers.Count; i++)
        {
            var (id, size, createdBy) = refLayers[i];
            int? di = unmatched.TryGetValue(id, out var q) && q.Count > 0 ? q.Dequeue() : null;
            if (di is { } m) matched.Add(m);
            result.Add(new LayerComparison
            {
                Presence = di.HasValue ? LayerPresence.Shared : LayerPresence.ReferenceOnly,
                DiffId = id,
                Size = size,
                ReferenceIndex = i,
                DifferenceIndex = di,
                CreatedBy = createdBy,
            });
        }
        for (var i = 0; i < diffLayers.Count; i++)
        {
            if (matched.Contains(i)) continue;
            var (id, size, createdBy) = diffLayers[i];
            result.Add(new LayerComparison { Presence = LayerPresence.DifferenceOnly, DiffId = id, Size = size, DifferenceIndex = i, CreatedBy = createdBy });
        }
        return result;
    }

    /// <summary>Diff IDs with the size and instruction of the history entry that made each layer (when the history lines up).</summary>
    static List<(string DiffId, long Size, string CreatedBy)> Describe(ImageInfo image)
    {
        var entries = LayerEntries(image.History, image.LayerDiffIds.Length);
        var list = new List<(string, long, string)>(image.LayerDiffIds.Length);
        for (var i = 0; i < image.LayerDiffIds.Length; i++)
            list.Add(entries != null ? (image.LayerDiffIds[i], entries[i].Size, entries[i].CreatedBy) : (image.LayerDiffIds[i], 0L, ""));
        return list;
    }

    /// <summary>
    /// The history entries that created the image's filesystem layers, oldest first, or null when they cannot be told
    /// apart. The catalog's EmptyLayer flags already count 0-byte layers (a classic-builder WORKDIR that created its
    /// directory) through <see cref="LocalImageCatalog.MapHistory"/>; sizes are not guessed when they do not add up.
    /// </summary>
    internal static List<ImageHistoryEntry>? LayerEntries(IReadOnlyList<ImageHistoryEntry> history, int layerCount)
    {
        var layers = history.Where(h => !h.EmptyLayer).ToList();
        return layers.Count == layerCount ? layers : null;
    }

}
