using System.Formats.Tar;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Tests.Images;

public class ImageReaderTests
{
    static byte[] Base() => new LayerBuilder()
        .Dir("bin/").File("bin/app", "hello world", mode: 0x1ED, uid: 1000, gid: 1001)
        .Symlink("bin/sh", "/bin/busybox").Dir("etc/").File("etc/conf", "a=1")
        .Build();

    static byte[] Top() => new LayerBuilder()
        .Whiteout("etc/conf").Opaque("bin").File("bin/new", "new").Hardlink("bin/new2", "./bin/new")
        .Build();

    static async Task<RecordingVisitor> Read(ImageSource src, RecordingVisitor? v = null)
    {
        v ??= new RecordingVisitor();
        await ImageReader.ReadAsync(src, v, CancellationToken.None);
        return v;
    }

    static ImageSource Bytes(byte[] b) => ImageSource.FromStream(_ => Task.FromResult<Stream>(new MemoryStream(b)), "test");

    [Fact]
    public async Task DockerSave_LayersBeforeManifest_ResolvedInOrderWithDiffIds()
    {
        var l0 = Base();
        var l1 = Top();
        var v = await Read(Bytes(TestArchives.DockerSave(l0, l1)));
        // Archive order is reversed (top layer first); the image's layer order comes from manifest.json at the end.
        Assert.Equal(LayerBuilder.Sha(l1), v.Layers[0].Digest.DiffId);
        Assert.Equal(-1, v.Layers[0].Blob.ExpectedIndex);
        Assert.NotNull(v.Image);
        Assert.Equal(new[] { LayerBuilder.Sha(l0), LayerBuilder.Sha(l1) }, v.Image!.Layers.Select(l => l.DiffId));
        Assert.Equal(ImageArchiveFormat.DockerSave, v.Image.Format);
        Assert.Equal(new[] { "test/image:1" }, v.Image.RepoTags);
        Assert.Equal(l0.Length, v.Layers[1].Digest.TarLength);
        Assert.Equal(LayerCompression.None, v.Layers[0].Blob.Compression);
    }

    [Fact]
    public async Task Entries_CarryTypeSizeModeOwnerLinkAndHash()
    {
        var v = await Read(Bytes(TestArchives.DockerSave(Base(), Top())), new RecordingVisitor { WantSha = true });
        var app = v.Entries.Single(e => e.Path == "bin/app");
        Assert.Equal(LayerEntryKind.RegularFile, app.Kind);
        Assert.Equal(11, app.Size);
        Assert.Equal(0x1ED, app.Mode);
        Assert.Equal(1000, app.Uid);
        Assert.Equal(1001, app.Gid);
        Assert.Equal(XxHash3.HashToUInt64("hello world"u8), app.Hash);
        Assert.Equal("sha256:" + Convert.ToHexString(SHA256.HashData("hello world"u8)).ToLowerInvariant(), app.Sha);
        var sh = v.Entries.Single(e => e.Path == "bin/sh");
        Assert.Equal(LayerEntryKind.Symlink, sh.Kind);
        Assert.Equal("/bin/busybox", sh.Link);
        Assert.Equal(LayerEntryKind.Directory, v.Entries.Single(e => e.Path == "bin" && e.Kind == LayerEntryKind.Directory).Kind);
    }

    [Fact]
    public async Task Whiteouts_OpaqueDirectories_AndHardlinks_AreRecognised()
    {
        var v = await Read(Bytes(TestArchives.DockerSave(Base(), Top())));
        var wh = v.Entries.Single(e => e.Kind == LayerEntryKind.Whiteout);
        Assert.Equal("etc/conf", wh.Path);
        Assert.Equal(0, wh.Size);
        var opq = v.Entries.Single(e => e.Kind == LayerEntryKind.OpaqueWhiteout);
        Assert.Equal("bin", opq.Path);
        var hl = v.Entries.Single(e => e.Kind == LayerEntryKind.Hardlink);
        Assert.Equal("bin/new2", hl.Path);
        Assert.Equal("bin/new", hl.Link);
    }

