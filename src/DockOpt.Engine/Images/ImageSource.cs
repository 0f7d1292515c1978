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

    /// <summary>
    /// An image archive file: a <c>docker save</c> tar (legacy or Docker 25+ OCI layout inside), a podman or skopeo
    /// <c>docker-archive</c>, a crane or kaniko tarball, or an OCI archive tar (each also gzip-compressed as .tar.gz).
    /// </summary>
    public static ImageSource FromArchive(string path) => new ArchiveFileSource(path, null);

    /// <summary>
    /// An image archive file, the image named <paramref name="reference"/> in it (a RepoTag of a docker archive, <c>@N</c>
    /// for its Nth image, or an OCI <c>org.opencontainers.image.ref.name</c>); null reads the only or first image.
    /// </summary>
    public static ImageSource FromArchive(string path, string? reference) => new ArchiveFileSource(path, reference);

    /// <summary>
    /// An image directory: an OCI image layout (<c>oci-layout</c>, <c>index.json</c>, <c>blobs/</c>), a skopeo or podman
    /// <c>dir:</c> directory (<c>manifest.json</c>, blobs named by hex digest, <c>version</c>), or an unpacked docker save.
    /// </summary>
    public static ImageSource FromOciLayout(string directory) => new DirectorySource(directory, null);

    /// <summary>An image directory, the image tagged <paramref name="reference"/> in it (OCI <c>oci:dir:ref</c>); null reads the only or first image.</summary>
    public static ImageSource FromOciLayout(string directory, string? reference) => new DirectorySource(directory, reference);

    /// <summary>A directory is read as an image directory (OCI layout, skopeo dir:), a file as an archive.</summary>
    public static ImageSource FromPath(string path) => FromPath(path, null);

    /// <summary>As <see cref="FromPath(string)"/>, the image named <paramref name="reference"/> in it.</summary>
    public static ImageSource FromPath(string path, string? reference) =>
        Directory.Exists(path) ? FromOciLayout(path, reference) : FromArchive(path, reference);

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
        readonly string? _reference;
        public ArchiveFileSource(string path, string? reference) { _path = path; _reference = reference; }
        public override string Description => _path;

        internal override Task ReadAsync(IImageVisitor visitor, ImageReadOptions options, CancellationToken ct)
        {
            if (!File.Exists(_path))
                throw new DockOptException(ErrorIds.ImageArchiveNotFound, DockOptErrorCategory.ObjectNotFound,
                    $"The image archive '{_path}' does not exist.", _path,
                    "Give the path of a 'docker save' tar, an OCI archive tar, or an OCI layout directory.");
            return Task.Run(() =>
            {
                if (!IsGzip(_path))
                {
                    // An uncompressed tar on disk: index its headers (seeking past the data), then read manifest, config
                    // and layers where they lie, in image order, whatever order the writer stored them in.
                    TarFileArchiveStore store;
                    try
                    {
                        store = TarFileArchiveStore.Index(_path, ct);
                    }
                    catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
                    {
                        throw ImageReader.Invalid(_path, e.Message, e);
                    }
                    ImageReader.ReadRandomAccess(store, _path, visitor, options, _reference, ct);
                    return;
                }
                // A gzip-compressed archive (.tar.gz) cannot be seeked: read it in one pass as a stream.
                using var fs = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                using var gz = new System.IO.Compression.GZipStream(fs, System.IO.Compression.CompressionMode.Decompress);
                ImageReader.ReadArchiveStream(gz, _path, visitor, options, _reference, ct);
            }, ct);
        }

        static bool IsGzip(string path)
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 16);
            Span<byte> m = stackalloc byte[2];
            return fs.Read(m) == 2 && m[0] == 0x1f && m[1] == 0x8b;
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

    sealed class DirectorySource : ImageSource
    {
        readonly string _dir;
        readonly string? _reference;
        public DirectorySource(string dir, string? reference) { _dir = dir; _reference = reference; }
        public override string Description => _dir;

        internal override Task ReadAsync(IImageVisitor visitor, ImageReadOptions options, CancellationToken ct) => Task.Run(() =>
        {
            if (!File.Exists(Path.Combine(_dir, "index.json")) && !File.Exists(Path.Combine(_dir, "manifest.json")))
                throw new DockOptException(ErrorIds.ImageArchiveInvalid, DockOptErrorCategory.InvalidData,
                    $"'{_dir}' is not an image directory: it has neither index.json (OCI layout) nor manifest.json (skopeo dir:).", _dir,
                    "Give an OCI layout directory (oci-layout, index.json, blobs/sha256/...), a skopeo dir: directory or a 'docker save' tar.");
            ImageReader.ReadRandomAccess(new DirectoryArchiveStore(_dir), _dir, visitor, options, _reference, ct);
        }, ct);
    }
}
