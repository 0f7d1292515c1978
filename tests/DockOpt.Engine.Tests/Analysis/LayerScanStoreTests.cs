using DockOpt.Engine.Analysis;
using DockOpt.Engine.Images;
using DockOpt.Engine.Tests.Images;

namespace DockOpt.Engine.Tests.Analysis;

/// <summary>The layer scans and images kept on disk between sessions: a new session measures a known image without reading it.</summary>
public class LayerScanStoreTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("dockopt-layerstore-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    static byte[] Bytes(int n, byte seed) => Enumerable.Range(0, n).Select(i => (byte)(i * 31 + seed)).ToArray();

    static async Task<AnalysisResult> Analyze(byte[] save, LayerScanCache cache, string imageId, int[] reads)
    {
        var r = await new ImageAnalyzer(NullSink.Instance, cache).AnalyzeAsync(new ImageAnalyzer.Request
        {
            Source = ImageSource.FromStream(_ => { reads[0]++; return Task.FromResult<Stream>(new MemoryStream(save)); }, "test"),
            Name = "test",
            ImageId = imageId,
            SourceKind = "Archive",
        }, CancellationToken.None);
        return r;
    }

    [Fact]
    public async Task A_new_session_measures_a_known_image_from_the_store_without_reading_it_and_gets_the_same_figures()
    {
        var l0 = new LayerBuilder().File("usr/bin/tool", Bytes(5000, 1)).Symlink("bin", "usr/bin").File("tmp/x", Bytes(300, 2)).Build();
        var l1 = new LayerBuilder().Whiteout("tmp/x").File("app/a", Bytes(70, 3)).Build();
        var save = TestArchives.DockerSave(l0, l1);
        var reads = new int[1];
        var first = await Analyze(save, new LayerScanCache { Store = new LayerScanStore(_dir) }, "", reads);
        Assert.Equal(1, reads[0]);
        var imageId = first.Analysis.ImageId;
        Assert.StartsWith("sha256:", imageId);
        Assert.Equal(3, Directory.GetFiles(_dir).Length); // two scans and the image

        // Another session (a new cache over the same folder): no read at all.
        var second = await Analyze(save, new LayerScanCache { Store = new LayerScanStore(_dir) }, imageId, reads);
        Assert.Equal(1, reads[0]);
        Assert.Equal(2, second.Analysis.CachedLayers);
        foreach (var p in new Func<ImageAnalysis, object>[] { a => a.TotalSize, a => a.FinalSize, a => a.ReclaimableBytes, a => a.FileCount, a => a.Score, a => a.DiveWastedBytes })
            Assert.Equal(p(first.Analysis), p(second.Analysis));
        Assert.Equal(first.Analysis.Layers.Select(l => (l.Size, l.FilesAdded, l.FilesRemoved)), second.Analysis.Layers.Select(l => (l.Size, l.FilesAdded, l.FilesRemoved)));
        Assert.Equal(first.Config.User, second.Config.User);
    }

    [Fact]
    public void A_damaged_or_foreign_file_is_a_miss_and_a_scan_round_trips()
    {
        var store = new LayerScanStore(_dir);
        var id = "sha256:" + new string('a', 64);
        var scan = new LayerScan
        {
            DiffId = id, TarLength = 4096, Size = 12,
            Entries = new[] { new FileRecord("etc/x", LayerEntryKind.RegularFile, 12, 0x1A4, 1, 2, 99UL, null), new FileRecord("bin", LayerEntryKind.Symlink, 0, 0x1FF, 0, 0, 0, "usr/bin") },
            Problems = new[] { "odd" },
        };
        store.Save(scan);
        var back = store.TryLoad(id)!;
        Assert.Equal((4096L, 12L, "odd"), (back.TarLength, back.Size, back.Problems.Single()));
        Assert.Equal(scan.Entries.Select(e => (e.Path, e.Kind, e.Size, e.Mode, e.Uid, e.Gid, e.Hash, e.Link)), back.Entries.Select(e => (e.Path, e.Kind, e.Size, e.Mode, e.Uid, e.Gid, e.Hash, e.Link)));
        File.WriteAllBytes(Path.Combine(_dir, new string('a', 64) + ".scan"), new byte[] { 1, 2, 3 });
        Assert.Null(store.TryLoad(id));
        Assert.Null(store.TryLoad("not-a-digest"));
        Assert.Null(new LayerScanStore(Path.Combine(_dir, "missing")).TryLoad(id));
    }
}
