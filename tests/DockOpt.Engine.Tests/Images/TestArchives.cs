using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DockOpt.Engine.Tests.Images;

/// <summary>Builds layer tars, docker-save archives and OCI layouts by hand, byte by byte, for reader and analysis tests.</summary>
public sealed class LayerBuilder
{
    readonly MemoryStream _ms = new();
    readonly TarWriter _w;
    public LayerBuilder(TarEntryFormat format = TarEntryFormat.Pax)
    {
        Format = format;
        _w = new TarWriter(_ms, format, leaveOpen: true);
    }
    public TarEntryFormat Format { get; }

    TarEntry New(TarEntryType t, string name) => Format switch
    {
        TarEntryFormat.Gnu => new GnuTarEntry(t, name),
        TarEntryFormat.Ustar => new UstarTarEntry(t, name),
        _ => new PaxTarEntry(t, name),
    };

    public LayerBuilder File(string name, string content, int mode = 0x1A4, int uid = 0, int gid = 0) =>
        File(name, Encoding.UTF8.GetBytes(content), mode, uid, gid);

    public LayerBuilder File(string name, byte[] content, int mode = 0x1A4, int uid = 0, int gid = 0)
    {
        var e = New(TarEntryType.RegularFile, name);
        e.Mode = (UnixFileMode)mode;
        e.Uid = uid;
        e.Gid = gid;
        e.ModificationTime = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        e.DataStream = new MemoryStream(content);
        _w.WriteEntry(e);
        return this;
    }

    public LayerBuilder Dir(string name, int mode = 0x1ED)
    {
        var e = New(TarEntryType.Directory, name);
        e.Mode = (UnixFileMode)mode;
        e.ModificationTime = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        _w.WriteEntry(e);
        return this;
    }

    public LayerBuilder Symlink(string name, string target)
    {
        var e = New(TarEntryType.SymbolicLink, name);
        e.LinkName = target;
        e.Mode = (UnixFileMode)0x1FF;
        _w.WriteEntry(e);
        return this;
    }

    public LayerBuilder Hardlink(string name, string target)
    {
        var e = New(TarEntryType.HardLink, name);
        e.LinkName = target;
        e.Mode = (UnixFileMode)0x1A4;
        _w.WriteEntry(e);
        return this;
    }

    public LayerBuilder Whiteout(string path)
    {
        var slash = path.LastIndexOf('/');
        var name = slash < 0 ? ".wh." + path : path.Substring(0, slash + 1) + ".wh." + path.Substring(slash + 1);
        return File(name, Array.Empty<byte>());
    }

    public LayerBuilder Opaque(string dir) => File(dir.TrimEnd('/') + "/.wh..wh..opq", Array.Empty<byte>());

    public LayerBuilder Raw(TarEntry e)
    {
        _w.WriteEntry(e);
        return this;
    }

    public byte[] Build()
    {
        _w.Dispose();
        return _ms.ToArray();
    }

    public static string Sha(byte[] b) => "sha256:" + Convert.ToHexString(SHA256.HashData(b)).ToLowerInvariant();

    public static byte[] Gzip(byte[] b)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(b);
        return ms.ToArray();
    }

    public static byte[] Zstd(byte[] b)
    {
        using var c = new ZstdSharp.Compressor(3);
        return c.Wrap(b).ToArray();
    }
}

