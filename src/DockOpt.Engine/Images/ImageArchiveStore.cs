namespace DockOpt.Engine.Images;

/// <summary>
/// The files of an image archive or directory, found by their normalised path (<c>manifest.json</c>,
/// <c>blobs/sha256/&lt;hex&gt;</c>, <c>&lt;hex&gt;.tar.gz</c>, <c>sha256:&lt;hex&gt;</c>, ...) whatever the order the writer
/// stored them in. <see cref="ImageArchiveLayout"/> resolves the image through it.
/// </summary>
internal abstract class ImageArchiveStore
{
    /// <summary>The stored key that <paramref name="key"/> names (link aliases followed), or null when it is not stored.</summary>
    public abstract string? Find(string key);

    /// <summary>The bytes of a small file (manifest, index, config), or null when absent or larger than the JSON cap.</summary>
    public abstract byte[]? ReadSmall(string key);

    /// <summary>Normalises a path taken from a manifest; an escaping path (<c>../</c>) is never looked up.</summary>
    public static string? Normalize(string? path)
    {
        if (string.IsNullOrEmpty(path)) return null;
        var (p, escapes) = LayerTarReader.NormalizePath(path);
        return escapes || p.Length == 0 ? null : p;
    }

    internal static byte[] ReadExactly(Stream s, long length)
    {
        var buf = new byte[length];
        var off = 0;
        while (off < buf.Length)
        {
            var n = s.Read(buf, off, buf.Length - off);
            if (n <= 0) break;
            off += n;
        }
        return off == buf.Length ? buf : buf.AsSpan(0, off).ToArray();
    }
}

/// <summary>A store whose blobs can be opened again at will: a directory, or an uncompressed tar file on disk.</summary>
internal abstract class RandomAccessArchiveStore : ImageArchiveStore
{
    /// <summary>Opens a stored key (from <see cref="ImageArchiveStore.Find"/>) for reading; the caller disposes the stream.</summary>
    public abstract Stream Open(string storedKey, out long length);

    public override byte[]? ReadSmall(string key)
    {
        var k = Find(key);
        if (k == null) return null;
        using var s = Open(k, out var length);
        return length > ImageReader.MaxJsonBytes ? null : ReadExactly(s, length);
    }
}

/// <summary>A directory: an OCI layout, a skopeo <c>dir:</c> directory, or an unpacked <c>docker save</c>.</summary>
internal sealed class DirectoryArchiveStore : RandomAccessArchiveStore
{
    readonly string _dir;
    public DirectoryArchiveStore(string dir) => _dir = dir;

    string PathOf(string key) => Path.Combine(_dir, key.Replace('/', Path.DirectorySeparatorChar));

    public override string? Find(string key)
    {
        var k = Normalize(key);
        return k != null && File.Exists(PathOf(k)) ? k : null;
    }

    public override Stream Open(string storedKey, out long length)
    {
        var fs = new FileStream(PathOf(storedKey), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        length = fs.Length;
        return fs;
    }
}

/// <summary>
/// An uncompressed tar file on disk, indexed by one pass over its headers (the data is skipped by seeking, not read):
/// then manifest, config and layers are opened where they lie, in the order the manifest gives, whatever order the
/// writer chose (docker save puts manifest.json last, kaniko and crane put the config first, skopeo and podman put the
/// layers first). Each layer is read once.
/// </summary>
internal sealed class TarFileArchiveStore : RandomAccessArchiveStore
{
    readonly string _path;
    readonly Dictionary<string, (long Offset, long Length)> _files = new(StringComparer.Ordinal);
    readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);

    TarFileArchiveStore(string path) => _path = path;

