using System.Diagnostics;
using System.Formats.Tar;
using System.Text.Json;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Tests.Images;

/// <summary>
/// Archives written by the real tools (tests/data/archives/README.md says which tool, version and command wrote each):
/// dive's own test archives (kaniko, docker save, OCI archives), and docker save, skopeo (docker-archive, oci-archive,
/// oci:, dir:), podman (save in both formats, its Docker-compatible API's export) of one small image whose diff IDs
/// <c>docker image inspect</c> recorded, and a two-platform index written by podman manifest push and skopeo copy --all.
/// Each archive is read from its file (manifest first, seeking) and as a stream (one forward pass).
/// </summary>
public class ArchiveWriterTests
{
    internal static string DataDir
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            {
                var p = Path.Combine(d.FullName, "tests", "data", "archives");
                if (Directory.Exists(p)) return p;
            }
            throw new DirectoryNotFoundException("tests/data/archives not found above " + AppContext.BaseDirectory);
        }
    }

    static string Data(params string[] parts) => Path.Combine(new[] { DataDir }.Concat(parts).ToArray());

    static async Task<RecordingVisitor> Read(ImageSource src, string? platform = null)
    {
        var v = new RecordingVisitor();
        await ImageReader.ReadAsync(src, v, new ImageReadOptions { Platform = platform }, CancellationToken.None);
        return v;
    }

    static ImageSource Stream(string path) =>
        ImageSource.FromStream(_ => Task.FromResult<Stream>(new NonSeekable(File.OpenRead(path))), path);

    /// <summary>A regular file of a tar, read with System.Formats.Tar independently of the reader under test.</summary>
    static byte[] TarMember(string path, string name)
    {
        using var r = new TarReader(File.OpenRead(path));
        while (r.GetNextEntry() is { } e)
            if (e.Name == name && e.DataStream != null)
            {
                var ms = new MemoryStream();
                e.DataStream.CopyTo(ms);
                return ms.ToArray();
            }
        throw new FileNotFoundException(name + " not in " + path);
    }

    static string[] DiffIds(byte[] config)
    {
        using var doc = JsonDocument.Parse(config);
        return doc.RootElement.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(x => x.GetString()!).ToArray();
    }

    // ---- dive's test archives ----

    [Fact]
    public async Task Kaniko_DiveTestArchive_ConfigFirstNamedByDigest_LayersTarGz()
    {
        var path = Data("dive", "test-kaniko-image.tar");
        var manifest = JsonDocument.Parse(TarMember(path, "manifest.json")).RootElement[0];
        var configName = manifest.GetProperty("Config").GetString()!;
        Assert.StartsWith("sha256:ae16", configName);
        var diffIds = DiffIds(TarMember(path, configName));
        var layerNames = manifest.GetProperty("Layers").EnumerateArray().Select(x => x.GetString()!).ToArray();
        Assert.Equal(14, layerNames.Length);
        foreach (var src in new[] { ImageSource.FromArchive(path), Stream(path) })
        {
            var v = await Read(src);
            Assert.Equal(diffIds, v.Image!.Layers.Select(l => l.DiffId));
            Assert.Equal(layerNames, v.Image.Layers.Select(l => l.Key));
            Assert.Equal(configName, v.Image.ConfigDigest);
            Assert.Equal(new[] { "dive-test:kaniko-latest" }, v.Image.RepoTags);
            Assert.Equal(ImageArchiveFormat.DockerSave, v.Image.Format);
            Assert.All(v.Layers, l => Assert.Equal(LayerCompression.Gzip, l.Blob.Compression));
            Assert.Contains(v.Entries, e => e.Path == "somefile.txt");
        }
        // From the file, the manifest is read first: layers come in image order with their index and expected diff ID.
        var f = await Read(ImageSource.FromArchive(path));
        Assert.Equal(Enumerable.Range(0, 14), f.Layers.Select(l => l.Blob.ExpectedIndex));
        Assert.Equal(diffIds, f.Layers.Select(l => l.Blob.ExpectedDiffId));
    }

    [Fact]
    public async Task DockerSaveLegacy_DiveTestArchive_WhiteoutsAndOrder()
    {
        var path = Data("dive", "test-docker-image.tar");
        var manifest = JsonDocument.Parse(TarMember(path, "manifest.json")).RootElement[0];
        var diffIds = DiffIds(TarMember(path, manifest.GetProperty("Config").GetString()!));
        foreach (var src in new[] { ImageSource.FromArchive(path), Stream(path) })
        {
            var v = await Read(src);
            Assert.Equal(diffIds, v.Image!.Layers.Select(l => l.DiffId));
            Assert.Equal(ImageArchiveFormat.DockerSave, v.Image.Format);
            Assert.Contains(v.Entries, e => e.Kind == LayerEntryKind.Whiteout);
        }
    }

    [Theory]
    [InlineData("test-oci-gzip-image.tar", LayerCompression.Gzip)]
    [InlineData("test-oci-zstd-image.tar", LayerCompression.Zstd)]
    [InlineData("test-oci-uncompressed-image.tar", LayerCompression.None)]
    [InlineData("test-oci-estargz-image.tar", LayerCompression.Gzip)]
    public async Task OciArchive_DiveTestArchives(string file, LayerCompression compression)
    {
        var path = Data("dive", file);
        var index = JsonDocument.Parse(TarMember(path, "index.json")).RootElement;
        var manifestDigest = index.GetProperty("manifests")[0].GetProperty("digest").GetString()!;
        var manifest = JsonDocument.Parse(TarMember(path, "blobs/sha256/" + manifestDigest.Substring(7))).RootElement;
        var configDigest = manifest.GetProperty("config").GetProperty("digest").GetString()!;
        var blobs = manifest.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()).ToArray();
        var diffIds = DiffIds(TarMember(path, "blobs/sha256/" + configDigest.Substring(7)));
        foreach (var src in new[] { ImageSource.FromArchive(path), Stream(path) })
        {
            var v = await Read(src);
            Assert.Equal(diffIds, v.Image!.Layers.Select(l => l.DiffId));
            Assert.Equal(blobs, v.Image.Layers.Select(l => l.BlobDigest));
            Assert.Equal(configDigest, v.Image.ConfigDigest);
            Assert.All(v.Layers, l => Assert.Equal(compression, l.Blob.Compression));
        }
    }

    // ---- one image, every writer ----

    /// <summary>The diff IDs <c>docker image inspect</c> gave for dockopt-a-archive/tiny:1 when the archives were written.</summary>
    static string[] TinyDiffIds()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Data("tiny", "docker-image-inspect.json")));
        return doc.RootElement[0].GetProperty("RootFS").GetProperty("Layers").EnumerateArray().Select(x => x.GetString()!).ToArray();
    }

    static string TinyImageId()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Data("tiny", "docker-image-inspect.json")));
        return doc.RootElement[0].GetProperty("Id").GetString()!;
    }

    [Theory]
    [InlineData("docker-save-legacy.tar", ImageArchiveFormat.DockerSave)]
    [InlineData("skopeo-docker-archive.tar", ImageArchiveFormat.DockerSave)]
    [InlineData("podman-docker-archive.tar", ImageArchiveFormat.DockerSave)]
    [InlineData("podman-api-export.tar", ImageArchiveFormat.DockerSave)]
    [InlineData("skopeo-oci-archive.tar", ImageArchiveFormat.OciLayout)]
    [InlineData("podman-oci-archive.tar", ImageArchiveFormat.OciLayout)]
    [InlineData("skopeo-oci-layout", ImageArchiveFormat.OciLayout)]
    [InlineData("podman-oci-dir", ImageArchiveFormat.OciLayout)]
    [InlineData("skopeo-dir", ImageArchiveFormat.SkopeoDir)]
    [InlineData("skopeo-dir-registry", ImageArchiveFormat.SkopeoDir)]
    [InlineData("podman-docker-dir", ImageArchiveFormat.SkopeoDir)]
    public async Task EveryWriter_SameImage_DiffIdsAsDockerInspect(string name, ImageArchiveFormat format)
    {
        var path = Data("tiny", name);
        var sources = Directory.Exists(path)
            ? new[] { ImageSource.FromPath(path) }
            : new[] { ImageSource.FromPath(path), Stream(path) };
        foreach (var src in sources)
        {
            var v = await Read(src);
            Assert.Equal(TinyDiffIds(), v.Image!.Layers.Select(l => l.DiffId));
            // skopeo and podman rewrite the config when they convert to OCI; the other formats keep Docker's (the image ID).
            if (format != ImageArchiveFormat.OciLayout) Assert.Equal(TinyImageId(), v.Image.ConfigDigest);
            Assert.Equal(format, v.Image.Format);
            Assert.Equal("1000", v.Image.Config.User);
            // The files the Dockerfile copied, each in its layer.
            var byLayer = v.Image.Layers.ToDictionary(l => l.Key, l => l.Index);
            Assert.Equal(0, byLayer[v.Entries.Single(e => e.Path == "etc/passwd").Blob]);
            Assert.Equal(1, byLayer[v.Entries.Single(e => e.Path == "app/data.txt").Blob]);
            Assert.Equal(2, byLayer[v.Entries.Single(e => e.Path == "app/hello.txt").Blob]);
            Assert.Equal(3, v.Layers.Count);
        }
    }

    [Fact]
    public async Task OciLayout_Reference_PicksTheTag_UnknownTagListsThem()
    {
        var dir = Data("tiny", "skopeo-oci-layout");
        var v = await Read(ImageSource.FromOciLayout(dir, "1"));
        Assert.Equal(TinyDiffIds(), v.Image!.Layers.Select(l => l.DiffId));
        var ex = await Assert.ThrowsAsync<DockOptException>(() => Read(ImageSource.FromOciLayout(dir, "2")));
        Assert.Equal(ErrorIds.ImageNotFound, ex.ErrorId);
        Assert.Contains("it holds 1.", ex.Message);
    }

    [Fact]
    public async Task DockerArchive_Reference_ByTagOrIndex()
    {
        var path = Data("tiny", "skopeo-docker-archive.tar");
        Assert.Equal(TinyDiffIds(), (await Read(ImageSource.FromArchive(path, "dockopt-a-archive/tiny:1"))).Image!.Layers.Select(l => l.DiffId));
        Assert.Equal(TinyDiffIds(), (await Read(ImageSource.FromArchive(path, "@0"))).Image!.Layers.Select(l => l.DiffId));
        var ex = await Assert.ThrowsAsync<DockOptException>(() => Read(ImageSource.FromArchive(path, "other:2")));
        Assert.Equal(ErrorIds.ImageNotFound, ex.ErrorId);
        Assert.Contains("dockopt-a-archive/tiny:1", ex.Message);
    }

    [Fact]
    public async Task DockerSave_TwoImages_PickedByTagOrIndex_FirstByDefault()
    {
        var path = Data("two", "docker-save-two-images.tar");
        var manifest = JsonDocument.Parse(TarMember(path, "manifest.json")).RootElement;
        Assert.Equal(2, manifest.GetArrayLength());
        var dpkgDiffIds = DiffIds(TarMember(path, manifest[1].GetProperty("Config").GetString()!));
        Assert.Equal(TinyDiffIds(), (await Read(ImageSource.FromArchive(path))).Image!.Layers.Select(l => l.DiffId));
        foreach (var reference in new[] { "dockopt-a-archive/dpkg:1", "@1" })
        {
            var v = await Read(ImageSource.FromArchive(path, reference));
            Assert.Equal(dpkgDiffIds, v.Image!.Layers.Select(l => l.DiffId));
            Assert.Equal(new[] { "dockopt-a-archive/dpkg:1" }, v.Image.RepoTags);
            Assert.Equal(dpkgDiffIds.Length, v.Layers.Count); // the other image's layers are not read
        }
        var ex = await Assert.ThrowsAsync<DockOptException>(() => Read(ImageSource.FromArchive(path, "@2")));
        Assert.Equal(ErrorIds.ImageNotFound, ex.ErrorId);
        Assert.Contains("dockopt-a-archive/tiny:1, dockopt-a-archive/dpkg:1", ex.Message);
    }

    /// <summary>The same entries in another order: manifest first, config last, layers reversed.</summary>
    [Theory]
    [InlineData("dive/test-kaniko-image.tar")]
    [InlineData("tiny/podman-docker-archive.tar")]
    [InlineData("tiny/skopeo-oci-archive.tar")]
    public async Task EntryOrder_DoesNotMatter(string relative)
    {
        var path = Data(relative.Split('/'));
        var expected = (await Read(ImageSource.FromArchive(path))).Image!.Layers.Select(l => l.DiffId).ToArray();
        var entries = new List<(TarEntry Entry, byte[] Data)>();
        using (var r = new TarReader(File.OpenRead(path)))
            while (r.GetNextEntry() is { } e)
            {
                var ms = new MemoryStream();
                e.DataStream?.CopyTo(ms);
                entries.Add((e, ms.ToArray()));
            }
        bool IsMeta(string n) => n is "manifest.json" or "index.json";
        var reordered = entries.Where(e => IsMeta(e.Entry.Name)).Concat(entries.Where(e => !IsMeta(e.Entry.Name)).Reverse()).ToList();
        var tmp = Path.GetTempFileName();
        try
        {
            using (var fs = File.Create(tmp))
            using (var w = new TarWriter(fs, TarEntryFormat.Pax))
                foreach (var (e, data) in reordered)
                {
                    var copy = new PaxTarEntry(e.EntryType, e.Name) { Mode = e.Mode };
                    if (e.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink) copy.LinkName = e.LinkName;
                    if (e.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile) copy.DataStream = new MemoryStream(data);
                    w.WriteEntry(copy);
                }
            Assert.True(IsMeta(new TarReader(File.OpenRead(tmp)).GetNextEntry()!.Name));
            Assert.Equal(expected, (await Read(ImageSource.FromArchive(tmp))).Image!.Layers.Select(l => l.DiffId));
            Assert.Equal(expected, (await Read(Stream(tmp))).Image!.Layers.Select(l => l.DiffId));
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    [SkippableTheory]
    [InlineData("docker-save-legacy.tar")]
    [InlineData("skopeo-docker-archive.tar")]
    [InlineData("podman-docker-archive.tar")]
    public async Task DockerLoad_ThenInspect_AgreesWithTheReader(string name)
    {
        var path = Data("tiny", name);
        Precondition.Require(Docker("version", "--format", "{{.Server.Version}}") != null, "needs a Docker engine to load the archive");
        var present = Docker("image", "inspect", TinyImageId(), "--format", "{{.Id}}") != null;
        var loaded = Docker("load", "-i", path);
        Assert.NotNull(loaded);
        try
        {
            var id = Docker("image", "inspect", TinyImageId(), "--format", "{{.Id}}|{{json .RootFS.Layers}}")!.Split('|');
            var v = await Read(ImageSource.FromArchive(path));
            Assert.Equal(id[0], v.Image!.ConfigDigest);
            Assert.Equal(JsonSerializer.Deserialize<string[]>(id[1]), v.Image.Layers.Select(l => l.DiffId));
        }
        finally
        {
            // Leave the engine as it was: the archives tag dockopt-a-archive/tiny:1 or 127.0.0.1:5000/dockopt-a-archive/tiny:1.
            if (!present) Docker("image", "rm", "-f", TinyImageId());
        }
    }

    /// <summary>
    /// A stream whose layer has no name suffix and no ustar magic (a V7 tar) and comes before the manifest: the pass cannot
    /// tell it is a layer, so it is spooled to a temporary file and read from there once the manifest names it.
    /// </summary>
    [Fact]
    public async Task Stream_UnrecognisableLayerBeforeManifest_SpooledThenRead()
    {
        var layerStream = new MemoryStream();
        using (var w = new TarWriter(layerStream, TarEntryFormat.V7, leaveOpen: true))
            w.WriteEntry(new V7TarEntry(TarEntryType.V7RegularFile, "v7.txt") { DataStream = new MemoryStream("old tar"u8.ToArray()) });
        var layer = layerStream.ToArray();
        Assert.False(layer.AsSpan(257, 5).SequenceEqual("ustar"u8));
        var config = TestArchives.Config(new[] { layer });
        var archive = new MemoryStream();
        using (var w = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true))
        {
            void Add(string name, byte[] data) => w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            Add("somelayer", layer);
            Add("cfg", config);
            Add("manifest.json", System.Text.Encoding.UTF8.GetBytes("[{\"Config\":\"cfg\",\"RepoTags\":[\"v7:1\"],\"Layers\":[\"somelayer\"]}]"));
        }
        var bytes = archive.ToArray();
        var v = await Read(ImageSource.FromStream(_ => Task.FromResult<System.IO.Stream>(new NonSeekable(new MemoryStream(bytes))), "v7"));
        Assert.Equal(new[] { LayerBuilder.Sha(layer) }, v.Image!.Layers.Select(l => l.DiffId));
        Assert.Contains(v.Entries, e => e.Path == "v7.txt" && e.Size == 7);
    }

    [Fact]
    public async Task GzipCompressedArchiveFile_ReadAsAStream()
    {
        var tmp = Path.GetTempFileName();
        try
        {
            using (var src = File.OpenRead(Data("tiny", "podman-docker-archive.tar")))
            using (var dst = new System.IO.Compression.GZipStream(File.Create(tmp), System.IO.Compression.CompressionLevel.Fastest))
                src.CopyTo(dst);
            var v = await Read(ImageSource.FromArchive(tmp));
            Assert.Equal(TinyDiffIds(), v.Image!.Layers.Select(l => l.DiffId));
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    /// <summary>
    /// The reported failure itself: Podman's Docker-compatible API exports an image with its layers as &lt;hex&gt;.tar first
    /// and &lt;v1&gt;/layer.tar links; the engine reader (one pass over the stream) reads it. Starts its own
    /// <c>podman system service</c> on a private socket and stops it.
    /// </summary>
    [SkippableFact]
    public async Task PodmanServiceExport_ReadThroughTheEngineReader()
    {
        Precondition.RequireHost(Run("podman", "--version") != null, "podman is not installed (apt-get install podman)");
        const string name = "127.0.0.1:5000/dockopt-a-archive/tiny:1";
        var present = Run("podman", "image", "exists", name) != null;
        Assert.NotNull(Run("podman", "load", "-q", "-i", Data("tiny", "podman-docker-archive.tar")));
        var socket = Path.Combine(Path.GetTempPath(), "dockopt-a-podman-" + Guid.NewGuid().ToString("N").Substring(0, 8) + ".sock");
        var psi = new ProcessStartInfo("podman") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "system", "service", "--time=0", "unix://" + socket }) psi.ArgumentList.Add(a);
        using var service = Process.Start(psi)!;
        try
        {
            for (var i = 0; i < 100 && !File.Exists(socket); i++) await Task.Delay(100);
            Assert.True(File.Exists(socket), "podman system service did not open its socket");
            using var engine = await DockOpt.Engine.DockerApi.DockerEngine.ConnectAsync(
                new DockOpt.Engine.DockerApi.EngineOptions { Engine = "unix://" + socket }, CancellationToken.None);
            var v = await Read(ImageSource.FromEngine(engine, name));
            Assert.Equal(TinyDiffIds(), v.Image!.Layers.Select(l => l.DiffId));
            Assert.Equal(TinyImageId(), v.Image.ConfigDigest);
            Assert.Equal(ImageArchiveFormat.DockerSave, v.Image.Format);
        }
        finally
        {
            service.Kill(entireProcessTree: true);
            service.WaitForExit(10_000);
            File.Delete(socket);
            if (!present) Run("podman", "rmi", name);
        }
    }

    // ---- multi-platform ----

    public static TheoryData<string> MultiSources => new() { "multi-oci-layout", "multi-oci-archive.tar", "multi-dir", "stream:multi-oci-archive.tar" };

    static ImageSource Multi(string name) =>
        name.StartsWith("stream:") ? Stream(Data("multi", name.Substring(7))) : ImageSource.FromPath(Data("multi", name));

    /// <summary>Blob digests of each platform's layers as <c>skopeo inspect --override-arch</c> listed them from the registry.</summary>
    static string[] SkopeoLayers(string arch)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Data("multi", $"skopeo-inspect-{arch}.json")));
        Assert.Equal(arch, doc.RootElement.GetProperty("Architecture").GetString());
        return doc.RootElement.GetProperty("Layers").EnumerateArray().Select(x => x.GetString()!).ToArray();
    }

    [Theory]
    [MemberData(nameof(MultiSources))]
    public async Task MultiPlatform_PicksThePlatform(string name)
    {
        Assert.NotEqual(SkopeoLayers("amd64"), SkopeoLayers("arm64"));
        foreach (var (platform, arch) in new[]
                 {
                     ((string?)null, "amd64"), ("linux/amd64", "amd64"), ("linux/arm64", "arm64"), ("linux/arm64/v8", "arm64"),
                     ("linux/aarch64", "arm64"), ("linux/x86_64", "amd64"),
                 })
        {
            var v = await Read(Multi(name), platform);
            Assert.Equal(arch, v.Image!.Config.Architecture);
            Assert.Equal(SkopeoLayers(arch), v.Image.Layers.Select(l => l.BlobDigest));
            Assert.Contains(v.Entries, e => e.Path == "arch.txt");
            if (!name.StartsWith("stream:")) Assert.Equal(2, v.Layers.Count); // only the picked platform's layers are read
        }
    }

    [Theory]
    [MemberData(nameof(MultiSources))]
    public async Task MultiPlatform_NoMatch_PlatformNotFoundListsOffers(string name)
    {
        var ex = await Assert.ThrowsAsync<DockOptException>(() => Read(Multi(name), "linux/s390x"));
        Assert.Equal(ErrorIds.PlatformNotFound, ex.ErrorId);
        Assert.Contains("linux/s390x", ex.Message);
        Assert.Contains("linux/amd64", ex.Message);
        Assert.Contains("linux/arm64/v8", ex.Message);
        Assert.Equal(DockOptErrorCategory.ObjectNotFound, ex.Category);
        var bad = await Assert.ThrowsAsync<DockOptException>(() => Read(Multi(name), "arm64"));
        Assert.Equal(ErrorIds.PlatformNotFound, bad.ErrorId);
    }

    /// <summary>
    /// The layout Docker 25+ with the containerd image store saves: manifest.json for the platform it has, and an index.json
    /// whose nested index lists every platform though only the saved one's blobs are stored. Built from the two-platform
    /// OCI layout skopeo wrote, without the arm64 blobs.
    /// </summary>
    [Fact]
    public async Task Docker25StyleArchive_OnePlatformStored_OthersNotFound()
    {
        var dir = Data("multi", "multi-oci-layout");
        byte[] Blob(string digest) => File.ReadAllBytes(Path.Combine(dir, "blobs", "sha256", digest.Substring(7)));
        JsonElement Json(byte[] b) => JsonDocument.Parse(b).RootElement;
        var top = Json(File.ReadAllBytes(Path.Combine(dir, "index.json")));
        var nested = Json(Blob(top.GetProperty("manifests")[0].GetProperty("digest").GetString()!));
        var byArch = nested.GetProperty("manifests").EnumerateArray().ToDictionary(
            m => m.GetProperty("platform").GetProperty("architecture").GetString()!, m => m.GetProperty("digest").GetString()!);
        var amd = Json(Blob(byArch["amd64"]));
        var arm = Json(Blob(byArch["arm64"]));
        static IEnumerable<string> Digests(JsonElement m) =>
            new[] { m.GetProperty("config").GetProperty("digest").GetString()! }
                .Concat(m.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!));
        var keep = Digests(amd).Append(byArch["amd64"]).Append(top.GetProperty("manifests")[0].GetProperty("digest").GetString()!).ToHashSet();
        Assert.Contains(Digests(arm), d => !keep.Contains(d)); // arm64 has blobs of its own, left out
        var manifestJson = JsonSerializer.Serialize(new[]
        {
            new
            {
                Config = "blobs/sha256/" + amd.GetProperty("config").GetProperty("digest").GetString()!.Substring(7),
                RepoTags = new[] { "dockopt-a-archive/multi:1" },
                Layers = amd.GetProperty("layers").EnumerateArray().Select(l => "blobs/sha256/" + l.GetProperty("digest").GetString()!.Substring(7)).ToArray(),
            },
        });
        var tmp = Path.GetTempFileName();
        try
        {
            using (var fs = File.Create(tmp))
            using (var w = new TarWriter(fs, TarEntryFormat.Pax))
            {
                void Add(string name, byte[] data) => w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
                foreach (var d in keep) Add("blobs/sha256/" + d.Substring(7), Blob(d));
                Add("index.json", File.ReadAllBytes(Path.Combine(dir, "index.json")));
                Add("manifest.json", System.Text.Encoding.UTF8.GetBytes(manifestJson));
                Add("oci-layout", File.ReadAllBytes(Path.Combine(dir, "oci-layout")));
            }
            foreach (var src in new[] { ImageSource.FromArchive(tmp), Stream(tmp) })
            {
                var v = await Read(src);
                Assert.Equal("amd64", v.Image!.Config.Architecture);
                Assert.Equal(new[] { "dockopt-a-archive/multi:1" }, v.Image.RepoTags);
                Assert.Equal("amd64", (await Read(src, "linux/amd64")).Image!.Config.Architecture);
                var ex = await Assert.ThrowsAsync<DockOptException>(() => Read(src, "linux/arm64"));
                Assert.Equal(ErrorIds.PlatformNotFound, ex.ErrorId);
                Assert.Contains("offers linux/amd64.", ex.Message);
            }
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    [Fact]
    public async Task SinglePlatformArchive_OtherPlatformAsked_PlatformNotFound()
    {
        var ex = await Assert.ThrowsAsync<DockOptException>(() => Read(ImageSource.FromArchive(Data("tiny", "podman-docker-archive.tar")), "linux/arm64"));
        Assert.Equal(ErrorIds.PlatformNotFound, ex.ErrorId);
        Assert.Contains("linux/amd64", ex.Message);
        var ex2 = await Assert.ThrowsAsync<DockOptException>(() => Read(ImageSource.FromOciLayout(Data("tiny", "skopeo-oci-layout")), "linux/arm64"));
        Assert.Equal(ErrorIds.PlatformNotFound, ex2.ErrorId);
    }

    [Theory]
    [InlineData("linux/arm64", "linux/arm64/v8", true)]
    [InlineData("linux/aarch64", "linux/arm64/8", true)]
    [InlineData("linux/x86_64", "linux/amd64", true)]
    [InlineData("linux/arm", "linux/arm/v7", true)]
    [InlineData("linux/armhf", "linux/arm/7", true)]
    [InlineData("linux/arm/v6", "linux/arm/v7", false)]
    [InlineData("linux/amd64", "windows/amd64", false)]
    public void Platform_NormalisedAsContainerd(string a, string b, bool match)
    {
        var pa = ImagePlatformMatch.TryParse(a)!.Value;
        var pb = ImagePlatformMatch.TryParse(b)!.Value;
        Assert.Equal(match, pa.Matches(pb));
    }

    static string? Docker(params string[] args) => Run("docker", args);

    static string? Run(string tool, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var o = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? o.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Hides CanSeek, as an HTTP body or a pipe does.</summary>
    sealed class NonSeekable : System.IO.Stream
    {
        readonly System.IO.Stream _s;
        public NonSeekable(System.IO.Stream s) => _s = s;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _s.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) _s.Dispose();
            base.Dispose(disposing);
        }
    }
}
