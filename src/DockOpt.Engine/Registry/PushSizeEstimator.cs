using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using DockOpt.Engine.DockerApi;

namespace DockOpt.Engine.Registry;

/// <summary>
/// Estimates the bytes <c>docker push</c> sends for a local image: each layer tar compressed with gzip at the default
/// level, as the engine does on push (Go's compress/gzip, level 6; .NET's zlib at the same level, so the sizes differ by
/// a fraction of a percent, see the Pester test against a real push). Sizes are kept per diff ID on disk
/// (<c>&lt;cache&gt;/gzip-sizes/&lt;hex&gt;</c>, next to the registry layer cache), so an image whose layers were estimated
/// before costs no export.
/// </summary>
public sealed class PushSizeEstimator
{
    readonly DockerEngine _engine;
    readonly IDockOptSink _sink;
    readonly string? _dir;

    public PushSizeEstimator(DockerEngine engine, IDockOptSink sink, string? cacheDirectory = null)
    {
        _engine = engine;
        _sink = sink;
        _dir = cacheDirectory ?? (LayerBlobCache.DefaultDirectory() is { } d ? Path.Combine(Path.GetDirectoryName(d)!, "gzip-sizes") : null);
    }

    /// <summary>The estimate when every layer's size is already kept on disk (no export), else null.</summary>
    public long? TryCached(IReadOnlyList<string> diffIds)
    {
        long total = 0;
        foreach (var d in diffIds)
        {
            if (Load(d) is not { } s) return null;
            total += s;
        }
        return total;
    }

    /// <summary>Sum of the gzip sizes of the image's layers (diff IDs from the engine's inspect).</summary>
    public async Task<long> EstimateAsync(string imageId, IReadOnlyList<string> diffIds, CancellationToken ct)
    {
        var known = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var d in diffIds.Distinct())
            if (Load(d) is { } size) known[d] = size;
        if (diffIds.Any(d => !known.ContainsKey(d)))
        {
            _sink.Verbose($"{imageId}: compressing {diffIds.Count(d => !known.ContainsKey(d))} layer(s) with gzip to estimate the pushed size.");
            using var resp = await _engine.SendCheckedAsync(HttpMethod.Get, $"/images/get?names={Uri.EscapeDataString(imageId)}", null, ct,
                ErrorIds.ImageNotFound, imageId).ConfigureAwait(false);
            var stream = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                await Task.Run(() =>
                {
                    using var tar = new TarReader(stream);
                    while (tar.GetNextEntry() is { } e)
                    {
                        ct.ThrowIfCancellationRequested();
                        if (e.DataStream == null || e.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || e.Length < 1024) continue;
                        if (!(e.Name.EndsWith("/layer.tar", StringComparison.Ordinal) || e.Name.StartsWith("blobs/", StringComparison.Ordinal))) continue;
                        var (diffId, gz) = Compress(e.DataStream);
                        if (diffId == null || known.ContainsKey(diffId)) continue;
                        known[diffId] = gz;
                        Save(diffId, gz);
                    }
                }, ct).ConfigureAwait(false);
            }
        }
        long total = 0;
        foreach (var d in diffIds)
        {
            if (!known.TryGetValue(d, out var s))
                throw new DockOptException(ErrorIds.ImageLayerInvalid, DockOptErrorCategory.InvalidData,
                    $"The export of {imageId} has no layer {d}.", imageId, "The image archive is damaged or not an image. Save it again (docker save) or check the source.");
            total += s;
        }
        return total;
    }

    /// <summary>SHA-256 of the plain tar (its diff ID, or null when the entry is not a tar) and its gzip size at the default level.</summary>
    public static (string? DiffId, long GzipBytes) Compress(Stream tarStream)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var counter = new CountingStream();
        var buf = new byte[128 * 1024];
        var first = true;
        using (var gz = new GZipStream(counter, CompressionLevel.Optimal, leaveOpen: true))
        {
            int n;
            while ((n = ReadFull(tarStream, buf)) > 0)
            {
                if (first)
                {
                    first = false;
                    // A layer is a tar ("ustar" at 257) or, empty, zeros; JSON blobs are not.
                    var isTar = n >= 262 && buf.AsSpan(257, 5).SequenceEqual("ustar"u8) || buf.AsSpan(0, n).IndexOfAnyExcept((byte)0) < 0;
                    if (!isTar) return (null, 0);
                }
                sha.AppendData(buf, 0, n);
                gz.Write(buf, 0, n);
            }
        }
        return ("sha256:" + Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant(), counter.Length);
    }

    static int ReadFull(Stream s, byte[] buf)
    {
        var off = 0;
        while (off < buf.Length)
        {
            var n = s.Read(buf, off, buf.Length - off);
            if (n <= 0) break;
            off += n;
        }
        return off;
    }

    string? PathOf(string diffId) =>
        _dir != null && diffId.StartsWith("sha256:", StringComparison.Ordinal) && diffId.Length == 71 ? Path.Combine(_dir, diffId.Substring(7)) : null;

    long? Load(string diffId)
    {
        var p = PathOf(diffId);
        try
        {
            return p != null && File.Exists(p) && long.TryParse(Dockerfiles.SourceFile.ReadAllText(p, "compressed size cache entry").Trim(), out var v) ? v : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DockOptException) { return null; } // a cache: anything odd is a miss
    }

    void Save(string diffId, long size)
    {
        var p = PathOf(diffId);
        if (p == null) return;
        try
        {
            Directory.CreateDirectory(_dir!);
            // Through a temporary file and a rename: a reader in another process never sees half a number.
            var text = System.Text.Encoding.ASCII.GetBytes(size.ToString(System.Globalization.CultureInfo.InvariantCulture));
            IO.AtomicFile.TryWriteCacheEntry(p, s => s.Write(text));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    sealed class CountingStream : Stream
    {
        long _n;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _n;
        public override long Position { get => _n; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _n += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _n += buffer.Length;
    }
}
