using DockOpt.Engine.Registry;

namespace DockOpt.Engine.Tests.Registry;

/// <summary>
/// Manifest and index parsing on real documents copied verbatim: the OCI image-spec's examples (image-index.md,
/// manifest.md at 13cff549) and the distribution project's Docker v2 schema 2 examples (docs/content/spec/manifest-v2-2.md
/// at 0d6b721d).
/// </summary>
public class RegistryManifestTests
{
    static byte[] Data(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Registry", "Data", name));

    [Fact]
    public void Oci_manifest_from_the_image_spec()
    {
        var m = RegistryManifest.Parse(Data("oci-image-manifest.json"), null, "spec");
        Assert.False(m.IsIndex);
        Assert.Equal(RegistryManifest.OciManifest, m.MediaType);
        Assert.Equal("sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7", m.Config!.Digest);
        Assert.Equal(7023, m.Config.Size);
        Assert.Equal(new long[] { 32654, 16724, 73109 }, m.Layers.Select(l => l.Size));
        Assert.Equal(32654 + 16724 + 73109, m.LayerBytes);
        Assert.All(m.Layers, l => Assert.Equal("application/vnd.oci.image.layer.v1.tar+gzip", l.MediaType));
    }

    [Fact]
    public void Docker_schema2_manifest_from_the_distribution_spec()
    {
        var m = RegistryManifest.Parse(Data("docker-manifest-v2-2.json"), "application/vnd.docker.distribution.manifest.v2+json", "spec");
        Assert.False(m.IsIndex);
        Assert.Equal(RegistryManifest.DockerManifest, m.MediaType);
        Assert.Equal(3, m.Layers.Count);
        Assert.Equal(32654 + 16724 + 73109, m.LayerBytes);
        Assert.All(m.Layers, l => Assert.Equal("application/vnd.docker.image.rootfs.diff.tar.gzip", l.MediaType));
    }

    [Theory]
    [InlineData("oci-image-index.json", RegistryManifest.OciIndex)]
    [InlineData("docker-manifest-list.json", RegistryManifest.DockerList)]
    public void Indexes_pick_the_platform_asked_for(string file, string mediaType)
    {
        var m = RegistryManifest.Parse(Data(file), null, file);
        Assert.True(m.IsIndex);
        Assert.Equal(mediaType, m.MediaType);
        Assert.Equal("sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270", m.Pick(RegistryPlatform.Parse("linux/amd64"), file).Digest);
        Assert.Equal("sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f", m.Pick(RegistryPlatform.Parse("linux/ppc64le"), file).Digest);
        var e = Assert.Throws<DockOptException>(() => m.Pick(RegistryPlatform.Parse("linux/arm64"), file));
        Assert.Equal(ErrorIds.PlatformNotFound, e.ErrorId);
        Assert.Contains("linux/ppc64le, linux/amd64", e.Message);
        Assert.Contains("linux/arm64", e.Message);
    }

    [Fact]
    public void Host_platform_is_picked_by_default_here()
    {
        var m = RegistryManifest.Parse(Data("docker-manifest-list.json"), null, "list");
        Precondition.RequireHost(RegistryPlatform.Host.ToString() == "linux/amd64", "the host is not linux/amd64");
        Assert.Equal("sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270", m.Pick(RegistryPlatform.Host, "list").Digest);
    }

    [Theory]
    [InlineData("linux/arm64", "linux", "arm64", "v8")]
    [InlineData("linux/arm64/v8", "linux", "arm64", "v8")]
    [InlineData("linux/aarch64", "linux", "arm64", "v8")]
    [InlineData("linux/arm", "linux", "arm", "v7")]
    [InlineData("linux/arm/v6", "linux", "arm", "v6")]
    [InlineData("Linux/x86_64", "linux", "amd64", "v1")]
    public void Platforms_normalise_as_containerd_matches_them(string text, string os, string arch, string variant)
    {
        var p = RegistryPlatform.Parse(text);
        Assert.Equal((os, arch, variant), (p.Os, p.Architecture, p.Variant));
    }

    [Theory]
    [InlineData("linux")]
    [InlineData("linux/")]
    [InlineData("a/b/c/d")]
    [InlineData("linux/arm 64")]
    public void Bad_platforms_fail(string text) =>
        Assert.Equal(ErrorIds.InvalidPlatform, Assert.Throws<DockOptException>(() => RegistryPlatform.Parse(text)).ErrorId);

    [Fact]
    public void Schema1_and_shapeless_documents_are_refused()
    {
        var s1 = "{\"schemaVersion\":1,\"name\":\"x\",\"tag\":\"1\",\"fsLayers\":[]}"u8.ToArray();
        Assert.Equal(ErrorIds.RegistryManifestInvalid, Assert.Throws<DockOptException>(() => RegistryManifest.Parse(s1, null, "x")).ErrorId);
        Assert.Equal(ErrorIds.RegistryManifestInvalid, Assert.Throws<DockOptException>(() => RegistryManifest.Parse("{}"u8.ToArray(), null, "x")).ErrorId);
        Assert.Equal(ErrorIds.RegistryManifestInvalid, Assert.Throws<DockOptException>(() => RegistryManifest.Parse("not json"u8.ToArray(), null, "x")).ErrorId);
    }

    [Fact]
    public void Attestation_entries_are_never_picked()
    {
        // BuildKit's attestation manifests sit in the index as platform unknown/unknown.
        var json = System.Text.Encoding.UTF8.GetString(Data("oci-image-index.json"))
            .Replace("\"architecture\": \"ppc64le\"", "\"architecture\": \"unknown\"").Replace("\"os\": \"linux\"\n      }\n    },", "\"os\": \"unknown\"\n      }\n    },");
        var m = RegistryManifest.Parse(System.Text.Encoding.UTF8.GetBytes(json), null, "x");
        var e = Assert.Throws<DockOptException>(() => m.Pick(RegistryPlatform.Parse("linux/ppc64le"), "x"));
        Assert.DoesNotContain("unknown", e.Message);
    }
}

public class InsecureRegistriesTests
{
    [Theory]
    [InlineData("127.0.0.1:5000", new string[0], true)]
    [InlineData("localhost:5000", new string[0], true)]
    [InlineData("registry.lan:5000", new string[0], false)]
    [InlineData("registry.lan:5000", new[] { "registry.lan:5000" }, true)]
    [InlineData("registry.lan:5000", new[] { "other.lan:5000" }, false)]
    [InlineData("10.1.2.3:5000", new[] { "10.0.0.0/8" }, true)]
    [InlineData("192.168.1.3:5000", new[] { "10.0.0.0/8" }, false)]
    public void Plain_http_only_for_loopback_and_the_listed(string host, string[] listed, bool allowed)
    {
        var dir = Directory.CreateTempSubdirectory("dockopt-b-daemon").FullName;
        try
        {
            var daemon = Path.Combine(dir, "daemon.json");
            File.WriteAllText(daemon, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object> { ["insecure-registries"] = listed }));
            Assert.Equal(allowed, InsecureRegistries.Allows(host, daemon));
        }
        finally { Directory.Delete(dir, true); }
    }
}
