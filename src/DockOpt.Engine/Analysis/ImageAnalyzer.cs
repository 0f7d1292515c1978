using DockOpt.Engine.Analysis.Recommendations;
using System.Diagnostics;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis;

/// <summary>
/// Measures an image: reads it once through <see cref="ImageReader"/> (layers already in the
/// <see cref="LayerScanCache"/> are not parsed again), stacks the layers with <see cref="ImageAccounting"/>, finds the
/// base layers, and adds recommendations and the score.
/// </summary>
public sealed class ImageAnalyzer
{
    readonly IDockOptSink _sink;
    readonly LayerScanCache? _cache;

    public ImageAnalyzer(IDockOptSink sink, LayerScanCache? cache)
    {
        _sink = sink;
        _cache = cache;
    }

    public sealed class Request
    {
        public ImageSource Source { get; init; } = null!;
        /// <summary>Name shown in the result.</summary>
        public string Name { get; init; } = "";
        /// <summary>Image ID when known beforehand (engine): lets a fully cached image skip the export.</summary>
        public string? ImageId { get; init; }
        /// <summary>Diff IDs when known beforehand (engine inspect).</summary>
        public IReadOnlyList<string>? DiffIds { get; init; }
        /// <summary>Approximate uncompressed size, for progress.</summary>
        public long SizeHint { get; init; }
        public string SourceKind { get; init; } = "Engine";
        public IReadOnlyList<string>? IgnorePaths { get; init; }
        /// <summary>Decides the base layers once the config is known (null: none).</summary>
        public Func<ImageConfigSummary, IReadOnlyList<string>, CancellationToken, Task<BaseLayers>>? ResolveBase { get; init; }
        public int ProgressId { get; init; } = 1;
        /// <summary>Check each layer's SHA-256 against the config (default); false for the local engine, which is trusted.</summary>
        public bool VerifyDiffIds { get; init; } = true;
        /// <summary>Base or Application for the score's application-only rules; Auto decides from the config.</summary>
        public ImageProfile Profile { get; init; } = ImageProfile.Auto;
        /// <summary>The platform to pick from an index (<c>os/arch[/variant]</c>), null for the host's.</summary>
        public string? Platform { get; init; }
    }

    public async Task<AnalysisResult> AnalyzeAsync(Request r, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        ImageConfigSummary config;
        string[] diffIds;
        string imageId;
        var scans = new Dictionary<string, LayerScan>(StringComparer.Ordinal);
        var cachedIds = new HashSet<string>(StringComparer.Ordinal);
        long? compressed = null;

        if (_cache != null && r.ImageId != null && _cache.TryGetImage(r.ImageId, out var cachedImage)
            && cachedImage.DiffIds.All(d => _cache.TryGet(d, out _)))
        {
            config = cachedImage.Config;
            diffIds = cachedImage.DiffIds;
            imageId = r.ImageId;
            foreach (var d in diffIds)
            {
                _cache.TryGet(d, out var s);
                scans[d] = s;
                cachedIds.Add(d);
            }
            _sink.Verbose($"{r.Name}: all {diffIds.Length} layers are cached; no export needed.");
        }
        else
        {
            var visitor = new AnalysisVisitor(_cache, r, _sink);
            var options = new ImageReadOptions { VerifyDiffIds = r.VerifyDiffIds, Platform = r.Platform };
            await ImageReader.ReadAsync(r.Source, visitor, options, ct).ConfigureAwait(false);
            if (visitor.Mismatch)
            {
                _sink.Verbose($"{r.Name}: a cached layer guess was wrong; reading again without the cache.");
                visitor = new AnalysisVisitor(null, r, _sink);
                await ImageReader.ReadAsync(r.Source, visitor, options, ct).ConfigureAwait(false);
            }
            _sink.Progress(new DockOptProgress(r.ProgressId, "Measuring image " + r.Name, "Done") { Completed = true });
            var contents = visitor.Contents ?? throw new DockOptException(ErrorIds.ImageArchiveInvalid, DockOptErrorCategory.InvalidData,
                $"'{r.Name}' has no manifest.", r.Name, null);
            config = contents.Config;
            diffIds = contents.Layers.Select(l => l.DiffId).ToArray();
            imageId = contents.ConfigDigest ?? r.ImageId ?? "";
            compressed = contents.CompressedSize;
            foreach (var l in contents.Layers)
            {
                if (visitor.ScansByKey.TryGetValue(l.Key, out var s))
                {
                    scans[l.DiffId] = s;
                    if (visitor.CachedKeys.Contains(l.Key)) cachedIds.Add(l.DiffId);
                }
                else if (_cache != null && _cache.TryGet(l.DiffId, out var cs))
                {
                    scans[l.DiffId] = cs;
                    cachedIds.Add(l.DiffId);
                }
                else throw new DockOptException(ErrorIds.ImageArchiveInvalid, DockOptErrorCategory.InvalidData,
                    $"Layer {l.Index} of '{r.Name}' was not read.", r.Name, null);
            }
            _cache?.AddImage(imageId, new CachedImage { Config = config, DiffIds = diffIds, Format = contents.Format, ConfigJson = contents.ConfigJson });
        }

        var baseLayers = r.ResolveBase != null ? await r.ResolveBase(config, diffIds, ct).ConfigureAwait(false) : BaseLayers.None;
        var (analysis, fs) = ImageAccounting.Compute(config, diffIds, d => scans[d], baseLayers.Count, r.IgnorePaths, cachedIds);
        analysis.Image = r.Name;
        analysis.ImageId = imageId;
        analysis.Source = r.SourceKind;
        analysis.BaseLayerSource = baseLayers.Source;
        analysis.BaseImage = baseLayers.Image;
        analysis.CachedLayers = cachedIds.Count;
        analysis.CompressedSize = compressed;
        RecommendationEngine.Apply(analysis, fs.Nodes, config, r.Profile);
        foreach (var s in scans.Values)
            foreach (var p in s.Problems.Take(5)) _sink.Warning($"{r.Name}: layer {s.DiffId.Substring(0, Math.Min(19, s.DiffId.Length))}: {p}");
        analysis.Duration = sw.Elapsed;
        analysis.AnalyzedAt = DateTime.UtcNow;
        return new AnalysisResult { Analysis = analysis, FileSystem = fs.Nodes, Config = config, DiffIds = diffIds };
    }

