using System.Text;
using DockOpt.Engine.Registry;

namespace DockOpt.Engine.Tests.Registry;

/// <summary>What Copy-DockOptImage reads from manifests, on the OCI image specification's own examples (Registry/Data/image-spec).</summary>
public class ImageCopierTests
{
    static RawManifest Load(string file, string mediaType)
    {
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Registry", "Data", "image-spec", file));
        return new RawManifest(bytes, mediaType, RegistryClient.DigestOf(bytes));
    }

    [Fact]
    public void An_index_lists_its_child_manifests_with_their_platforms()
    {
        var index = Load("example-image-index.json", RawManifest.OciIndex);
        Assert.True(index.IsIndex);
        var d = RegistryClient.Descriptors(index);
        Assert.Equal(new[] { "linux/ppc64le", "linux/amd64" }, d.Select(x => x.Platform));
        Assert.Equal(new long[] { 7143, 7682 }, d.Select(x => x.Size));
        Assert.Equal("sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270", d[1].Digest);
    }

    [Fact]
    public void A_nested_index_entry_has_no_platform_and_keeps_its_media_type()
    {
        var d = RegistryClient.Descriptors(Load("example-image-index-multiple-media-types.json", RawManifest.OciIndex));
        Assert.Equal(RawManifest.OciIndex, d[1].MediaType);
        Assert.Null(d[1].Platform);
    }

    [Fact]
    public void An_image_manifest_gives_config_then_layers_and_not_its_subject()
    {
        var m = Load("example-image-manifest.json", RawManifest.OciManifest);
        var d = RegistryClient.Descriptors(m);
        Assert.Equal(4, d.Count);
        Assert.Equal("application/vnd.oci.image.config.v1+json", d[0].MediaType);
        Assert.Equal(7023 + 32654 + 16724 + 73109, d.Sum(x => x.Size));
        Assert.DoesNotContain(d, x => x.Digest == "sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270");
        Assert.All(d, x => Assert.False(x.Foreign));
    }

    [Fact]
    public void The_digest_is_the_SHA256_of_the_bytes_as_stored()
    {
        var bytes = Encoding.UTF8.GetBytes("{}");
        Assert.Equal("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", RegistryClient.DigestOf(bytes));
    }

    [Theory]
    [InlineData("docker://127.0.0.1:5000/team/app:1", "127.0.0.1:5000", "team/app", "1", null)]
    [InlineData("ghcr.io/org/tool@sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270", "ghcr.io", "org/tool", null, "sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270")]
    [InlineData("localhost/app", "localhost", "app", null, null)]
    public void Sources_name_their_registry(string text, string host, string path, string? tag, string? digest)
    {
        var r = ImageCopier.ParseSource(text);
        Assert.Equal((host, path, tag, digest), (r.Domain, r.Path, r.Tag, r.Digest));
    }

    [Theory]
    [InlineData("busybox:1.36")]
    [InlineData("library/busybox")]
    [InlineData("127.0.0.1:5000/App:1")]
    public void A_source_without_a_registry_host_or_invalid_is_InvalidCopySource(string text) =>
        Assert.Equal(ErrorIds.InvalidCopySource, Assert.Throws<DockOptException>(() => ImageCopier.ParseSource(text)).ErrorId);

    [Fact]
    public void Docker_Hub_references_go_to_its_registry_API_host()
    {
        Assert.Equal("registry-1.docker.io", ImageCopier.TargetOf(ImageCopier.ParseSource("docker.io/library/busybox:1.36")).Host);
    }

    [Theory]
    [InlineData("linux/arm64/v8", "linux/arm64", true)]
    [InlineData("linux/arm64", "linux/ARM64", true)]
    [InlineData("linux/arm/v7", "linux/arm/v6", false)]
    [InlineData(null, "linux/amd64", false)]
    public void Platforms_match_as_the_docker_CLI_normalises_arm64(string? offered, string wanted, bool match) =>
        Assert.Equal(match, ImageCopier.PlatformMatches(offered, wanted));

    [Fact]
    public void Platform_tags_of_a_multi_platform_publish()
    {
        Assert.Equal("1.4-linux-arm-v7", IndexPublisher.PlatformTag("1.4", "linux/arm/v7"));
        Assert.Equal("latest-linux-amd64", IndexPublisher.PlatformTag("latest", "linux/amd64"));
    }
}