    /// <summary>
    /// Indexes the tar at <paramref name="path"/> by walking its 512-byte headers (ustar, GNU long names, PAX path, linkpath
    /// and size records) and seeking past each entry's data; throws InvalidDataException when it is not a tar.
    /// System.Formats.Tar does not tell where an entry's data lies, so the headers are read here.
    /// </summary>
    public static TarFileArchiveStore Index(string path, CancellationToken ct)
    {
        var store = new TarFileArchiveStore(path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 12, FileOptions.RandomAccess);
        var h = new byte[512];
        long pos = 0;
        string? longName = null, longLink = null;
        Dictionary<string, string>? pax = null;
        var headers = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            fs.Position = pos;
            if (ReadBlock(fs, h) < 512)
            {
                if (headers == 0) throw new InvalidDataException("it is not a tar archive");
                break; // a tar cut after its last entry, without end blocks
            }
            if (h.AsSpan().IndexOfAnyExcept((byte)0) < 0) break; // end-of-archive block
            if (!ChecksumOk(h)) throw new InvalidDataException(headers == 0 ? "it is not a tar archive" : $"the tar header at byte {pos} is damaged");
            headers++;
            var type = (char)h[156];
            var size = pax != null && pax.TryGetValue("size", out var ps) && long.TryParse(ps, out var pv) ? pv : Number(h.AsSpan(124, 12));
            var data = pos + 512;
            var next = data + (size + 511) / 512 * 512;
            if (data + size > fs.Length) throw new EndOfStreamException("the archive ends inside an entry");
            switch (type)
            {
                case 'x':
                    fs.Position = data;
                    pax = ParsePax(ReadExactly(fs, size));
                    pos = next;
                    continue;
                case 'g':
                    pos = next;
                    continue;
                case 'L':
                    fs.Position = data;
                    longName = CString(ReadExactly(fs, size));
                    pos = next;
                    continue;
                case 'K':
                    fs.Position = data;
                    longLink = CString(ReadExactly(fs, size));
                    pos = next;
                    continue;
            }
            var rawName = longName ?? (pax != null && pax.TryGetValue("path", out var pp) ? pp : HeaderName(h));
            var rawLink = longLink ?? (pax != null && pax.TryGetValue("linkpath", out var pl) ? pl : CString(h.AsSpan(157, 100)));
            longName = longLink = null;
            pax = null;
            pos = next;
            var (name, escapes) = LayerTarReader.NormalizePath(rawName);
            if (escapes || name.Length == 0) continue;
            if (type is '1' or '2')
            {
                var target = type == '2' && !rawLink.StartsWith('/')
                    ? (name.Contains('/') ? name.Substring(0, name.LastIndexOf('/') + 1) : "") + rawLink
                    : rawLink;
                store._aliases[name] = LayerTarReader.NormalizePath(target).Path;
            }
            else if (type is '0' or '\0' or '7')
                store._files[name] = (data, size);
        }
        return store;
    }

    static int ReadBlock(Stream s, byte[] h)
    {
        var off = 0;
        while (off < h.Length)
        {
            var n = s.Read(h, off, h.Length - off);
            if (n <= 0) break;
            off += n;
        }
        return off;
    }

    static bool ChecksumOk(byte[] h)
    {
        long sum = 0;
        for (var i = 0; i < 512; i++) sum += i is >= 148 and < 156 ? (byte)' ' : h[i];
        return sum == Number(h.AsSpan(148, 8));
    }

    /// <summary>An octal header number, or GNU base-256 when the high bit of the first byte is set.</summary>
    static long Number(ReadOnlySpan<byte> f)
    {
        if ((f[0] & 0x80) != 0)
        {
            long v = f[0] & 0x7f;
            for (var i = 1; i < f.Length; i++) v = (v << 8) | f[i];
            return v;
        }
        long n = 0;
        foreach (var b in f)
        {
            if (b is (byte)' ' or 0) { if (n > 0) break; continue; }
            if (b is < (byte)'0' or > (byte)'7') throw new InvalidDataException("a tar header holds a malformed number");
            n = n * 8 + (b - '0');
        }
        return n;
    }

    static string CString(ReadOnlySpan<byte> f)
    {
        var end = f.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(end < 0 ? f : f.Slice(0, end));
    }

    /// <summary>The name field, with the ustar prefix (POSIX ustar only: GNU keeps other data there).</summary>
    static string HeaderName(byte[] h)
    {
        var name = CString(h.AsSpan(0, 100));
        var posix = h.AsSpan(257, 6).SequenceEqual("ustar\0"u8);
        var prefix = posix ? CString(h.AsSpan(345, 155)) : "";
        return prefix.Length > 0 ? prefix + "/" + name : name;
    }

    /// <summary>PAX records: "&lt;length&gt; &lt;key&gt;=&lt;value&gt;\n".</summary>
    static Dictionary<string, string> ParsePax(byte[] data)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        while (i < data.Length)
        {
            var sp = Array.IndexOf(data, (byte)' ', i);
            if (sp < 0 || !int.TryParse(System.Text.Encoding.ASCII.GetString(data, i, sp - i), out var len) || len <= 0 || i + len > data.Length) break;
            var rec = System.Text.Encoding.UTF8.GetString(data, sp + 1, i + len - sp - 2);
            var eq = rec.IndexOf('=');
            if (eq > 0) d[rec.Substring(0, eq)] = rec.Substring(eq + 1);
            i += len;
        }
        return d;
    }

    /// <summary>Number of regular files indexed.</summary>
    public int Count => _files.Count;

    public bool Has(string name) => _files.ContainsKey(name);

    public override string? Find(string key)
    {
        var k = Normalize(key);
        if (k == null) return null;
        for (var i = 0; i < 8 && _aliases.TryGetValue(k, out var t); i++) k = t;
        return _files.ContainsKey(k) ? k : null;
    }

    public override Stream Open(string storedKey, out long length)
    {
        var (offset, len) = _files[storedKey];
        length = len;
        var fs = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        fs.Seek(offset, SeekOrigin.Begin);
        return new BoundedReadStream(fs, len);
    }

    /// <summary>Reads at most <c>length</c> bytes of the inner stream from where it stands; disposes it.</summary>
    sealed class BoundedReadStream : ForwardReadStream
    {
        readonly Stream _inner;
        long _left;
        public BoundedReadStream(Stream inner, long length) { _inner = inner; _left = length; }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_left <= 0 || buffer.Length == 0) return 0;
            var n = _inner.Read(buffer.Slice(0, (int)Math.Min(buffer.Length, _left)));
            if (n <= 0) throw new EndOfStreamException("the archive ends inside an entry");
            _left -= n;
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}

