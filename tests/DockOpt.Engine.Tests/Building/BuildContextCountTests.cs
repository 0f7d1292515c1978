using System.Net.Sockets;
using DockOpt.Engine.Building;

namespace DockOpt.Engine.Tests.Building;

/// <summary>Issue 18 items 5 and 9: what the context counts, and a -Dockerfile that is a broken symbolic link.</summary>
public sealed class BuildContextCountTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "dockopt-h12-" + Guid.NewGuid().ToString("n"));

    public BuildContextCountTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, true);

    [Fact]
    public void SkippedSocket_DoesNotCountAsAnEntry()
    {
        File.WriteAllText(Path.Combine(_root, "Dockerfile"), "FROM scratch\n");
        File.WriteAllText(Path.Combine(_root, "app.txt"), "x");
        using var sock = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        sock.Bind(new UnixDomainSocketEndPoint(Path.Combine(_root, "agent.sock")));
        Assert.True(File.Exists(Path.Combine(_root, "agent.sock")) || new FileInfo(Path.Combine(_root, "agent.sock")).Exists);

        var ctx = BuildContext.Prepare(_root, null, _root);
        using var ms = new MemoryStream();
        ctx.WriteTo(ms, CancellationToken.None);
        ms.Position = 0;
        var names = new List<string>();
        using (var r = new System.Formats.Tar.TarReader(ms))
            while (r.GetNextEntry() is { } e) names.Add(e.Name);
        Assert.DoesNotContain("agent.sock", names);
        Assert.Equal(new[] { "Dockerfile", "app.txt" }, names.OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(names.Count, ctx.EntryCount); // 2, not 3
    }

    [Fact]
    public void DanglingSymlinkDockerfile_IsDockerfileNotFound_SayingSo()
    {
        var link = Path.Combine(_root, "Dockerfile.link");
        File.CreateSymbolicLink(link, Path.Combine(_root, "gone"));
        var ex = Assert.Throws<DockOptException>(() => BuildContext.Prepare(_root, link, _root));
        Assert.Equal("DockerfileNotFound", ex.ErrorId);
        Assert.Contains("dangling", ex.Message);
        Assert.NotNull(ex.RecommendedAction);
    }

    [Fact]
    public void LoopingSymlinkDockerfile_IsDockerfileNotFound_SayingSo()
    {
        var a = Path.Combine(_root, "a");
        var b = Path.Combine(_root, "b");
        File.CreateSymbolicLink(a, b);
        File.CreateSymbolicLink(b, a);
        var ex = Assert.Throws<DockOptException>(() => BuildContext.Prepare(_root, a, _root));
        Assert.Equal("DockerfileNotFound", ex.ErrorId);
        Assert.Contains("loops", ex.Message);
    }
}
