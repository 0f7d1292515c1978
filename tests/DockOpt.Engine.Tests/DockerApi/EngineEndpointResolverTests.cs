using DockOpt.Engine.DockerApi;

namespace DockOpt.Engine.Tests.DockerApi;

public class EngineEndpointResolverTests
{
    static Func<string, string?> Env(Dictionary<string, string?> d) => k => d.TryGetValue(k, out var v) ? v : null;

    [Fact]
    public void ExplicitEngineUriWinsOverDockerHost()
    {
        var ep = EngineEndpointResolver.Resolve("tcp://10.0.0.5:2375", Env(new() { ["DOCKER_HOST"] = "unix:///x.sock" }), "/nonexistent");
        Assert.Equal("tcp", ep.Uri.Scheme);
        Assert.Equal("-Engine", ep.Source);
        Assert.False(ep.UseTls);
    }

    [Fact]
    public void DockerHostWithTlsVerifyUsesCertPath()
    {
        var ep = EngineEndpointResolver.Resolve(null, Env(new()
        {
            ["DOCKER_HOST"] = "tcp://build:2376",
            ["DOCKER_TLS_VERIFY"] = "1",
            ["DOCKER_CERT_PATH"] = "/certs",
        }), "/nonexistent");
        Assert.True(ep.UseTls);
        Assert.True(ep.TlsVerify);
        Assert.Equal(Path.Combine("/certs", "ca.pem"), ep.CaPath);
        Assert.Equal(Path.Combine("/certs", "key.pem"), ep.KeyPath);
        Assert.Equal("DOCKER_HOST", ep.Source);
    }

    [Fact]
    public void TlsWithoutCertPathUsesTheDockerConfigDirectory()
    {
        var ep = EngineEndpointResolver.Resolve(null, Env(new()
        {
            ["DOCKER_HOST"] = "tcp://build:2376",
            ["DOCKER_TLS_VERIFY"] = "1",
            ["DOCKER_CONFIG"] = "/cfg/docker",
        }), "/home/someone");
        Assert.Equal(Path.Combine("/cfg/docker", "ca.pem"), ep.CaPath);
        var home = EngineEndpointResolver.Resolve(null, Env(new() { ["DOCKER_HOST"] = "tcp://build:2376", ["DOCKER_TLS_VERIFY"] = "1" }), "/home/someone");
        Assert.Equal(Path.Combine("/home/someone", ".docker", "cert.pem"), home.CertPath);
    }

    [Fact]
    public void NoConfigurationGivesPlatformDefault()
    {
        var ep = EngineEndpointResolver.Resolve(null, Env(new()), Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("n")));
        Assert.Equal(OperatingSystem.IsWindows() ? "npipe" : "unix", ep.Uri.Scheme);
        Assert.Equal("default", ep.Source);
    }

    [Fact]
    public void CurrentContextIsReadWithItsMetadataAndTls()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var id = EngineEndpointResolver.ContextDirectoryName("remote");
            Directory.CreateDirectory(Path.Combine(dir, "contexts", "meta", id));
            File.WriteAllText(Path.Combine(dir, "contexts", "meta", id, "meta.json"),
                """{"Name":"remote","Metadata":{},"Endpoints":{"docker":{"Host":"tcp://remote:2376","SkipTLSVerify":false}}}""");
            Directory.CreateDirectory(Path.Combine(dir, "contexts", "tls", id, "docker"));
            File.WriteAllText(Path.Combine(dir, "contexts", "tls", id, "docker", "ca.pem"), "x");
            File.WriteAllText(Path.Combine(dir, "config.json"), """{"currentContext":"remote"}""");
            var ep = EngineEndpointResolver.Resolve(null, Env(new() { ["DOCKER_CONFIG"] = dir }), "/nonexistent");
            Assert.Equal("tcp://remote:2376/", ep.Uri.ToString());
            Assert.Equal("context 'remote'", ep.Source);
            Assert.True(ep.UseTls);
            Assert.True(ep.TlsVerify);
            Assert.NotNull(ep.CaPath);
            Assert.Null(ep.CertPath);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ContextDirectoryNameIsSha256OfTheName()
    {
        // docker: contexts/meta/<sha256("default")> -- a known digest.
        Assert.Equal("37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f", EngineEndpointResolver.ContextDirectoryName("default"));
    }

    [Fact]
    public void MissingContextIsASpecificError()
    {
        var e = Assert.Throws<DockOptException>(() => EngineEndpointResolver.Resolve("nope", Env(new() { ["DOCKER_CONFIG"] = "/nonexistent" }), "/nonexistent"));
        Assert.Equal("DockerContextNotFound", e.ErrorId);
        Assert.Equal(DockOptErrorCategory.ObjectNotFound, e.Category);
    }

    [Theory]
    [InlineData("ftp://x")]
    [InlineData("not a uri ://")]
    public void InvalidHostIsRejected(string host)
    {
        var e = Assert.Throws<DockOptException>(() => EngineEndpointResolver.Resolve(null, Env(new() { ["DOCKER_HOST"] = host }), "/nonexistent"));
        Assert.Equal("InvalidEngineEndpoint", e.ErrorId);
    }

    [Theory]
    [InlineData("1.41", "1.41")]
    [InlineData("1.52", "1.47")]
    [InlineData(null, "1.40")]
    public void ApiVersionIsNegotiatedNotPinned(string? server, string expected)
    {
        Assert.Equal(Version.Parse(expected), DockerEngine.Negotiate(server));
    }
}
