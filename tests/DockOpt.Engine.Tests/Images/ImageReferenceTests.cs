using Docker.DotNet.Models;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Tests.Images;

public class ImageReferenceTests
{
    [Theory]
    [InlineData("app", "app", null)]
    [InlineData("app:1.2", "app", "1.2")]
    [InlineData("localhost:5000/team/app", "localhost:5000/team/app", null)]
    [InlineData("localhost:5000/team/app:v1", "localhost:5000/team/app", "v1")]
    [InlineData("app@sha256:abc", "app", null)]
    public void SplitTagKeepsRegistryPorts(string reference, string repo, string? tag)
    {
        var (r, t) = ImageReference.SplitTag(reference);
        Assert.Equal(repo, r);
        Assert.Equal(tag, t);
    }

    static readonly string Id = "sha256:" + new string('a', 60) + "1234";

    [Theory]
    [InlineData("app*", true)]
    [InlineData("*:latest", true)]
    [InlineData("*:v2", false)]
    [InlineData("APP:LATEST", true)]        // Docker names are lower-case; matching is case-insensitive like PowerShell
    [InlineData("ap?", true)]               // no tag in the pattern: matches the repository
    [InlineData("ap?:*", true)]
    [InlineData("other*", false)]
    [InlineData("sha256:aaaa*", true)]
    [InlineData("aaaa*", true)]             // ID without the sha256: prefix
    [InlineData("app@sha256:d*", true)]     // digest reference
    [InlineData("[ab]pp:latest", true)]
    [InlineData("[xy]pp:latest", false)]
    public void WildcardsMatchTagsRepositoriesIdsAndDigests(string pattern, bool expected)
    {
        Assert.Equal(expected, ImageReference.Matches(pattern, Id, new[] { "app:latest" }, new[] { "app@sha256:deadbeef" }));
    }

    [Fact]
    public void HistoryIsOldestFirstAndCountsZeroByteWorkdirAsALayerOnlyWhenNeeded()
    {
        // Engine order: newest first.
        var engine = new List<ImageHistoryResponse>
        {
            new() { CreatedBy = "/bin/sh -c #(nop)  CMD [\"sleep\"]", Size = 0 },
            new() { CreatedBy = "/bin/sh -c #(nop) WORKDIR /srv", Size = 0 },
            new() { CreatedBy = "/bin/sh -c #(nop)  ENV A=1", Size = 0 },
            new() { CreatedBy = "/bin/sh -c echo hi > /x", Size = 3 },
            new() { CreatedBy = "", Size = 1_980_000 },
        };
        var three = LocalImageCatalog.MapHistory(engine, layerCount: 3);
        Assert.Equal("", three[0].CreatedBy);
        Assert.Equal(new[] { false, false, true, false, true }, three.Select(h => h.EmptyLayer).ToArray());
        var two = LocalImageCatalog.MapHistory(engine, layerCount: 2);
        Assert.Equal(new[] { false, false, true, true, true }, two.Select(h => h.EmptyLayer).ToArray());
    }
}
