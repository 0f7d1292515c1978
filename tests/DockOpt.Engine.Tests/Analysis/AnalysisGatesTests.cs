using DockOpt.Engine.Analysis;
using DockOpt.Engine.Analysis.Gates;

namespace DockOpt.Engine.Tests.Analysis;

/// <summary>The gate settings files, read with YamlDotNet: everything the former hand-written reader accepted still reads the same.</summary>
public sealed class AnalysisGatesTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("dockopt-gates").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    AnalysisGates Read(string dockoptYml, string? diveCi = null)
    {
        File.WriteAllText(Path.Combine(_dir, ".dockopt.yml"), dockoptYml);
        if (diveCi != null) File.WriteAllText(Path.Combine(_dir, ".dive-ci"), diveCi);
        return AnalysisGates.FromFiles(_dir, null);
    }

    [Fact]
    public void TheGatesAreFoundByDiscovery() =>
        Assert.Equal(new[] { "HighestReclaimableBytes", "HighestUserWastedPercent", "LowestEfficiency", "MinimumScore" },
            AnalysisGateCatalog.All.Select(g => g.Name));

    [Fact]
    public void CommentsQuotesFlowListsDocumentMarkersAndOtherSections()
    {
        var g = Read("""
            # DockOpt settings
            ---
            lint:
              failureThreshold: warning
            analysis:   # the CI gates
              lowestEfficiency: "0.9"   # quoted
              highestReclaimableBytes: '20MB'
              highestUserWastedPercent: 12.5
              minimumScore: 70
              ignorePaths: [/var/log/**, '*.pyc', "/tmp/#x"]
            other:
              x: 1
            """);
        Assert.Equal((0.9, 20_000_000L, 12.5, 70), (g.LowestEfficiency, g.HighestReclaimableBytes, g.HighestUserWastedPercent, g.MinimumScore));
        Assert.Equal(new[] { "/var/log/**", "*.pyc", "/tmp/#x" }, g.IgnorePaths);
        Assert.True(g.Any);
    }

    [Fact]
    public void BlockListsAtTheKeysIndentUnquotedGlobsAndCrLf()
    {
        var g = Read("analysis:\r\n  ignorePaths:\r\n  - /var/cache/**\r\n  - *.log   # a glob, not an alias\r\n  - '*.tmp'\r\n  minimumScore: 50\r\n");
        Assert.Equal(new[] { "/var/cache/**", "*.log", "*.tmp" }, g.IgnorePaths);
        Assert.Equal(50, g.MinimumScore);
        Assert.Equal(new[] { "/one/**" }, Read("analysis:\n  ignorePaths: /one/**\n").IgnorePaths);
    }

    [Theory]
    [InlineData("disabled")]
    [InlineData("off")]
    [InlineData("false")]
    [InlineData("")]
    public void DisabledValuesLeaveTheGateOff(string value)
    {
        var g = Read($"analysis:\n  minimumScore: {value}\n  lowestEfficiency: {value}\n");
        Assert.Null(g.MinimumScore);
        Assert.Null(g.LowestEfficiency);
        Assert.False(g.Any);
    }

    [Fact]
    public void DiveCiRulesMapAndDockOptWins()
    {
        // dive's own example .dive-ci (README "CI Integration"), verbatim.
        var g = Read("analysis:\n  highestReclaimableBytes: 5MiB\n",
            "rules:\n  # If the efficiency is measured below X%, mark as failed.\n  # Expressed as a ratio between 0-1.\n  lowestEfficiency: 0.95\n\n" +
            "  # If the amount of wasted space is at least X or larger than X, mark as failed.\n  # Expressed in B, KB, MB, and GB.\n  highestWastedBytes: 20MB\n\n" +
            "  # If the amount of wasted space makes up for X% or more of the image, mark as failed.\n  # Note: the base image layer is NOT included in the total image size.\n" +
            "  # Expressed as a ratio between 0-1; fails if the threshold is met or crossed.\n  highestUserWastedPercent: 0.20\n");
        Assert.Equal(0.95, g.LowestEfficiency);
        Assert.Equal(5L * 1024 * 1024, g.HighestReclaimableBytes);
        Assert.Equal(20.0, g.HighestUserWastedPercent!.Value, 6);
        Assert.Equal(2, g.Sources.Count);
    }

    [Theory]
    [InlineData("analysis:\n  lowestEfficiency: 2\n", "lowestEfficiency")]
    [InlineData("analysis:\n  highestReclaimableBytes: lots\n", "highestReclaimableBytes")]
    [InlineData("analysis:\n  minimumScore: [1, 2\n", "line")]
    [InlineData("analysis:\n  minimumScore: 1\n minimumScore: 2\n", "line")]
    public void BadSettingsFailWithAnalysisConfigInvalid(string yaml, string mentions)
    {
        var e = Assert.Throws<DockOptException>(() => Read(yaml));
        Assert.Equal("AnalysisConfigInvalid", e.ErrorId);
        Assert.Contains(mentions, e.Message);
    }

    [Fact]
    public void EveryGateNamesItsViolation()
    {
        var g = new AnalysisGates { LowestEfficiency = 0.99, HighestReclaimableBytes = 10, HighestUserWastedPercent = 1, MinimumScore = 90 };
        var a = new ImageAnalysis { Image = "t:1", Efficiency = 0.5, ReclaimableBytes = 11, UserWastedPercent = 2, Score = 80 };
        var v = g.Evaluate(a);
        Assert.Equal(4, v.Length);
        Assert.Contains(v, s => s.Contains("Efficiency 0.5 is below the lowest allowed 0.99"));
        Assert.Contains(v, s => s.Contains("Score 80 is below the minimum 90"));
        Assert.Empty(new AnalysisGates().Evaluate(a));
    }
}
