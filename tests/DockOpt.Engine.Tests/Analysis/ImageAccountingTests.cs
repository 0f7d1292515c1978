using DockOpt.Engine.Analysis;
using DockOpt.Engine.Images;
using DockOpt.Engine.Tests.Images;

namespace DockOpt.Engine.Tests.Analysis;

public class ImageAccountingTests
{
    static byte[] Bytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    static async Task<AnalysisResult> Analyze(byte[][] layers, LayerScanCache? cache = null, string[]? ignore = null, bool verify = true)
    {
        var save = TestArchives.DockerSave(layers);
        var analyzer = new ImageAnalyzer(NullSink.Instance, cache);
        return await analyzer.AnalyzeAsync(new ImageAnalyzer.Request
        {
            Source = ImageSource.FromStream(_ => Task.FromResult<Stream>(new MemoryStream(save)), "test"),
            Name = "test",
            SourceKind = "Archive",
            IgnorePaths = ignore,
            VerifyDiffIds = verify,
            ResolveBase = (_, _, _) => Task.FromResult(new BaseLayers { Count = 1, Source = "BaseImage" }),
        }, CancellationToken.None);
    }

    [Fact]
    public async Task OpaqueDirectory_HidesLowerTree_KeepsSameLayerEntries()
    {
        var l0 = new LayerBuilder().Dir("app/").File("app/a", Bytes(1000, 1)).Dir("app/sub/").File("app/sub/b", Bytes(2000, 2)).File("keep", Bytes(10, 3)).Build();
        var l1 = new LayerBuilder().Dir("app/").Opaque("app").File("app/c", Bytes(300, 4)).Build();
        var r = await Analyze(new[] { l0, l1 });
        var a = r.Analysis;
        Assert.Equal(3010 + 300, a.TotalSize);
        Assert.Equal(310, a.FinalSize);
        Assert.Equal(3000, a.ReclaimableBytes);
        Assert.All(a.Waste, w => Assert.Equal(WasteCause.HiddenByOpaqueDirectory, w.Cause));
        Assert.Equal(new[] { "/app/sub/b", "/app/a" }, a.Waste.Select(w => w.Path));
        Assert.Equal(2, a.Layers[1].FilesRemoved);
        Assert.Equal(3000, a.Layers[1].BytesDeleted);
        Assert.True(r.FileSystem.ContainsKey("app/c"));
        Assert.False(r.FileSystem.ContainsKey("app/sub"));
        // Own layers only: layer 1 stores no waste.
        Assert.Equal(0, a.OwnReclaimableBytes);
        Assert.Equal(0, a.UserWastedPercent);
    }

    [Fact]
    public async Task DirectoryWhiteout_DeletesSubtree_AndDiveWeighsIt()
    {
        var l0 = new LayerBuilder().File("d/x", Bytes(500, 1)).File("d/e/y", Bytes(700, 2)).Build();
        var l1 = new LayerBuilder().Whiteout("d").Build();
        var a = (await Analyze(new[] { l0, l1 })).Analysis;
        Assert.Equal(1200, a.ReclaimableBytes);
        Assert.All(a.Waste, w => Assert.Equal(WasteCause.DeletedLater, w.Cause));
        Assert.Equal(0, a.FinalSize);
        Assert.Equal(2, a.Layers[1].FilesRemoved);
        // dive: paths d/x, d/e/y once each (m = C); the whiteout at 'd' weighs the lower subtree (1200) once: E = 1.
        Assert.Equal(1.0, a.DiveEfficiency);
        Assert.Equal(0, a.DiveWastedBytes);
        Assert.Equal(Math.Round(1 - 1200.0 / 1200, 6), a.Efficiency);
    }

    [Fact]
    public async Task Hardlinks_CountOnce_AndKeepTheirContentVisible()
    {
        var content = Bytes(4000, 9);
        var l0 = new LayerBuilder().File("bin/a", content).Hardlink("bin/b", "bin/a").Build();
        var l1 = new LayerBuilder().Whiteout("bin/a").Build();
        var a = (await Analyze(new[] { l0, l1 })).Analysis;
        Assert.Equal(4000, a.Layers[0].Size);      // overlay2 counts the inode once
        Assert.Equal(4000, a.FinalSize);           // still visible through bin/b
        Assert.Equal(0, a.ReclaimableBytes);
        Assert.Equal(0, a.DuplicateBytes);         // a hard link is not a duplicate
        Assert.Equal(1, a.FileCount);
    }

