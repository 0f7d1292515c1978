namespace DockOpt.Engine.Registry;

/// <summary>
/// Persistent, content-addressed cache of the layer blobs read from registries (as the registry stores them, compressed),
/// so a base layer shared by many images is downloaded once. A blob enters the cache only after its digest checked out;
/// the least recently used blobs are removed beyond <see cref="MaxBytes"/>.
/// <para>Where: <c>$DOCKOPT_LAYER_CACHE</c> when it names a directory; else <c>$XDG_CACHE_HOME/dockopt/layers</c> (or
/// <c>~/.cache/dockopt/layers</c>, <c>%LOCALAPPDATA%\dockopt\layers</c> on Windows). <c>DOCKOPT_LAYER_CACHE=off</c> (or
/// <c>0</c>, <c>false</c>, <c>none</c>) turns it off; Measure-DockOptImage -NoLayerCache does too. Size cap:
/// <c>$DOCKOPT_LAYER_CACHE_MAX_GB</c> (default 10).</para>
/// </summary>
public sealed class LayerBlobCache
{
    public const long DefaultMaxBytes = 10L * 1000 * 1000 * 1000;

    public LayerBlobCache(string directory, long maxBytes = DefaultMaxBytes)
    {
        Directory = directory;
        MaxBytes = maxBytes;
    }

    /// <summary>The cache root (blobs under <c>sha256/</c>, per-layer analyses under <c>scans/</c>).</summary>
    public string Directory { get; }

    public long MaxBytes { get; }

    /// <summary>Blobs served from the cache and blobs added, for verbose accounting and tests.</summary>
    public int Hits => _hits;
    public int Added => _added;
    int _hits, _added;

    static readonly string[] Off = { "off", "0", "false", "none", "no" };

    /// <summary>The cache the environment asks for, or null when it is turned off.</summary>
    public static LayerBlobCache? FromEnvironment()
    {
        var dir = DefaultDirectory();
        if (dir == null) return null;
        var max = DefaultMaxBytes;
        if (double.TryParse(Environment.GetEnvironmentVariable("DOCKOPT_LAYER_CACHE_MAX_GB"), System.Globalization.NumberStyles.Float,
                System.Globalization.CultureInfo.InvariantCulture, out var gb) && gb >= 0)
            max = (long)(gb * 1000 * 1000 * 1000);
        return new LayerBlobCache(dir, max);
    }

    /// <summary>The cache directory from the environment, or null when DOCKOPT_LAYER_CACHE turns the cache off.</summary>
    public static string? DefaultDirectory()
    {
        var env = Environment.GetEnvironmentVariable("DOCKOPT_LAYER_CACHE");
        if (!string.IsNullOrWhiteSpace(env))
            return Off.Contains(env.Trim(), StringComparer.OrdinalIgnoreCase) ? null : Path.GetFullPath(env.Trim());
        string root;
        if (OperatingSystem.IsWindows())
            root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        else
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            root = !string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        }
        return Path.Combine(root, "dockopt", "layers");
    }

    string PathOf(string digest)
    {
        var i = digest.IndexOf(':');
        var alg = digest.Substring(0, i);
        var hex = digest.Substring(i + 1);
        if (!hex.All(char.IsAsciiHexDigitLower) || alg is not ("sha256" or "sha512"))
            throw new ArgumentException($"'{digest}' is not a digest.", nameof(digest));
        return Path.Combine(Directory, alg, hex);
    }

    /// <summary>The cached blob, opened for reading (and marked as used), or null.</summary>
    public Stream? TryOpen(string digest, long size)
    {
        var p = PathOf(digest);
        try
        {
            var fi = new FileInfo(p);
            if (!fi.Exists) return null;
            if (size >= 0 && fi.Length != size)
            {
                fi.Delete();
                return null;
            }
            File.SetLastWriteTimeUtc(p, DateTime.UtcNow); // LRU: the write time is the last use
            var s = new FileStream(p, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.SequentialScan);
            Interlocked.Increment(ref _hits);
            return s;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>True when the blob is cached.</summary>
    public bool Contains(string digest) => File.Exists(PathOf(digest));

    /// <summary>
    /// Arranges for <paramref name="stream"/>'s bytes to be kept: written to a temporary file that becomes the cache entry
    /// when the stream verified the digest; a stream not read to its end leaves nothing behind. Returns false (and keeps
    /// nothing) when the blob would not fit or the directory cannot be written.
    /// </summary>
    internal bool Attach(DigestCheckingStream stream, string digest, long size)
    {
        if (size > MaxBytes) return false;
        var final = PathOf(digest);
        string tmp;
        FileStream file;
        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            tmp = IO.AtomicFile.TemporaryPathFor(final);
            file = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        stream.Copy = file;
        stream.Verified = () =>
        {
            try
            {
                file.Dispose();
                IO.AtomicFile.Commit(tmp, final);
                Interlocked.Increment(ref _added);
                Evict(keep: final);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                TryDelete(tmp);
            }
        };
        _pending.Add((file, tmp));
        return true;
    }

    readonly System.Collections.Concurrent.ConcurrentBag<(FileStream File, string Tmp)> _pending = new();

    /// <summary>Removes the temporary files of blobs that were not read to their end.</summary>
    public void CleanUp()
    {
        while (_pending.TryTake(out var p))
        {
            try { p.File.Dispose(); } catch (IOException) { }
            TryDelete(p.Tmp);
        }
    }

    /// <summary>Deletes the least recently used blobs until the cache fits in MaxBytes.</summary>
    public void Evict(string? keep = null)
    {
        try
        {
            var files = new List<FileInfo>();
            foreach (var alg in new[] { "sha256", "sha512" })
            {
                var d = new DirectoryInfo(Path.Combine(Directory, alg));
                if (d.Exists) files.AddRange(d.EnumerateFiles().Where(f => !f.Name.EndsWith(".part", StringComparison.Ordinal)));
            }
            var total = files.Sum(f => f.Length);
            foreach (var f in files.OrderBy(f => f.LastWriteTimeUtc))
            {
                if (total <= MaxBytes) break;
                if (keep != null && f.FullName == Path.GetFullPath(keep)) continue;
                total -= f.Length;
                TryDelete(f.FullName);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    static void TryDelete(string p)
    {
        try { File.Delete(p); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
