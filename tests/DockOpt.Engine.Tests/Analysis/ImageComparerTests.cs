using DockOpt.Engine.Analysis;

namespace DockOpt.Engine.Tests.Analysis;

public sealed class ImageComparerTests
{
    static string Id(char c) => "sha256:" + new string(c, 64);

    static ImageInfo Image(string name, params (char Id, long Size, string By)[] layers)
    {
        var history = new List<ImageHistoryEntry>();
        foreach (var l in layers)
        {
            history.Add(new ImageHistoryEntry { CreatedBy = "/bin/sh -c #(nop)  ENV A=1", Size = 0, EmptyLayer = true });
            history.Add(new ImageHistoryEntry { CreatedBy = l.By, Size = l.Size, EmptyLayer = false });
        }
        return new ImageInfo
        {
            Id = "sha256:" + name.GetHashCode().ToString("x8") + new string('0', 56),
            Repository = name.Split(':')[0], Tag = name.Split(':')[1],
            Size = layers.Sum(l => l.Size), LayerCount = layers.Length, LayerDiffIds = layers.Select(l => Id(l.Id)).ToArray(),
            History = history.ToArray(), Engine = "unix:///var/run/docker.sock",
        };
    }

    [Fact]
    public void SizesPercentAndRegistryCostFollowTheDocumentedFormula()
    {
        var single = Image("app:single", ('a', 800_000_000, "base"), ('b', 400_000_000, "RUN apt-get install build-essential"));
        var multi = Image("app:multi", ('a', 800_000_000, "base"), ('c', 1_000_000, "COPY app"));
        var cost = new RegistryCostModel(); // 0.10 storage, 0.09 transfer, 100 pulls
        var c = ImageComparer.Compare(single, multi, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(30), cost, detailed: false);

        Assert.Equal(1_200_000_000, c.ReferenceSize);
        Assert.Equal(801_000_000, c.DifferenceSize);
        Assert.Equal(399_000_000, c.SizeReduction);
        Assert.Equal(33.25, c.ReductionPercent);
        // 1.2 GB: 1.2 × 0.10 + 1.2 × 100 × 0.09 = 0.12 + 10.80 = 10.92
        Assert.Equal(10.92, c.ReferenceMonthlyCost, 6);
        // 0.801 GB: 0.0801 + 7.209 = 7.2891
        Assert.Equal(7.2891, c.DifferenceMonthlyCost, 6);
        Assert.Equal(3.6309, c.MonthlySavings, 6);
        Assert.Equal(43.5708, c.YearlySavings, 6);
        Assert.Equal(90, c.ReferenceBuildSeconds);
        Assert.Equal(30, c.DifferenceBuildSeconds);
        Assert.Equal((2, 2, 1, 800_000_000L), (c.ReferenceLayerCount, c.DifferenceLayerCount, c.SharedLayerCount, c.SharedSize));
        Assert.Null(c.Layers);

        var free = ImageComparer.Compare(single, multi, null, null, new RegistryCostModel { StoragePricePerGBMonth = 0, TransferPricePerGB = 0.5, PullsPerMonth = 10 }, false);
        Assert.Equal(1.2 * 10 * 0.5, free.ReferenceMonthlyCost, 6);
        Assert.Null(free.ReferenceBuildDuration);
    }

    [Fact]
    public void GrowthIsANegativeReductionAndAnEmptyReferenceIsZeroPercent()
    {
        var small = Image("a:1", ('a', 100_000_000, "x"));
        var big = Image("a:2", ('a', 100_000_000, "x"), ('b', 300_000_000, "y"));
        var c = ImageComparer.Compare(small, big, null, null, new RegistryCostModel(), false);
        Assert.Equal(-300_000_000, c.SizeReduction);
        Assert.Equal(-300.0, c.ReductionPercent);
        Assert.Equal(-0.3 * 0.10 - 0.3 * 100 * 0.09, c.MonthlySavings, 6);
        var empty = Image("e:1");
        Assert.Equal(0, ImageComparer.Compare(empty, small, null, null, new RegistryCostModel(), false).ReductionPercent);
    }

    [Fact]
    public void DetailedListsSharedAndUniqueLayersByDiffIdWithSizes()
    {
        var r = Image("app:single", ('a', 10, "base"), ('b', 20, "RUN tools"), ('d', 5, "COPY app"));
        var d = Image("app:multi", ('a', 10, "base"), ('d', 5, "COPY app"), ('e', 7, "COPY --from=build"));
        var c = ImageComparer.Compare(r, d, null, null, new RegistryCostModel(), detailed: true);
        var layers = c.Layers!;
        Assert.Equal(new[] { "Shared a 0 0", "ReferenceOnly b 1 ", "Shared d 2 1", "DifferenceOnly e  2" },
            layers.Select(l => $"{l.Presence} {l.DiffId[7]} {l.ReferenceIndex} {l.DifferenceIndex}"));
        Assert.Equal(new long[] { 10, 20, 5, 7 }, layers.Select(l => l.Size));
        Assert.Equal("RUN tools", layers[1].CreatedBy);
        Assert.All(layers, l => Assert.Equal(("app:single", "app:multi"), (l.ReferenceImage, l.DifferenceImage)));
        Assert.Equal((2, 15L), (c.SharedLayerCount, c.SharedSize));
    }

    [Fact]
    public void ZeroByteWorkdirLayersAreMatchedWhenTheCatalogFlagsDoNotAddUp()
    {
        // Classic builder: WORKDIR that creates its directory commits an empty layer, which the history shows as 0 B #(nop).
        // The history as the engine lists it (newest first), flagged by the catalog for the image's layer count.
        var engine = new List<Docker.DotNet.Models.ImageHistoryResponse>
        {
            new() { CreatedBy = "/bin/sh -c #(nop)  EXPOSE 8080", Size = 0 },
            new() { CreatedBy = "/bin/sh -c #(nop) COPY dir:abc in .", Size = 5 },
            new() { CreatedBy = "/bin/sh -c #(nop) WORKDIR /src", Size = 0 },
            new() { CreatedBy = "/bin/sh -c #(nop)  CMD [\"bash\"]", Size = 0 },
            new() { CreatedBy = "", Size = 117 },
        };
        var history = DockOpt.Engine.Images.LocalImageCatalog.MapHistory(engine, layerCount: 3);
        var entries = ImageComparer.LayerEntries(history, 3)!;
        Assert.Equal(new[] { "", "/bin/sh -c #(nop) WORKDIR /src", "/bin/sh -c #(nop) COPY dir:abc in ." }, entries.Select(e => e.CreatedBy));
        Assert.Null(ImageComparer.LayerEntries(DockOpt.Engine.Images.LocalImageCatalog.MapHistory(engine, layerCount: 5), 5)); // cannot be told apart: sizes are not guessed
        Assert.Null(ImageComparer.LayerEntries(history, 5));
    }
}