    [Fact]
    public async Task SymlinksCountTargetLength_AndCanBeWasted()
    {
        var l0 = new LayerBuilder().Symlink("lib/libx.so", "libx.so.1.2.3").Build();
        var l1 = new LayerBuilder().Symlink("lib/libx.so", "libx.so.2").Build();
        var a = (await Analyze(new[] { l0, l1 })).Analysis;
        Assert.Equal(13, a.Layers[0].Size);
        Assert.Equal(9, a.Layers[1].Size);
        Assert.Equal(0, a.FinalSize);
        var w = Assert.Single(a.Waste);
        Assert.Equal(13, w.Bytes);
        Assert.Equal(WasteCause.Overwritten, w.Cause);
    }

    [Fact]
    public async Task RewriteKinds_AreTold_Apart()
    {
        var same = Bytes(100, 1);
        var l0 = new LayerBuilder().File("m", same, mode: 0x1A4).File("i", same).File("o", Bytes(50, 2)).Build();
        var l1 = new LayerBuilder().File("m", same, mode: 0x180).File("i", same).File("o", Bytes(60, 3)).Build();
        var a = (await Analyze(new[] { l0, l1 })).Analysis;
        var causes = a.Waste.ToDictionary(w => w.Path, w => w.Cause);
        Assert.Equal(WasteCause.MetadataOnlyRewrite, causes["/m"]);
        Assert.Equal(WasteCause.OverwrittenWithIdenticalContent, causes["/i"]);
        Assert.Equal(WasteCause.Overwritten, causes["/o"]);
        Assert.Equal(250, a.ReclaimableBytes);
        Assert.Equal(260, a.FinalSize);
        Assert.Equal(100, a.DuplicateBytes); // m and i hold the same 100 bytes in the final filesystem
        // dive counts the smallest copy as kept: o is 50 then 60, so dive says 60 wasted where 50 is reclaimable.
        Assert.Equal(Math.Round((100 + 100 + 50) / 510.0, 6), a.DiveEfficiency);
        Assert.Equal(510, a.DiveWastedBytes);
    }

    [Fact]
    public async Task IgnorePaths_LeaveWasteOutOfTheFigures()
    {
        var l0 = new LayerBuilder().File("var/log/a.log", Bytes(100, 1)).File("tmp/x", Bytes(10, 2)).Build();
        var l1 = new LayerBuilder().Whiteout("var/log/a.log").Whiteout("tmp/x").Build();
        var a = (await Analyze(new[] { l0, l1 }, ignore: new[] { "/var/log/**" })).Analysis;
        Assert.Equal(10, a.ReclaimableBytes);
        Assert.Equal(100, a.IgnoredReclaimableBytes);
    }

    [Fact]
    public async Task Cache_SkipsKnownLayers_ByFingerprintAndChecksTheDiffId()
    {
        var cache = new LayerScanCache();
        var l0 = new LayerBuilder().File("base", Bytes(5000, 1)).Build();
        var first = await Analyze(new[] { l0, new LayerBuilder().File("one", Bytes(10, 2)).Build() }, cache);
        Assert.Equal(0, first.Analysis.CachedLayers);
        var second = await Analyze(new[] { l0, new LayerBuilder().File("two", Bytes(20, 3)).Build() }, cache);
        Assert.Equal(1, second.Analysis.CachedLayers);
        Assert.True(second.Analysis.Layers[0].FromCache);
        Assert.Equal(5020, second.Analysis.FinalSize);
    }

