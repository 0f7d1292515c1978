using DockOpt.Engine.Images;

namespace DockOpt.Engine.Tests.Images;

/// <summary>skopeo's transport syntax as DockOpt parses it (the cases of skopeo's man page, containers-transports(5)).</summary>
public class ImageSourceReferenceTests
{
    const string Sha = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("docker://127.0.0.1:5000/app:1", ImageTransport.Registry, "127.0.0.1:5000/app:1", "docker://127.0.0.1:5000/app:1")]
    [InlineData("docker://registry.example.com/team/app@" + Sha, ImageTransport.Registry, "registry.example.com/team/app@" + Sha, "docker://registry.example.com/team/app@" + Sha)]
    [InlineData("docker://alpine", ImageTransport.Registry, "alpine", "docker://alpine")]
    [InlineData("docker-daemon:app:1", ImageTransport.Engine, "app:1", "docker-daemon:app:1")]
    [InlineData("docker-daemon:oci:1", ImageTransport.Engine, "oci:1", "docker-daemon:oci:1")]
    [InlineData("app:1", ImageTransport.Engine, "app:1", "docker-daemon:app:1")]
    [InlineData("localhost:5000/app:1", ImageTransport.Engine, "localhost:5000/app:1", "docker-daemon:localhost:5000/app:1")]
    [InlineData("docker-archive:/tmp/app.tar", ImageTransport.DockerArchive, "/tmp/app.tar", "docker-archive:/tmp/app.tar")]
    [InlineData("oci-archive:/tmp/app-oci.tar", ImageTransport.OciArchive, "/tmp/app-oci.tar", "oci-archive:/tmp/app-oci.tar")]
    [InlineData("oci:/tmp/no-such-layout", ImageTransport.OciLayout, "/tmp/no-such-layout", "oci:/tmp/no-such-layout")]
    [InlineData("dir:/tmp/skopeo-dir", ImageTransport.Directory, "/tmp/skopeo-dir", "dir:/tmp/skopeo-dir")]
    public void Parses_each_transport(string text, ImageTransport transport, string value, string qualified)
    {
        var r = ImageSourceReference.Parse(text);
        Assert.Equal(transport, r.Transport);
        Assert.Equal(value, r.Value);
        Assert.Equal(qualified, r.Transport == ImageTransport.Engine && !text.StartsWith("docker-daemon:") ? ImageSourceReference.ForEngine(r.Value) : r.Qualified);
    }

    [Fact]
    public void Registry_reference_is_normalised_and_keeps_tag_and_digest()
    {
        var r = ImageSourceReference.Parse("docker://127.0.0.1:5000/team/app:1@" + Sha);
        Assert.Equal("127.0.0.1:5000", r.Registry!.Domain);
        Assert.Equal("team/app", r.Registry.Path);
        Assert.Equal("1", r.Registry.Tag);
        Assert.Equal(Sha, r.Registry.Digest);
        Assert.Equal("docker.io", ImageSourceReference.Parse("docker://alpine:3").Registry!.Domain);
        Assert.Equal("library/alpine", ImageSourceReference.Parse("docker://alpine:3").Registry!.Path);
    }

    [Fact]
    public void Oci_layout_splits_a_ref_only_when_the_directory_does_not_exist_as_written()
    {
        var r = ImageSourceReference.Parse("oci:/tmp/no-such-layout-b:v1.2");
        Assert.Equal("/tmp/no-such-layout-b", r.Value);
        Assert.Equal("v1.2", r.OciRef);
        Assert.Equal("oci:/tmp/no-such-layout-b:v1.2", r.Qualified);

        var dir = Directory.CreateTempSubdirectory("dockopt-b-oci:x");
        try
        {
            var whole = ImageSourceReference.Parse("oci:" + dir.FullName);
            Assert.Equal(dir.FullName, whole.Value);
            Assert.Null(whole.OciRef);
        }
        finally { dir.Delete(); }
    }

    [Theory]
    [InlineData("docker://")]
    [InlineData("docker://UPPER/Case:1")]
    [InlineData("docker://app:tag with space")]
    [InlineData("docker-daemon://app")]
    [InlineData("docker-archive:")]
    public void Malformed_references_fail_with_a_catalogued_id(string text)
    {
        var e = Assert.Throws<DockOptException>(() => ImageSourceReference.Parse(text));
        Assert.Contains(e.ErrorId, new[] { ErrorIds.InvalidImageSource, ErrorIds.ImageTransportUnsupported });
    }

    [Theory]
    [InlineData("containers-storage:app:1")]
    [InlineData("ostree:app@/ostree/repo")]
    public void Transports_DockOpt_does_not_read_are_refused_by_name(string text)
    {
        var e = Assert.Throws<DockOptException>(() => ImageSourceReference.Parse(text));
        Assert.Equal(ErrorIds.ImageTransportUnsupported, e.ErrorId);
        Assert.Contains(text.Split(':')[0], e.Message);
    }

    [Theory]
    [InlineData("docker://x/y", true)]
    [InlineData("docker-daemon:x", true)]
    [InlineData("oci:d", true)]
    [InlineData("app:1", false)]
    [InlineData("app*", false)]
    [InlineData("127.0.0.1:5000/app:1", false)]
    public void HasTransport_tells_engine_names_apart(string text, bool has) => Assert.Equal(has, ImageSourceReference.HasTransport(text));
}