    [Fact]
    public async Task DotDotEscapes_AreReportedNotFollowed()
    {
        var layer = new LayerBuilder().File("../../etc/passwd", "evil").File("a/../b", "ok").Hardlink("c", "../../../etc/shadow").Build();
        var v = await Read(Bytes(TestArchives.DockerSave(layer)));
        var evil = v.Entries.Single(e => e.Name.Contains("passwd"));
        Assert.True(evil.Escapes);
        Assert.Equal("../../etc/passwd", evil.Path);
        var ok = v.Entries.Single(e => e.Path == "b");
        Assert.False(ok.Escapes);
        var c = v.Entries.Single(e => e.Path == "c");
        Assert.True(c.Escapes);
        Assert.Equal(LayerEntryKind.Hardlink, c.Kind);
    }

    [Theory]
    [InlineData(TarEntryFormat.Pax)]
    [InlineData(TarEntryFormat.Gnu)]
    public async Task LongNames_PaxAndGnu_AreRead(TarEntryFormat format)
    {
        var longName = string.Join('/', Enumerable.Range(0, 30).Select(i => "directory" + i)) + "/file.txt";
        var longTarget = string.Join('/', Enumerable.Range(0, 20).Select(i => "target" + i));
        var layer = new LayerBuilder(format).File(longName, "x").Symlink("link", longTarget).Build();
        var v = await Read(Bytes(TestArchives.DockerSave(layer)));
        Assert.Contains(v.Entries, e => e.Path == longName && e.Size == 1);
        Assert.Contains(v.Entries, e => e.Path == "link" && e.Link == longTarget);
        Assert.True(longName.Length > 255);
    }

    [Fact]
    public async Task PaxSparseFile_ReportsRealNameAndLogicalSize()
    {
        var e = new PaxTarEntry(TarEntryType.RegularFile, "GNUSparseFile.0/sparse.img", new Dictionary<string, string>
        {
            ["GNU.sparse.major"] = "1",
            ["GNU.sparse.minor"] = "0",
            ["GNU.sparse.name"] = "data/sparse.img",
            ["GNU.sparse.realsize"] = "1048576",
        }) { DataStream = new MemoryStream(new byte[1024]) };
        var layer = new LayerBuilder().Raw(e).Build();
        var v = await Read(Bytes(TestArchives.DockerSave(layer)));
        var s = v.Entries.Single();
        Assert.Equal("data/sparse.img", s.Path);
        Assert.True(s.Sparse);
        Assert.Equal(1048576, s.Size);
    }