public static class TestArchives
{
    public static byte[] Config(IEnumerable<byte[]> layers, string[]? createdBy = null, string user = "")
    {
        var diffIds = layers.Select(LayerBuilder.Sha).ToArray();
        var history = diffIds.Select((d, i) => new Dictionary<string, object>
        {
            ["created"] = "2024-01-01T00:00:00Z",
            ["created_by"] = createdBy != null && i < createdBy.Length ? createdBy[i] : $"/bin/sh -c #(nop) layer {i}",
        }).ToArray();
        var cfg = new Dictionary<string, object>
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["config"] = new Dictionary<string, object> { ["User"] = user, ["Env"] = new[] { "PATH=/bin" } },
            ["rootfs"] = new Dictionary<string, object> { ["type"] = "layers", ["diff_ids"] = diffIds },
            ["history"] = history,
        };
        return JsonSerializer.SerializeToUtf8Bytes(cfg);
    }

    static void Add(TarWriter w, string name, byte[] data)
    {
        var e = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) };
        w.WriteEntry(e);
    }

    /// <summary>A legacy docker-save tar: layers first in REVERSED order (so archive order is not layer order), manifest last.</summary>
    public static byte[] DockerSave(params byte[][] layers)
    {
        var config = Config(layers);
        var configName = Convert.ToHexString(SHA256.HashData(config)).ToLowerInvariant() + ".json";
        var ms = new MemoryStream();
        var v1 = layers.Select((l, i) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes("v1-" + i))).ToLowerInvariant()).ToArray();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            Add(w, configName, config);
            for (var i = layers.Length - 1; i >= 0; i--)
            {
                w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, v1[i] + "/"));
                Add(w, v1[i] + "/VERSION", Encoding.ASCII.GetBytes("1.0"));
                Add(w, v1[i] + "/json", Encoding.ASCII.GetBytes("{}"));
                Add(w, v1[i] + "/layer.tar", layers[i]);
            }
            var manifest = JsonSerializer.SerializeToUtf8Bytes(new[]
            {
                new Dictionary<string, object>
                {
                    ["Config"] = configName,
                    ["RepoTags"] = new[] { "test/image:1" },
                    ["Layers"] = v1.Select(v => v + "/layer.tar").ToArray(),
                },
            });
            Add(w, "manifest.json", manifest);
        }
        return ms.ToArray();
    }

    /// <summary>OCI layout files (relative path → bytes); layers stored as given (plain, gzip or zstd).</summary>
    public static Dictionary<string, byte[]> OciLayout(byte[][] uncompressed, Func<byte[], byte[]>? compress = null, string mediaSuffix = "")
    {
        var files = new Dictionary<string, byte[]>();
        var config = Config(uncompressed);
        string Put(byte[] b)
        {
            var d = LayerBuilder.Sha(b);
            files["blobs/sha256/" + d.Substring(7)] = b;
            return d;
        }
        var cfgDigest = Put(config);
        var layerDescs = uncompressed.Select(l =>
        {
            var stored = compress != null ? compress(l) : l;
            return new Dictionary<string, object>
            {
                ["mediaType"] = "application/vnd.oci.image.layer.v1.tar" + mediaSuffix,
                ["digest"] = Put(stored),
                ["size"] = stored.Length,
            };
        }).ToArray();
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = new Dictionary<string, object> { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = cfgDigest, ["size"] = config.Length },
            ["layers"] = layerDescs,
        });
        var mDigest = Put(manifest);
        files["index.json"] = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new[] { new Dictionary<string, object> { ["mediaType"] = "application/vnd.oci.image.manifest.v1+json", ["digest"] = mDigest, ["size"] = manifest.Length } },
        });
        files["oci-layout"] = Encoding.ASCII.GetBytes("{\"imageLayoutVersion\":\"1.0.0\"}");
        return files;
    }

    /// <summary>An OCI archive tar (blobs first, index.json last, like Docker 25+ writes it).</summary>
    public static byte[] OciArchive(Dictionary<string, byte[]> files, string? dockerManifestConfig = null, string[]? dockerManifestLayers = null)
    {
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var kv in files.Where(k => k.Key.StartsWith("blobs/")).OrderBy(k => k.Key, StringComparer.Ordinal)) Add(w, kv.Key, kv.Value);
            Add(w, "oci-layout", files["oci-layout"]);
            Add(w, "index.json", files["index.json"]);
            if (dockerManifestConfig != null)
                Add(w, "manifest.json", JsonSerializer.SerializeToUtf8Bytes(new[]
                {
                    new Dictionary<string, object> { ["Config"] = dockerManifestConfig, ["RepoTags"] = new[] { "app:25" }, ["Layers"] = dockerManifestLayers! },
                }));
        }
        return ms.ToArray();
    }

    public static string WriteDir(Dictionary<string, byte[]> files)
    {
        var dir = Path.Combine(Path.GetTempPath(), "dockopt-test-" + Guid.NewGuid().ToString("n"));
        foreach (var kv in files)
        {
            var p = Path.Combine(dir, kv.Key);
            Directory.CreateDirectory(Path.GetDirectoryName(p)!);
            System.IO.File.WriteAllBytes(p, kv.Value);
        }
        return dir;
    }
}

/// <summary>Collects everything the reader reports, for assertions.</summary>
public sealed class RecordingVisitor : DockOpt.Engine.Images.IImageVisitor
{
    public sealed record Rec(string Blob, string Path, DockOpt.Engine.Images.LayerEntryKind Kind, long Size, int Mode, int Uid, int Gid,
        string? Link, bool Escapes, bool Sparse, ulong Hash, string? Sha, string Name);
    public List<Rec> Entries { get; } = new();
    public List<(DockOpt.Engine.Images.LayerBlob Blob, DockOpt.Engine.Images.LayerDigest Digest)> Layers { get; } = new();
    public DockOpt.Engine.Images.ImageContents? Image { get; private set; }
    public bool WantSha { get; init; }
    public Func<DockOpt.Engine.Images.LayerBlob, bool>? Want { get; init; }

    public DockOpt.Engine.Images.ILayerVisitor? BeginLayer(DockOpt.Engine.Images.LayerBlob blob) =>
        Want == null || Want(blob) ? new L(this, blob) : null;

    public void EndLayer(DockOpt.Engine.Images.LayerBlob blob, DockOpt.Engine.Images.LayerDigest digest) => Layers.Add((blob, digest));
    public void EndImage(DockOpt.Engine.Images.ImageContents image) => Image = image;

    sealed class L : DockOpt.Engine.Images.ILayerVisitor
    {
        readonly RecordingVisitor _o;
        readonly DockOpt.Engine.Images.LayerBlob _b;
        public L(RecordingVisitor o, DockOpt.Engine.Images.LayerBlob b) { _o = o; _b = b; }
        public void OnEntry(DockOpt.Engine.Images.LayerEntry e)
        {
            string? sha = _o.WantSha ? e.Content.GetSha256() : null;
            _o.Entries.Add(new Rec(_b.Key, e.Path, e.Kind, e.Size, e.Mode, e.Uid, e.Gid, e.LinkTarget, e.Escapes, e.IsSparse,
                e.Content.GetContentHash(), sha, e.Name));
        }
    }
}
