using Docker.DotNet.Models;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Tests.Images;

public class ImageReferenceTests
{
    const string Sha = "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

    [Theory]
    [InlineData("app", "docker.io", "library/app", null, null, "app")]
    [InlineData("app:1.2", "docker.io", "library/app", "1.2", null, "app")]
    [InlineData("index.docker.io/team/app:1", "docker.io", "team/app", "1", null, "team/app")]
    [InlineData("docker.io/library/alpine:3.20", "docker.io", "library/alpine", "3.20", null, "alpine")]
    [InlineData("localhost/app", "localhost", "app", null, null, "localhost/app")]
    [InlineData("localhost:5000/team/app", "localhost:5000", "team/app", null, null, "localhost:5000/team/app")]
    [InlineData("localhost:5000/team/app:v1", "localhost:5000", "team/app", "v1", null, "localhost:5000/team/app")]
    [InlineData("[::1]:5000/app:v1@" + Sha, "[::1]:5000", "app", "v1", Sha, "[::1]:5000/app")]
    [InlineData("app@" + Sha, "docker.io", "library/app", null, Sha, "app")]
    [InlineData("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:2", "123456789012.dkr.ecr.eu-west-1.amazonaws.com", "team/app", "2", null, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app")]
    public void ParseNormalisesHubAndKeepsRegistryPorts(string reference, string domain, string path, string? tag, string? digest, string familiar)
    {
        var r = ImageReference.Parse(reference);
        Assert.Equal((domain, path, tag, digest, familiar), (r.Domain, r.Path, r.Tag, r.Digest, r.FamiliarRepository));
        Assert.Equal(domain + "/" + path, r.Repository);
    }

    [Fact]
    public void HostPortTagAndDefaults()
    {
        var r = ImageReference.Parse("[::1]:5000/team/app");
        Assert.Equal(("[::1]", 5000, "latest", "app", false), (r.Host, r.Port, r.TagOrDefault, r.ShortName, r.IsDockerHub));
        var hub = ImageReference.Parse("alpine");
        Assert.Equal(("docker.io", (int?)null, true, "docker.io/library/alpine", "alpine"), (hub.Host, hub.Port, hub.IsOfficial, hub.ToString(), hub.Familiar));
        Assert.Null(ImageReference.Parse("alpine@" + Sha).TagOrDefault);
        Assert.Equal("docker.io/library/alpine:3.20", hub.WithTag("3.20").ToString());
        Assert.Equal("docker.io/library/alpine@" + Sha, hub.WithTag("3.20").WithDigest(Sha).ToString());
        Assert.Equal(ImageReference.Parse("alpine:3"), ImageReference.Parse("docker.io/library/alpine:3"));
        Assert.Equal(ErrorIds.InvalidImageReference, Assert.Throws<DockOptException>(() => hub.WithTag(".bad")).ErrorId);
    }

    [Theory]
    [InlineData("Team/App", "must be lower case")]
    [InlineData("app:-x", "not a valid tag")]
    [InlineData("app@sha256:abc", "64 hexadecimal characters")]
    [InlineData("app@md5:ffffffffffffffffffffffffffffffff", "not supported")]
    [InlineData("https://ghcr.io/app", "URL scheme")]
    [InlineData("ex_ample.com:5000/app", "not a registry host")]
    [InlineData("", "empty")]
    public void InvalidReferencesFailWithTheCataloguedIdAndSayWhy(string reference, string why)
    {
        var e = Assert.Throws<DockOptException>(() => ImageReference.Parse(reference));
        Assert.Equal(ErrorIds.InvalidImageReference, e.ErrorId);
        Assert.Equal(DockOptErrorCategory.InvalidArgument, e.Category);
        Assert.Contains(why, e.Message);
        Assert.False(string.IsNullOrEmpty(e.RecommendedAction));
        Assert.False(ImageReference.TryParse(reference, out _));
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
        Assert.Equal(expected, ImagePattern.Matches(pattern, Id, new[] { "app:latest" }, new[] { "app@sha256:deadbeef" }));
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