    [Fact]
    public async Task OciLayoutDirectory_GzipAndZstd_ManifestFirstWithExpectedDiffIds()
    {
        var l0 = Base();
        var l1 = Top();
        foreach (var (compress, suffix, kind) in new (Func<byte[], byte[]>, string, LayerCompression)[]
                 {
                     (LayerBuilder.Gzip, "+gzip", LayerCompression.Gzip),
                     (LayerBuilder.Zstd, "+zstd", LayerCompression.Zstd),
                 })
        {
            var dir = TestArchives.WriteDir(TestArchives.OciLayout(new[] { l0, l1 }, compress, suffix));
            try
            {
                var v = await Read(ImageSource.FromPath(dir));
                Assert.Equal(2, v.Layers.Count);
                Assert.All(v.Layers, l => Assert.Equal(kind, l.Blob.Compression));
                Assert.Equal(LayerBuilder.Sha(l0), v.Layers[0].Blob.ExpectedDiffId);
                Assert.Equal(0, v.Layers[0].Blob.ExpectedIndex);
                Assert.Equal(LayerBuilder.Sha(l0), v.Layers[0].Digest.DiffId);
                Assert.Equal(LayerBuilder.Sha(compress(l1)), v.Layers[1].Blob.BlobDigest);
                Assert.Equal(ImageArchiveFormat.OciLayout, v.Image!.Format);
                Assert.Equal(new[] { LayerBuilder.Sha(l0), LayerBuilder.Sha(l1) }, v.Image.Layers.Select(l => l.DiffId));
                Assert.Contains(v.Entries, e => e.Path == "bin/app" && e.Size == 11);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }
    }

    [Fact]
    public async Task OciArchiveTar_BlobsSniffed_IndexLast()
    {
        var l0 = Base();
        var l1 = new byte[1024]; // an empty layer: two zero blocks, no ustar magic
        var archive = TestArchives.OciArchive(TestArchives.OciLayout(new[] { l0, l1 }));
        var path = Path.GetTempFileName();
        File.WriteAllBytes(path, archive);
        try
        {
            var v = await Read(ImageSource.FromArchive(path));
            Assert.Equal(new[] { LayerBuilder.Sha(l0), LayerBuilder.Sha(l1) }, v.Image!.Layers.Select(l => l.DiffId));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Docker25Archive_OciBlobsWithManifestJson()
    {
        var l0 = Base();
        var l1 = Top();
        var files = TestArchives.OciLayout(new[] { l0, l1 });
        var config = TestArchives.Config(new[] { l0, l1 });
        var layers = new[] { "blobs/sha256/" + LayerBuilder.Sha(l0).Substring(7), "blobs/sha256/" + LayerBuilder.Sha(l1).Substring(7) };
        var archive = TestArchives.OciArchive(files, "blobs/sha256/" + LayerBuilder.Sha(config).Substring(7), layers);
        var v = await Read(Bytes(archive));
        Assert.Equal(ImageArchiveFormat.OciLayout, v.Image!.Format);
        Assert.Equal(new[] { "app:25" }, v.Image.RepoTags);
        Assert.Equal(new[] { LayerBuilder.Sha(l0), LayerBuilder.Sha(l1) }, v.Image.Layers.Select(l => l.DiffId));
        Assert.Equal(LayerBuilder.Sha(config), v.Image.ConfigDigest);
    }

    [Fact]
    public async Task SkippedLayer_StillDigested()
    {
        var l0 = Base();
        var v = await Read(Bytes(TestArchives.DockerSave(l0)), new RecordingVisitor { Want = _ => false });
        Assert.Empty(v.Entries);
        Assert.False(v.Layers[0].Digest.Visited);
        Assert.Equal(LayerBuilder.Sha(l0), v.Layers[0].Digest.DiffId);
    }

    [Fact]
    public async Task PartlyReadContent_HashStillCoversAll()
    {
        var big = new byte[300_000];
        new Random(1).NextBytes(big);
        var layer = new LayerBuilder().File("big", big).File("after", "z").Build();
        ulong hash = 0;
        var sawAfter = false;
        var visitor = new DelegateImageVisitor
        {
            OnEntry = (_, e) =>
            {
                if (e.Path == "big")
                {
                    var buf = new byte[100];
                    e.Content.ReadExactly(buf);
                    hash = e.Content.GetContentHash();
                }
                if (e.Path == "after") sawAfter = true;
            },
        };
        await ImageReader.ReadAsync(Bytes(TestArchives.DockerSave(layer)), visitor, CancellationToken.None);
        Assert.Equal(XxHash3.HashToUInt64(big), hash);
        Assert.True(sawAfter);
    }

    [Fact]
    public async Task TamperedLayer_DigestMismatch()
    {
        var l0 = Base();
        var save = TestArchives.DockerSave(l0);
        // Flip a byte inside the file content "hello world" of the stored layer.
        var idx = IndexOf(save, Encoding.ASCII.GetBytes("hello world"));
        save[idx] = (byte)'j';
        var ex = await Assert.ThrowsAsync<DockOptException>(() => Read(Bytes(save)));
        Assert.Equal("ImageLayerDigestMismatch", ex.ErrorId);
    }

    [Fact]
    public async Task NotAnArchive_ClearError()
    {
        var ex = await Assert.ThrowsAsync<DockOptException>(() => Read(Bytes(Encoding.ASCII.GetBytes(new string('x', 2000)))));
        Assert.Equal("ImageArchiveInvalid", ex.ErrorId);
        var ex2 = await Assert.ThrowsAsync<DockOptException>(() => Read(ImageSource.FromArchive("/nonexistent/x.tar")));
        Assert.Equal("ImageArchiveNotFound", ex2.ErrorId);
    }

    [Theory]
    [InlineData("./a//b/", "a/b", false)]
    [InlineData("/usr/bin", "usr/bin", false)]
    [InlineData("a/../../x", "x", true)]
    [InlineData("usr/./lib/../bin", "usr/bin", false)]
    [InlineData(".", "", false)]
    public void NormalizePath(string name, string path, bool escapes)
    {
        var (p, e) = LayerTarReader.NormalizePath(name);
        Assert.Equal(escapes, e);
        if (!escapes) Assert.Equal(path, p);
    }

    static int IndexOf(byte[] hay, byte[] needle)
    {
        for (var i = 0; i <= hay.Length - needle.Length; i++)
            if (hay.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        return -1;
    }
}
