using DockOpt.Engine.Analysis;
using DockOpt.Engine.Analysis.Recommendations;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Tests.Analysis;

public class RecommendationTests
{
    const long MiB = 1024 * 1024;

    static FsNode File(string path, long size, int layer = 1, LayerEntryKind kind = LayerEntryKind.RegularFile) =>
        new() { Path = path, Size = size, Layer = layer, Kind = kind };

    static ImageAnalysis Apply(IEnumerable<FsNode> files, string user = "app", bool healthcheck = true, Action<ImageAnalysis>? tweak = null,
        string[]? cmd = null, string[]? entrypoint = null, ImageProfile profile = ImageProfile.Auto)
    {
        var a = new ImageAnalysis
        {
            Image = "t:1", TotalSize = 100 * MiB, FinalSize = 100 * MiB, LayerCount = 2,
            Layers = new[] { new LayerAnalysis { Index = 0, IsBaseLayer = true }, new LayerAnalysis { Index = 1 } },
        };
        tweak?.Invoke(a);
        RecommendationEngine.Apply(a, files.ToDictionary(f => f.Path), new ImageConfigSummary
        {
            User = user, HasHealthcheck = healthcheck, Cmd = cmd ?? new[] { "/app/server" }, Entrypoint = entrypoint ?? Array.Empty<string>(),
        }, profile);
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
            File("usr/share/doc/x/changelog.Debian.gz", 2 * MiB),                // DOA013: 3
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

    // The config of Bootstrap's bases and of the Flask example's images, as `docker image inspect` shows them.
    [Theory]
    [InlineData(new[] { "bash" }, new string[0], "Base")]                        // dockopt/debian:bookworm-slim, debian:bookworm-slim
    [InlineData(new[] { "python3" }, new string[0], "Base")]                     // dockopt/python:3.11-slim, python:3.11-slim
    [InlineData(new[] { "/bin/sh" }, new string[0], "Base")]                     // busybox
    [InlineData(new string[0], new string[0], "Base")]                           // FROM scratch with nothing to run
    [InlineData(new string[0], new[] { "/usr/bin/python3.11" }, "Base")]         // an interpreter as ENTRYPOINT, no CMD
    [InlineData(new[] { "/bin/sh", "-c", "python3 app.py" }, new string[0], "Application")] // flask-api:single-stage
    [InlineData(new[] { "python3", "app.py" }, new string[0], "Application")]    // flask-api:multi-stage
    [InlineData(new[] { "nginx", "-g", "daemon off;" }, new[] { "/docker-entrypoint.sh" }, "Application")]
    [InlineData(new[] { "node" }, new[] { "docker-entrypoint.sh" }, "Application")] // documented: pass -Profile Base
    [InlineData(new[] { "/srv/app" }, new string[0], "Application")]
    public void AutoProfileReadsCmdAndEntrypoint(string[] cmd, string[] entrypoint, string expected)
    {
        var a = Apply(Array.Empty<FsNode>(), user: "", healthcheck: false, cmd: cmd, entrypoint: entrypoint);
        Assert.Equal(expected, a.Profile);
        Assert.False(string.IsNullOrWhiteSpace(a.ProfileReason));
        Assert.Equal(expected == "Base" ? 100 : 85, a.Score);
    }

    [Fact]
    public void OnABaseRootAndHealthcheckAreListedAsInfoWithoutDeduction()
    {
        var files = new[] { File("bin/bash", 1_200_000, 0), File("usr/bin/apt-get", 10_000, 0) };
        var b = Apply(files, user: "", healthcheck: false, cmd: new[] { "bash" });
        Assert.Equal("Base", b.Profile);
        Assert.Equal(new[] { "DOA005", "DOA006", "DOA009", "DOA010" }, b.Recommendations.Select(r => r.Id));
        var appOnly = b.Recommendations.Where(r => r.Id is "DOA009" or "DOA010").ToList();
        Assert.All(appOnly, r => { Assert.Equal(0, r.ScoreDeduction); Assert.Equal("Info", r.Severity); Assert.Contains("Not deducted", r.Detail); });
        Assert.Equal(100 - 2 - 2, b.Score);

        // The same image judged an Application (explicitly, or by its CMD) pays 10 + 5.
        var forced = Apply(files, user: "", healthcheck: false, cmd: new[] { "bash" }, profile: ImageProfile.Application);
        Assert.Equal(("Application", "-Profile Application"), (forced.Profile, forced.ProfileReason));
        Assert.Equal(100 - 2 - 2 - 10 - 5, forced.Score);
        Assert.Equal(("Medium", 10), forced.Recommendations.Where(r => r.Id == "DOA009").Select(r => (r.Severity, r.ScoreDeduction)).Single());

        // -Profile Base on an application's config: the rule's word wins over Auto.
        var asBase = Apply(files, user: "", healthcheck: false, cmd: new[] { "python3", "app.py" }, profile: ImageProfile.Base);
        Assert.Equal(("Base", 96), (asBase.Profile, asBase.Score));
        Assert.Equal(new[] { true, true }, RecommendationCatalog.Rules.Where(r => r.Info.Id is "DOA009" or "DOA010").Select(r => r.ApplicationOnly));
        Assert.Equal(2, RecommendationCatalog.Rules.Count(r => r.ApplicationOnly));
    }

    [Fact]
    public void DocsShippedNeverCountsLicenceAndCopyrightFiles()
    {
        // Only licence notices: 2.4 MiB under /usr/share/doc, none of it counted.
        var licences = new[]
        {
            File("usr/share/doc/libc6/copyright", 1 * MiB), File("usr/share/doc/python3.11/copyright", 600_000),
            File("usr/share/doc/foo/COPYING", 300_000), File("usr/share/doc/foo/LICENSE.txt", 200_000),
            File("usr/share/doc/foo/LICENSE-MIT", 100_000), File("usr/share/doc/foo/NOTICE.md", 100_000), File("usr/share/doc/bar/licence", 100_000),
        };
        Assert.DoesNotContain(Apply(licences).Recommendations, r => r.Id == "DOA013");

        // Real documentation beside them counts, and only it.
        var docs = licences.Append(File("usr/share/doc/libc6/changelog.Debian.gz", 700_000)).Append(File("usr/share/man/man1/ls.1.gz", 400_000));
        var r = Assert.Single(Apply(docs).Recommendations, x => x.Id == "DOA013");
        Assert.Equal(1_100_000, r.EstimatedSavingsBytes);
        Assert.Equal(new[] { "/usr/share/doc/libc6/changelog.Debian.gz", "/usr/share/man/man1/ls.1.gz" }, r.Paths.Order());
        Assert.True(DOA013DocsShipped.IsLicenceFile("usr/share/doc/x/copyright"));
        Assert.False(DOA013DocsShipped.IsLicenceFile("usr/share/doc/x/README.Debian"));
        Assert.False(DOA013DocsShipped.IsLicenceFile("usr/share/doc/copyright-tools/changelog.gz"));
    }
}