    /// <summary>Receives the image: parses layers not in the cache, guesses cached ones from their fingerprint and checks the guess.</summary>
    sealed class AnalysisVisitor : IImageVisitor
    {
        readonly LayerScanCache? _cache;
        readonly Request _r;
        readonly IDockOptSink _sink;
        readonly Dictionary<string, LayerScanner> _scanners = new(StringComparer.Ordinal);
        readonly Dictionary<string, string> _guesses = new(StringComparer.Ordinal);
        long _bytes;
        long _lastReport;
        int _layers;

        public AnalysisVisitor(LayerScanCache? cache, Request r, IDockOptSink sink)
        {
            _cache = cache;
            _r = r;
            _sink = sink;
        }

        public Dictionary<string, LayerScan> ScansByKey { get; } = new(StringComparer.Ordinal);
        public HashSet<string> CachedKeys { get; } = new(StringComparer.Ordinal);
        public ImageContents? Contents { get; private set; }
        public bool Mismatch { get; private set; }

        public ILayerVisitor? BeginLayer(LayerBlob blob)
        {
            _layers++;
            Report($"Layer {_layers}{(_r.DiffIds != null ? " of " + _r.DiffIds.Count : "")}");
            if (_cache != null)
            {
                var guess = blob.ExpectedDiffId ?? _cache.DiffIdForFingerprint(blob.PrefixFingerprint);
                if (guess != null && _cache.TryGet(guess, out _))
                {
                    _guesses[blob.Key] = guess;
                    return null;
                }
            }
            var s = new LayerScanner(n =>
            {
                _bytes += n;
                if (_bytes - _lastReport > 32 * 1024 * 1024) Report($"Layer {_layers}");
            });
            _scanners[blob.Key] = s;
            return s;
        }

        void Report(string status)
        {
            _lastReport = _bytes;
            var pct = _r.SizeHint > 0 ? (int)Math.Min(99, 100 * _bytes / _r.SizeHint) : -1;
            _sink.Progress(new DockOptProgress(_r.ProgressId, "Measuring image " + _r.Name, status)
            {
                PercentComplete = pct,
                CurrentOperation = $"{ByteSize.Format(_bytes)} read",
            });
        }

        public void EndLayer(LayerBlob blob, LayerDigest digest)
        {
            if (_guesses.TryGetValue(blob.Key, out var guess))
            {
                // With verified digests the guess is checked now; otherwise against the config's diff ID in EndImage.
                if (digest.DiffId.Length > 0 && !string.Equals(guess, digest.DiffId, StringComparison.Ordinal)) Mismatch = true;
                else if (_cache!.TryGet(guess, out var cached))
                {
                    ScansByKey[blob.Key] = cached;
                    CachedKeys.Add(blob.Key);
                }
                else Mismatch = true;
                return;
            }
            if (_scanners.Remove(blob.Key, out var s))
            {
                var scan = s.Finish(digest);
                ScansByKey[blob.Key] = scan;
                _fingerprints[blob.Key] = blob.PrefixFingerprint;
            }
        }

        readonly Dictionary<string, string> _fingerprints = new(StringComparer.Ordinal);

        public void EndImage(ImageContents image)
        {
            Contents = image;
            foreach (var l in image.Layers)
            {
                if (_guesses.TryGetValue(l.Key, out var guess))
                {
                    if (!string.Equals(guess, l.DiffId, StringComparison.Ordinal)) Mismatch = true;
                    continue;
                }
                if (ScansByKey.TryGetValue(l.Key, out var scan) && !CachedKeys.Contains(l.Key))
                {
                    scan.DiffId = l.DiffId;
                    _cache?.Add(scan, _fingerprints.GetValueOrDefault(l.Key));
                }
            }
        }
    }
}
