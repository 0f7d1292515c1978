using System.Net.Http;
using DockOpt.Engine.Building;
using DockOpt.Engine.DockerApi;

namespace DockOpt.Engine.Tests.DockerApi;

/// <summary>ssh:// endpoints and Podman detection without an engine; the real sshd and Podman runs are in Pester (EngineSsh, Podman).</summary>
public class EngineSshAndPodmanTests
{
    static Func<string, string?> Env(Dictionary<string, string?> d) => k => d.TryGetValue(k, out var v) ? v : null;

    [Fact]
    public void DockerHostSshIsAnEndpointWithoutTls()
    {
        var ep = EngineEndpointResolver.Resolve(null, Env(new() { ["DOCKER_HOST"] = "ssh://deploy@build.example:2222", ["DOCKER_TLS_VERIFY"] = "1" }), "/nonexistent");
        Assert.Equal("ssh", ep.Uri.Scheme);
        Assert.Equal("DOCKER_HOST", ep.Source);
        Assert.False(ep.UseTls);
        Assert.Equal("ssh://deploy@build.example:2222", ep.ToString());
    }

    [Fact]
    public void SshArgumentsAreTheDockerClisWithBatchMode()
    {
        var args = SshDialer.Arguments(new Uri("ssh://deploy@build.example:2222"), TimeSpan.FromSeconds(5));
        Assert.Equal(new[] { "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-T", "-l", "deploy", "-p", "2222", "--", "build.example", "docker", "system", "dial-stdio" }, args);
        var bare = SshDialer.Arguments(new Uri("ssh://build.example"), TimeSpan.FromSeconds(2.5));
        Assert.Equal(new[] { "-o", "BatchMode=yes", "-o", "ConnectTimeout=3", "-T", "--", "build.example", "docker", "system", "dial-stdio" }, bare);
    }

    [Fact]
    public void PublishedPortsOfAnSshEngineAreForwardedWithSshW()
    {
        var args = SshDialer.ForwardArguments(new Uri("ssh://deploy@build.example:2222"), 49153, TimeSpan.FromSeconds(3));
        Assert.Equal(new[] { "-o", "BatchMode=yes", "-o", "ConnectTimeout=3", "-T", "-l", "deploy", "-p", "2222", "-W", "127.0.0.1:49153", "--", "build.example" }, args);
    }

    [Theory]
    [InlineData("unix:///var/run/docker.sock", "127.0.0.1", true, "127.0.0.1")]
    [InlineData("tcp://127.0.0.1:2375", "127.0.0.1", true, "127.0.0.1")]
    [InlineData("tcp://localhost:2375", "127.0.0.1", true, "127.0.0.1")]
    [InlineData("ssh://deploy@build.example", "127.0.0.1", false, "127.0.0.1 on build.example (through ssh)")]
    [InlineData("tcp://build.example:2376", "0.0.0.0", false, "build.example")]
    public void PublishedPortsFollowTheEngine(string engine, string hostIp, bool local, string where)
    {
        var p = DockOpt.Engine.Testing.PublishedPorts.For(EngineEndpointResolver.Resolve(engine, Env(new()), "/nonexistent"));
        Assert.Equal(hostIp, p.HostIp);
        Assert.Equal(local, p.IsLocal);
        Assert.Equal(where, p.Where);
        Assert.True(p.Accepts(hostIp));
        Assert.True(p.Accepts(""));
        Assert.Equal(hostIp == "0.0.0.0", p.Accepts("::"));
    }

    [Theory]
    [InlineData("ssh://deploy:secret@build.example", "password")]
    [InlineData("ssh://deploy@build.example/var/run/docker.sock", "path")]
    [InlineData("ssh://deploy@build.example?x=1", "query")]
    public void SshEndpointsThatTheDockerCliRefusesAreInvalid(string host, string why)
    {
        var e = Assert.Throws<DockOptException>(() => EngineEndpointResolver.Resolve(host, Env(new()), "/nonexistent"));
        Assert.Equal(ErrorIds.InvalidEngineEndpoint, e.ErrorId);
        Assert.Contains(why, e.Message);
        Assert.DoesNotContain("secret", e.Message);
        Assert.DoesNotContain("secret", e.Target?.ToString() ?? "");
    }

    [Fact]
    public void SshFailureNamesSshsOwnMessageAndAHint()
    {
        var x = new SshTransportException("ssh://root@127.0.0.1:2222", 255,
            "Warning: Permanently added '[127.0.0.1]:2222' (ED25519) to the list of known hosts.\r\nroot@127.0.0.1: Permission denied (publickey).\r\n");
        var e = x.ToDockOpt("-Engine");
        Assert.Equal(ErrorIds.EngineSshFailed, e.ErrorId);
        Assert.Contains("Permission denied (publickey)", e.Message);
        Assert.DoesNotContain("Permanently added", e.Message);
        Assert.Contains("ssh-agent", e.RecommendedAction);
        Assert.Same(x, SshTransportException.Find(new HttpRequestException("x", new IOException("y", x))));
        Assert.Contains("known_hosts", new SshTransportException("ssh://h", 255, "Host key verification failed.").ToDockOpt("DOCKER_HOST").RecommendedAction);
    }

