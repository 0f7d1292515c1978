using DockOpt.Engine.Analysis;
using DockOpt.Engine.Images;
using DockOpt.Engine.Registry;

namespace DockOpt.Engine.Tests.Registry;

/// <summary>Reads images from the real local registry (127.0.0.1:5000) and checks them against what docker and the registry say.</summary>
public class RegistryImageSourceTests
{
    const string Base = "dockopt/busybox:latest";

    static void RequireRegistry()
    {
        Precondition.Require(LocalRegistryApi.Available(), "the local registry 127.0.0.1:5000 is not running (dotnet pwsh ./build.ps1 Bootstrap)");
        Precondition.Require(LocalRegistryApi.Docker("image", "inspect", Base) != null, $"{Base} is not a local image (Bootstrap makes it)");
    }

    static async Task<(ImageContents Image, List<(LayerBlob Blob, LayerDigest Digest)> Layers, int Entries)> ReadAsync(
        RegistryImageSource source, string? platform = null, bool wantEntries = true)
    {
        ImageContents? image = null;
        var layers = new List<(LayerBlob, LayerDigest)>();
        var entries = 0;
        var visitor = new DelegateImageVisitor
        {
            OnEntry = wantEntries ? (_, _) => entries++ : null,
            OnLayerEnd = (b, d) => layers.Add((b, d)),
            OnImage = i => image = i,
        };
        await ImageReader.ReadAsync(source, visitor, new ImageReadOptions { Platform = platform }, CancellationToken.None);
        return (image!, layers, entries);
    }

    [Fact]
    public async Task Reads_a_pushed_image_without_the_engine_and_matches_docker()
    {
        RequireRegistry();
        var repo = "dockopt-b-src/xunit-read";
        Assert.True(LocalRegistryApi.Push(Base, repo + ":1"));
        var cacheDir = Directory.CreateTempSubdirectory("dockopt-b-cache").FullName;
        try
        {
            var cache = new LayerBlobCache(cacheDir);
            var source = new RegistryImageSource(ImageReference.Parse($"{LocalRegistryApi.Host}/{repo}:1"), NullSink.Instance, cache: cache);
            var (image, layers, entries) = await ReadAsync(source);

            var id = LocalRegistryApi.Docker("image", "inspect", Base, "--format", "{{.Id}}");
            var diffIds = LocalRegistryApi.Docker("image", "inspect", Base, "--format", "{{join .RootFS.Layers \",\"}}")!.Split(',');
            Assert.Equal(id, image.ConfigDigest);
            Assert.Equal(diffIds, image.Layers.Select(l => l.DiffId));
            Assert.True(entries > 100, $"busybox has hundreds of entries; read {entries}");
            Assert.All(layers, l => Assert.Equal(l.Blob.ExpectedDiffId, l.Digest.DiffId)); // computed, and equal to the config's

            // The compressed size is the manifest's, as the registry serves it.
            var (manifest, _) = await LocalRegistryApi.GetManifestAsync(repo, "1");
            var m = System.Text.Json.JsonDocument.Parse(manifest).RootElement;
            Assert.Equal(m.GetProperty("layers").EnumerateArray().Sum(l => l.GetProperty("size").GetInt64()), image.CompressedSize);
            Assert.Equal(1, source.Downloaded);
            Assert.Equal(1, cache.Added);

            // Again: the blob comes from the disk cache, not the registry, and gives the same image.
            var again = new RegistryImageSource(ImageReference.Parse($"{LocalRegistryApi.Host}/{repo}:1"), NullSink.Instance, cache: cache);
            var (image2, _, entries2) = await ReadAsync(again);
            Assert.Equal(0, again.Downloaded);
            Assert.Equal(1, again.FromCache);
            Assert.Equal(entries, entries2);
            Assert.Equal(image.ConfigDigest, image2.ConfigDigest);
        }
        finally { Directory.Delete(cacheDir, true); }
    }