/// <summary>
/// What a single forward pass over an archive stream kept: its small JSON files, its link aliases, the digests of the
/// layers read on the way, and (spooled to a temporary file) the few entries that were neither JSON nor recognisable as
/// a layer when they passed, in case the manifest met later names them as layers.
/// </summary>
internal sealed class StreamedArchiveStore : ImageArchiveStore, IDisposable
{
    public Dictionary<string, byte[]> Jsons { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> Aliases { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, LayerDigest> Digests { get; } = new(StringComparer.Ordinal);
    readonly Dictionary<string, (long Offset, long Length)> _spooled = new(StringComparer.Ordinal);
    FileStream? _spool;

    public override string? Find(string key)
    {
        var k = Normalize(key);
        if (k == null) return null;
        for (var i = 0; i < 8 && Aliases.TryGetValue(k, out var t); i++) k = t;
        return Jsons.ContainsKey(k) || Digests.ContainsKey(k) || _spooled.ContainsKey(k) ? k : null;
    }

    public override byte[]? ReadSmall(string key)
    {
        var k = Find(key);
        if (k == null) return null;
        if (Jsons.TryGetValue(k, out var b)) return b;
        if (_spooled.TryGetValue(k, out var at) && at.Length <= ImageReader.MaxJsonBytes)
        {
            _spool!.Seek(at.Offset, SeekOrigin.Begin);
            return ReadExactly(_spool, at.Length);
        }
        return null;
    }

    /// <summary>
    /// Keeps an entry the pass could not classify. A stream cannot be read twice, so the order (the manifest comes after
    /// this entry) forces a copy: it goes to a temporary file, never into memory. Readable layers are recognised by
    /// their magic bytes and read as they pass, so this holds only odd entries (a V7 tar without the ustar magic).
    /// </summary>
    public void Spool(string key, Stream data, long length, CancellationToken ct)
    {
        _spool ??= new FileStream(Path.Combine(Path.GetTempPath(), "dockopt-spool-" + Guid.NewGuid().ToString("N")), FileMode.CreateNew,
            FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        _spool.Seek(0, SeekOrigin.End);
        var offset = _spool.Position;
        var buf = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            int n;
            while ((n = data.Read(buf, 0, buf.Length)) > 0)
            {
                ct.ThrowIfCancellationRequested();
                _spool.Write(buf, 0, n);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buf);
        }
        _spooled[key] = (offset, _spool.Position - offset);
    }

    /// <summary>Whether <paramref name="storedKey"/> was spooled rather than read as a layer.</summary>
    public bool IsSpooled(string storedKey) => _spooled.ContainsKey(storedKey);

    /// <summary>Opens a spooled entry.</summary>
    public Stream OpenSpooled(string storedKey, out long length)
    {
        var (offset, len) = _spooled[storedKey];
        length = len;
        return new SpoolSlice(_spool!, offset, len);
    }

    public void Dispose() => _spool?.Dispose();

    sealed class SpoolSlice : ForwardReadStream
    {
        readonly FileStream _fs;
        long _pos;
        readonly long _end;
        public SpoolSlice(FileStream fs, long offset, long length) { _fs = fs; _pos = offset; _end = offset + length; }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            if (_pos >= _end) return 0;
            _fs.Seek(_pos, SeekOrigin.Begin);
            var n = _fs.Read(buffer.Slice(0, (int)Math.Min(buffer.Length, _end - _pos)));
            _pos += n;
            return n;
        }
    }
}