    [Fact]
    public void PingHeadersTellDockerFromPodman()
    {
        var docker = new HttpResponseMessage();
        docker.Headers.TryAddWithoutValidation("Server", "Docker/20.10.24+dfsg1 (linux)");
        Assert.Equal(("Docker", "20.10.24+dfsg1"), EngineFlavor.FromPing(docker.Headers));
        // as podman 4.3.1's service answers /_ping (recorded here)
        var podman = new HttpResponseMessage();
        podman.Headers.TryAddWithoutValidation("Server", "Libpod/4.3.1 (linux)");
        podman.Headers.TryAddWithoutValidation("Libpod-Api-Version", "4.3.1");
        podman.Headers.TryAddWithoutValidation("Builder-Version", "");
        Assert.Equal(("Podman", "4.3.1"), EngineFlavor.FromPing(podman.Headers));
        Assert.Equal((null, null), EngineFlavor.FromPing(new HttpResponseMessage().Headers));
    }

    [Theory]
    [InlineData("127.0.0.1:5000/app", true)]
    [InlineData("localhost:5000/team/app", true)]
    [InlineData("[::1]:5000/app", true)]
    [InlineData("127.8.9.1/app", true)]
    [InlineData("registry.example:5000/app", false)]
    [InlineData("team/app", false)]
    [InlineData("app", false)]
    public void LoopbackRegistriesAreTheOnesDockerdAllowsOverHttp(string name, bool loopback) =>
        Assert.Equal(loopback, PodmanCompatHandler.IsLoopbackRegistry(PodmanCompatHandler.RegistryHost(name)));

    [Fact]
    public void AutoTakesClassicOnAnEngineWithoutBuildKitAndBuildKitIsRefusedWithTheReason()
    {
        const string reason = "the engine is Podman 4.3.1 (its /build runs Buildah; it has no BuildKit sessions)";
        Assert.Equal(BuilderKind.Classic, BuildDriver.ChooseBuilder(BuilderKind.Auto, new Version(1, 41), "linux", false, _ => null, reason));
        var e = Assert.Throws<DockOptException>(() => BuildDriver.ChooseBuilder(BuilderKind.BuildKit, new Version(1, 41), "linux", false, _ => null, reason));
        Assert.Equal(ErrorIds.BuildKitUnavailable, e.ErrorId);
        Assert.Contains("Podman 4.3.1", e.Message);
        var secrets = Assert.Throws<DockOptException>(() => BuildDriver.ChooseBuilder(BuilderKind.Auto, new Version(1, 41), "linux", true, _ => null, reason));
        Assert.Equal(ErrorIds.BuildKitUnavailable, secrets.ErrorId);
    }

    [Fact]
    public void APodmanHealthcheckIsDueOneIntervalAfterTheStartOrTheLastCheck()
    {
        // State and Config as podman 4.3.1's GET /containers/{id}/json answered for a HEALTHCHECK --interval=1s image
        static System.Text.Json.Nodes.JsonObject Inspect(string log) => (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(
            "{\"State\":{\"Status\":\"running\",\"Running\":true,\"StartedAt\":\"2026-12-01T18:34:37.1Z\",\"Health\":{\"Status\":\"starting\",\"FailingStreak\":0,\"Log\":" + log + "}}," +
            "\"Config\":{\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"true\"],\"Interval\":1000000000,\"Timeout\":30000000000}}}")!;
        var started = DateTimeOffset.Parse("2026-12-01T18:34:37.1Z");
        Assert.False(PodmanCompatHandler.HealthcheckDue(Inspect("null"), started.AddMilliseconds(500)));
        Assert.True(PodmanCompatHandler.HealthcheckDue(Inspect("null"), started.AddSeconds(1)));
        var afterOne = Inspect("[{\"Start\":\"2026-12-01T18:34:39.298530392Z\",\"End\":\"2026-12-01T18:34:39.513082441Z\",\"ExitCode\":0,\"Output\":\"\"}]");
        Assert.False(PodmanCompatHandler.HealthcheckDue(afterOne, DateTimeOffset.Parse("2026-12-01T18:34:40.0Z")));
        Assert.True(PodmanCompatHandler.HealthcheckDue(afterOne, DateTimeOffset.Parse("2026-12-01T18:34:40.6Z")));
        var stopped = Inspect("null");
        stopped["State"]!["Running"] = false;
        Assert.False(PodmanCompatHandler.HealthcheckDue(stopped, started.AddMinutes(1)));
    }
}
