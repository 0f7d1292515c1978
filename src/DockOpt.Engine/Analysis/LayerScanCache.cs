using System.Collections.Concurrent;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis;

/// <summary>
/// Per-session cache of <see cref="LayerScan"/>s by diff ID (a second image that shares layers skips parsing them), with
/// a fingerprint index that lets the reader recognise a layer of a <c>docker save</c> stream before its diff ID is known.
/// Bounded: the oldest scans are dropped beyond <see cref="MaxBytes"/>.
/// </summary>
public sealed class LayerScanCache
{
    /// <summary>The session's cache, backed by the user's <see cref="LayerScanStore"/> on disk (unless DOCKOPT_LAYER_CACHE=off).</summary>
    public static readonly LayerScanCache Shared = new() { StoreFromEnvironment = true };

    /// <summary>Where scans and images are also kept between sessions (null: memory only).</summary>
    public LayerScanStore? Store
    {
        // Shared follows DOCKOPT_LAYER_CACHE at each use, as the registry's blob cache does, so both land in one folder.
        get => StoreFromEnvironment ? LayerScanStore.Default() : _store;
        init => _store = value;
    }

    LayerScanStore? _store;

    /// <summary>Resolve the store from the environment at each use (the shared cache) instead of a fixed one.</summary>
    public bool StoreFromEnvironment { get; init; }

    readonly ConcurrentDictionary<string, LayerScan> _byDiffId = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, string> _byFingerprint = new(StringComparer.Ordinal);
    readonly ConcurrentQueue<string> _order = new();
    readonly ConcurrentDictionary<string, CachedImage> _images = new(StringComparer.Ordinal);
    long _bytes;

    /// <summary>Upper bound of the approximate memory the cache may hold (default 256 MB).</summary>
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;

    public int Count => _byDiffId.Count;

    public bool TryGet(string diffId, out LayerScan scan)
    {
        var store = Store;
        if (_byDiffId.TryGetValue(diffId, out scan!))
        {
            // The folder may have moved since the scan was made (DOCKOPT_LAYER_CACHE set later in the session): make sure
            // the store in effect has it too, so the next session finds it there (Save is a stat when it is present).
            if (StoreFromEnvironment) store?.Save(scan);
            return true;
        }
        if (store?.TryLoad(diffId) is not { } stored) return false;
        Remember(stored);
        scan = stored;
        return true;
    }

    public string? DiffIdForFingerprint(string fingerprint) =>
        fingerprint.Length > 0 && _byFingerprint.TryGetValue(fingerprint, out var d) && _byDiffId.ContainsKey(d) ? d : null;

    public void Add(LayerScan scan, string? fingerprint)
    {
        Remember(scan);
        if (!string.IsNullOrEmpty(fingerprint)) _byFingerprint[fingerprint] = scan.DiffId;
        Store?.Save(scan);
    }

    void Remember(LayerScan scan)
    {
        if (_byDiffId.TryAdd(scan.DiffId, scan))
        {
            _order.Enqueue(scan.DiffId);
            Interlocked.Add(ref _bytes, scan.ApproximateBytes);
        }
        while (Interlocked.Read(ref _bytes) > MaxBytes && _order.TryDequeue(out var old))
            if (_byDiffId.TryRemove(old, out var removed)) Interlocked.Add(ref _bytes, -removed.ApproximateBytes);
    }

    internal bool TryGetImage(string imageId, out CachedImage image)
    {
        if (_images.TryGetValue(imageId, out image!)) return true;
        if (Store?.TryLoadImage(imageId) is not { } stored) return false;
        _images[imageId] = image = stored;
        return true;
    }

    internal void AddImage(string imageId, CachedImage image)
    {
        _images[imageId] = image;
        Store?.SaveImage(imageId, image);
    }

    public void Clear()
    {
        _byDiffId.Clear();
        _byFingerprint.Clear();
        _images.Clear();
        while (_order.TryDequeue(out _)) { }
        Interlocked.Exchange(ref _bytes, 0);
    }
}
