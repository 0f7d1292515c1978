using System.Formats.Tar;
using System.Text.Json;
using DockOpt.Engine.DockerApi;

namespace DockOpt.Engine.Images;

/// <summary>Where an image's bytes come from. Create one with the static factories.</summary>
public abstract class ImageSource
{
    /// <summary>Human-readable description (image name or path) for messages.</summary>
    public abstract string Description { get; }

    /// <summary>The engine's image export (<c>GET /images/{name}/get</c>, what <c>docker save</c> streams).</summary>
    public static ImageSource FromEngine(DockerEngine engine, string image) => new EngineSource(engine, image);

    /// <summary>A <c>docker save</c> tar (legacy or Docker 25+ OCI layout inside) or an OCI archive tar (.tar, .tar.gz).</summary>
    public static ImageSource FromArchive(string path) => new ArchiveFileSource(path);

    /// <summary>An OCI image layout directory (<c>oci-layout</c>, <c>index.json</c>, <c>blobs/</c>).</summary>
    public static ImageSource FromOciLayout(string directory) => new OciLayoutSource(directory);

    /// <summary>A directory is read as an OCI layout, a file as an archive.</summary>
    public static ImageSource FromPath(string path) =>
        Directory.Exists(path) ? FromOciLayout(path) : FromArchive(path);

    /// <summary>Any stream holding an archive (tests, pipes). The stream is disposed after reading.</summary>
    public static ImageSource FromStream(Func<CancellationToken, Task<Stream>> open, string description) =>
        new StreamSource(open, description);

    internal abstract Task ReadAsync(IImageVisitor visitor, ImageReadOptions options, CancellationToken ct);

    public override string ToString() => Description;

    sealed class EngineSource : ImageSource
    {
        readonly DockerEngine _engine;
        readonly string _image;
        public EngineSource(DockerEngine engine, string image) { _engine = engine; _image = image; }
        public override string Description => _image;

        internal override async Task ReadAsync(IImageVisitor visitor, ImageReadOptions options, CancellationToken ct)
        {
            var resp = await _engine.SendCheckedAsync(HttpMethod.Get, $"/images/get?names={Uri.EscapeDataString(_image)}", null, ct,
                ErrorIds.ImageNotFound, _image).ConfigureAwait(false);
            using (resp)
            {
                var stream = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    using var ahead = new ReadAheadStream(stream, ct);
                    await Task.Run(() => ImageReader.ReadArchiveStream(ahead, _image, visitor, options, ct), ct).ConfigureAwait(false);
                }
            }
        }
    }

    sealed class ArchiveFileSource : ImageSource
    {
        readonly string _path;
        public ArchiveFileSource(string path) => _path = path;
        public override string Description => _path;

        internal override Task ReadAsync(IImageVisitor visitor, ImageReadOptions options, CancellationToken ct)
        {
            if (!File.Exists(_path))
                throw new DockOptException(ErrorIds.ImageArchiveNotFound, DockOptErrorCategory.ObjectNotFound,
                    $"The image archive '{_path}' does not exist.", _path,
                    "Give the path of a 'docker save' tar, an OCI archive tar, or an OCI layout directory.");
            return Task.Run(() =>
            {
                using var fs = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                var peek = new PeekableStream(fs);
                var m = peek.Peek(2);
                Stream s = m.Length == 2 && m[0] == 0x1f && m[1] == 0x8b
                    ? new System.IO.Compression.GZipStream(peek, System.IO.Compression.CompressionMode.Decompress)
                    : peek;
                using (s) ImageReader.ReadArchiveStream(s, _path, visitor, options, ct);
            }, ct);
        }
    }

    sealed class StreamSource : ImageSource
    {
        readonly Func<CancellationToken, Task<Stream>> _open;
        readonly string _description;
        public StreamSource(Func<CancellationToken, Task<Stream>> open, string description) { _open = open; _description = description; }
        public override string Description => _description;

        internal override async Task ReadAsync(IImageVisitor visitor, ImageReadOptions options, CancellationToken ct)
        {
            var s = await _open(ct).ConfigureAwait(false);
            await using (s.ConfigureAwait(false))
                await Task.Run(() => ImageReader.ReadArchiveStream(s, _description, visitor, options, ct), ct).ConfigureAwait(false);
        }
    }

    sealed class OciLayoutSource : ImageSource
    {
        readonly string _dir;
        public OciLayoutSource(string dir) => _dir = dir;
        public override string Description => _dir;

        internal override Task ReadAsync(IImageVisitor visitor, ImageReadOptions options, CancellationToken ct) => Task.Run(() =>
        {
            var indexPath = Path.Combine(_dir, "index.json");
            if (!File.Exists(indexPath))
                throw new DockOptException(ErrorIds.ImageArchiveInvalid, DockOptErrorCategory.InvalidData,
                    $"'{_dir}' is not an OCI image layout: it has no index.json.", _dir,
                    "Give an OCI layout directory (oci-layout, index.json, blobs/sha256/...) or a 'docker save' tar.");
            var jsons = new Dictionary<string, byte[]>(StringComparer.Ordinal) { ["index.json"] = File.ReadAllBytes(indexPath) };
            byte[]? Blob(string key)
            {
                if (jsons.TryGetValue(key, out var b)) return b;
                var p = Path.Combine(_dir, key.Replace('/', Path.DirectorySeparatorChar));
                if (!File.Exists(p) || new FileInfo(p).Length > ImageReader.MaxJsonBytes) return null;
                return jsons[key] = File.ReadAllBytes(p);
            }
            var (configKey, layerKeys, mediaTypes) = ImageReader.ResolveOci(jsons, Blob, _dir);
            var config = Blob(configKey) ?? throw ImageReader.Invalid(_dir, $"the config blob {configKey} is missing");
            var summary = ImageReader.ParseConfig(config, _dir);
            var digests = new Dictionary<string, LayerDigest>(StringComparer.Ordinal);
            for (var i = 0; i < layerKeys.Count; i++)
            {
                ct.ThrowIfCancellationRequested();
                var key = layerKeys[i];
                if (digests.ContainsKey(key)) continue;
                var p = Path.Combine(_dir, key.Replace('/', Path.DirectorySeparatorChar));
                if (!File.Exists(p)) throw ImageReader.Invalid(_dir, $"the layer blob {key} is missing");
                using var fs = new FileStream(p, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                var blob = new LayerBlob
                {
                    Key = key,
                    BlobDigest = ImageReader.DigestFromBlobKey(key),
                    StoredLength = fs.Length,
                    ExpectedDiffId = i < summary.DiffIds.Length ? summary.DiffIds[i] : null,
                    ExpectedIndex = i,
                };
                var d = LayerTarReader.Read(fs, blob, visitor.BeginLayer, ct, options.VerifyDiffIds);
                digests[key] = d;
                visitor.EndLayer(blob, d);
            }
            visitor.EndImage(ImageReader.Assemble(ImageArchiveFormat.OciLayout, configKey, config, summary, layerKeys, mediaTypes, digests,
                Array.Empty<string>(), _dir));
        }, ct);
    }
}