    [Fact]
    public async Task Cache_WithoutDigestVerification_TakesDiffIdsFromTheConfig()
    {
        var cache = new LayerScanCache();
        var l0 = new LayerBuilder().File("base", Bytes(5000, 1)).Build();
        var l1 = new LayerBuilder().File("one", Bytes(10, 2)).Build();
        var first = await Analyze(new[] { l0, l1 }, cache, verify: false);
        Assert.Equal(new[] { LayerBuilder.Sha(l0), LayerBuilder.Sha(l1) }, first.DiffIds);
        Assert.True(cache.TryGet(LayerBuilder.Sha(l0), out _));
        var second = await Analyze(new[] { l0, new LayerBuilder().File("two", Bytes(20, 3)).Build() }, cache, verify: false);
        Assert.Equal(1, second.Analysis.CachedLayers);
        Assert.Equal(5020, second.Analysis.FinalSize);
    }

    [Fact]
    public async Task FileDiff_ReportsAddedRemovedModified_WithRollups()
    {
        var a = await Analyze(new[] { new LayerBuilder().File("etc/a", "1").File("etc/b", "22").File("usr/lib/x", Bytes(100, 1)).Build() });
        var b = await Analyze(new[] { new LayerBuilder().File("etc/a", "1", mode: 0x180).File("usr/lib/x", Bytes(150, 2)).File("usr/lib/y", "new").Build() });
        var changes = ImageFileDiff.Compare(a.FileSystem, b.FileSystem, rollupDepth: 2);
        var files = changes.Where(c => !c.IsRollup).ToDictionary(c => c.Path);
        Assert.Equal("Modified", files["/etc/a"].Change);
        Assert.True(files["/etc/a"].ModeChanged);
        Assert.False(files["/etc/a"].ContentChanged);
        Assert.Equal("0600", files["/etc/a"].NewMode);
        Assert.Equal("Removed", files["/etc/b"].Change);
        Assert.Equal(-2, files["/etc/b"].SizeDelta);
        Assert.True(files["/usr/lib/x"].ContentChanged);
        Assert.Equal(50, files["/usr/lib/x"].SizeDelta);
        Assert.Equal("Added", files["/usr/lib/y"].Change);
        var usr = changes.Single(c => c.IsRollup && c.Path == "/usr/lib");
        Assert.Equal(53, usr.SizeDelta);
        Assert.Equal(1, usr.FilesAdded);
        Assert.Equal(1, usr.FilesModified);
    }

    [Theory]
    [InlineData("/var/log/**", "/var/log/a/b.log", true)]
    [InlineData("/var/log/**", "/var/logs", false)]
    [InlineData("*.pyc", "/usr/lib/x.pyc", true)]
    [InlineData("/tmp", "/tmp/x", true)]
    [InlineData("/a/?.txt", "/a/bb.txt", false)]
    public void Globs(string glob, string path, bool match) => Assert.Equal(match, GlobSet.Create(new[] { glob }).IsMatch(path));

    [Fact]
    public void GateFiles_DiveCiAndDockoptYml()
    {
        var dir = Path.Combine(Path.GetTempPath(), "dockopt-analysis-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, ".dive-ci"), "rules:\n  lowestEfficiency: 0.95 # comment\n  highestWastedBytes: 20MB\n  highestUserWastedPercent: 0.20\n");
            var g = AnalysisGates.FromFiles(dir, null);
            Assert.Equal(0.95, g.LowestEfficiency);
            Assert.Equal(20_000_000, g.HighestReclaimableBytes);
            Assert.Equal(20.0, g.HighestUserWastedPercent!.Value, 6);
            File.WriteAllText(Path.Combine(dir, ".dockopt.yml"), "analysis:\n  highestReclaimableBytes: 5MiB\n  minimumScore: 70\n  ignorePaths:\n  - /var/cache/**\n  - '*.log'\nother:\n  x: 1\n");
            g = AnalysisGates.FromFiles(dir, null);
            Assert.Equal(5L * 1024 * 1024, g.HighestReclaimableBytes);
            Assert.Equal(70, g.MinimumScore);
            Assert.Equal(new[] { "/var/cache/**", "*.log" }, g.IgnorePaths);
            Assert.Equal(0.95, g.LowestEfficiency);
            File.WriteAllText(Path.Combine(dir, ".dockopt.yml"), "analysis:\n  lowestEfficiency: 2\n");
            Assert.Equal("AnalysisConfigInvalid", Assert.Throws<DockOptException>(() => AnalysisGates.FromFiles(dir, null)).ErrorId);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
