using DockOpt.Engine.Analysis;
using DockOpt.Engine.Analysis.Recommendations;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Tests.Analysis;

public class RecommendationTests
{
    const long MiB = 1024 * 1024;

    static FsNode File(string path, long size, int layer = 1, LayerEntryKind kind = LayerEntryKind.RegularFile) =>
        new() { Path = path, Size = size, Layer = layer, Kind = kind };

    static ImageAnalysis Apply(IEnumerable<FsNode> files, string user = "app", bool healthcheck = true, Action<ImageAnalysis>? tweak = null)
    {
        var a = new ImageAnalysis
        {
            Image = "t:1", TotalSize = 100 * MiB, FinalSize = 100 * MiB, LayerCount = 2,
            Layers = new[] { new LayerAnalysis { Index = 0, IsBaseLayer = true }, new LayerAnalysis { Index = 1 } },
        };
        tweak?.Invoke(a);
        RecommendationEngine.Apply(a, files.ToDictionary(f => f.Path), new ImageConfigSummary { User = user, HasHealthcheck = healthcheck });
        return a;
    }

    [Fact]
    public void TheCatalogueIsFoundByDiscoveryInIdOrderWithAbsoluteHelp()
    {
        var ids = RecommendationCatalog.All.Select(r => r.Id).ToList();
        Assert.Equal(Enumerable.Range(1, 14).Select(i => $"DOA{i:000}"), ids);
        Assert.Equal(ids.Count, RecommendationCatalog.All.Select(r => r.Name).Distinct().Count());
        foreach (var r in RecommendationCatalog.All)
        {
            Assert.True(Uri.TryCreate(r.HelpUri, UriKind.Absolute, out var u) && u.Scheme == "https", r.HelpUri);
            Assert.EndsWith("/docs/rules/analysis.md#" + r.Id.ToLowerInvariant(), r.HelpUri);
            Assert.NotEqual(Severity.Unknown, r.Severity);
            Assert.False(string.IsNullOrWhiteSpace(r.Deduction));
        }
        // Each rule is its own class, named after its id.
        Assert.All(RecommendationCatalog.Rules, r => Assert.StartsWith(r.Info.Id, r.GetType().Name));
    }

    [Fact]
    public void ACleanNonRootImageWithAHealthcheckScores100()
    {
        var a = Apply(new[] { File("app/server", 5 * MiB) });
        Assert.Empty(a.Recommendations);
        Assert.Equal(100, a.Score);
    }

    [Fact]
    public void DeductionsAddUpAsDocumented()
    {
        var files = new List<FsNode>
        {
            File("bin/sh", 100_000, 0),                                          // DOA006: 2
            File("usr/bin/apt-get", 10_000, 0),                                  // DOA005: 2
            File("var/lib/apt/lists/deb.debian.org_dists_bookworm_InRelease", 12 * MiB), // DOA002 apt lists: 5, High (10 MiB+)
            File("var/cache/apk/APKINDEX.tar.gz", 1000),                         // DOA002 apk: 5, Medium
            File("usr/bin/gcc", 1000),                                           // DOA003: 5
            File("usr/lib/gcc/x86_64-linux-gnu/12/cc1", 11 * MiB),                // DOA004: 10 (10 MiB+ of toolchain)
            File("srv/data/model.bin", 60 * MiB),                                // DOA007: 2 per file
            File("srv/app/.git/objects/pack/p.pack", 10),                        // DOA011: 5
            File("usr/lib/python3/dist-packages/x/tests/t.py", 2 * MiB),          // DOA012: 3
            File("usr/share/doc/x/copyright", 2 * MiB),                          // DOA013: 3
        };
        var a = Apply(files, user: "", healthcheck: false, tweak: x => x.LayerCount = 21); // DOA009 10, DOA010 5, DOA008 5
        var byId = a.Recommendations.GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.Sum(r => r.ScoreDeduction));
        var expected = new Dictionary<string, int>
        {
            ["DOA002"] = 10, ["DOA003"] = 5, ["DOA004"] = 10, ["DOA005"] = 2, ["DOA006"] = 2, ["DOA007"] = 2, ["DOA008"] = 5,
            ["DOA009"] = 10, ["DOA010"] = 5, ["DOA011"] = 5, ["DOA012"] = 3, ["DOA013"] = 3,
        };
        Assert.Equal(expected.OrderBy(kv => kv.Key), byId.OrderBy(kv => kv.Key));
        Assert.Equal(100 - expected.Values.Sum(), a.Score);
        Assert.Equal(new[] { "High", "Medium" }, a.Recommendations.Where(r => r.Id == "DOA002").Select(r => r.Severity));
        Assert.All(a.Recommendations, r => Assert.Equal(RecommendationCatalog.All.Single(c => c.Id == r.Id).HelpUri, r.HelpUri));
        Assert.Equal(new[] { "DOA002", "DOA002", "DOA003", "DOA004" }, a.Recommendations.Select(r => r.Id).Take(4)); // catalogue order
    }

    [Fact]
    public void ReclaimableBytesDeductTheirPercentRoundedUpAtMost30()
    {
        var a = Apply(Array.Empty<FsNode>(), tweak: x =>
        {
            x.ReclaimableBytes = (long)(8.2 * MiB);
            x.Waste = new[] { new WasteEntry { Path = "/tmp/big", Bytes = x.ReclaimableBytes, Cause = WasteCause.DeletedLater } };
        });
        var r = Assert.Single(a.Recommendations);
        Assert.Equal(("DOA001", 9, "Medium", (long)(8.2 * MiB)), (r.Id, r.ScoreDeduction, r.Severity, r.EstimatedSavingsBytes));
        Assert.Equal(new[] { "/tmp/big" }, r.Paths);
        var worst = Apply(Array.Empty<FsNode>(), tweak: x => { x.ReclaimableBytes = 60 * MiB; x.Waste = new[] { new WasteEntry { Path = "/x", Bytes = 60 * MiB } }; });
        Assert.Equal((30, "High"), (worst.Recommendations[0].ScoreDeduction, worst.Recommendations[0].Severity));
    }

    [Fact]
    public void CacheDeductionsStopAt20()
    {
        var files = new[]
        {
            "var/cache/apt/archives/a.deb", "var/lib/apt/lists/x_Packages", "var/cache/apk/i", "var/cache/dnf/x", "root/.cache/pip/x", "root/.npm/_cacache/x",
        }.Select(p => File(p, 1000));
        var a = Apply(files);
        Assert.Equal(new[] { 5, 5, 5, 5, 0, 0 }, a.Recommendations.Where(r => r.Id == "DOA002").Select(r => r.ScoreDeduction));
    }
}