    [Fact]
    public async Task Layers_nobody_reads_are_not_downloaded()
    {
        RequireRegistry();
        var repo = "dockopt-b-src/xunit-skip";
        Assert.True(LocalRegistryApi.Push(Base, repo + ":1"));
        var source = new RegistryImageSource(ImageReference.Parse($"{LocalRegistryApi.Host}/{repo}:1"), NullSink.Instance);
        var (image, layers, _) = await ReadAsync(source, wantEntries: false);
        Assert.Equal(0, source.Downloaded);
        Assert.Equal(1, source.Skipped);
        Assert.Equal(LocalRegistryApi.Docker("image", "inspect", Base, "--format", "{{.Id}}"), image.ConfigDigest);
        Assert.False(layers.Single().Digest.Visited);
    }

    [Fact]
    public async Task A_multi_platform_index_gives_the_host_platform_or_the_one_asked_for()
    {
        RequireRegistry();
        var repo = "dockopt-b-src/xunit-multi";
        Assert.True(LocalRegistryApi.Push(Base, repo + ":amd64"));
        var (amd, arm, _) = await LocalRegistryApi.MakeMultiPlatformAsync(repo);
        var reference = ImageReference.Parse($"{LocalRegistryApi.Host}/{repo}:multi");

        Precondition.RequireHost(RegistryPlatform.Host.ToString() == "linux/amd64", "the host is not linux/amd64");
        var host = new RegistryImageSource(reference, NullSink.Instance);
        Assert.Equal(amd, (await ReadAsync(host, null, false)).Image.ConfigDigest);
        Assert.NotNull(host.IndexDigest);

        var arm64 = await ReadAsync(new RegistryImageSource(reference, NullSink.Instance), "linux/arm64", false);
        Assert.Equal(arm, arm64.Image.ConfigDigest);
        Assert.Equal("arm64", arm64.Image.Config.Architecture);

        var e = await Assert.ThrowsAsync<DockOptException>(() => ReadAsync(new RegistryImageSource(reference, NullSink.Instance), "linux/s390x", false));
        Assert.Equal(ErrorIds.PlatformNotFound, e.ErrorId);
        Assert.Contains("linux/amd64, linux/arm64", e.Message);

        // A single-platform image read with another -Platform fails the same way.
        var single = await Assert.ThrowsAsync<DockOptException>(() =>
            ReadAsync(new RegistryImageSource(ImageReference.Parse($"{LocalRegistryApi.Host}/{repo}:amd64"), NullSink.Instance), "linux/arm64", false));
        Assert.Equal(ErrorIds.PlatformNotFound, single.ErrorId);
    }

    [Fact]
    public async Task A_missing_tag_is_RegistryImageNotFound()
    {
        Precondition.Require(LocalRegistryApi.Available(), "the local registry 127.0.0.1:5000 is not running");
        var source = new RegistryImageSource(ImageReference.Parse($"{LocalRegistryApi.Host}/dockopt-b-src/never-pushed:1"), NullSink.Instance);
        var e = await Assert.ThrowsAsync<DockOptException>(() => ReadAsync(source));
        Assert.Equal(ErrorIds.RegistryImageNotFound, e.ErrorId);
    }

    [Fact]
    public async Task A_layer_media_type_with_unknown_compression_is_named()
    {
        RequireRegistry();
        var repo = "dockopt-b-src/xunit-bzip";
        Assert.True(LocalRegistryApi.Push(Base, repo + ":1"));
        var (manifest, type) = await LocalRegistryApi.GetManifestAsync(repo, "1");
        var m = System.Text.Json.Nodes.JsonNode.Parse(manifest)!;
        m["layers"]![0]!["mediaType"] = "application/vnd.oci.image.layer.v1.tar+bzip2";
        await LocalRegistryApi.PutManifestAsync(repo, "bzip2", System.Text.Encoding.UTF8.GetBytes(m.ToJsonString()), type);
        var e = await Assert.ThrowsAsync<DockOptException>(() =>
            ReadAsync(new RegistryImageSource(ImageReference.Parse($"{LocalRegistryApi.Host}/{repo}:bzip2"), NullSink.Instance)));
        Assert.Equal(ErrorIds.LayerCompressionUnsupported, e.ErrorId);
        Assert.Contains("tar+bzip2", e.Message);
    }
}
