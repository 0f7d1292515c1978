using System.Diagnostics;
using DockOpt.Engine.Analysis;
using DockOpt.Engine.DockerApi;

namespace DockOpt.Engine.Tests.Analysis;

/// <summary>ImageFileDiff.CompareAsync against the local engine (needs Docker and dockopt/busybox:latest).</summary>
public class ImageFileDiffEngineTests
{
    static (int Code, string Out) Docker(string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin != null };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOCKER_BUILDKIT"] = "0";
        try
        {
            using var p = Process.Start(psi)!;
            if (stdin != null)
            {
                p.StandardInput.Write(stdin);
                p.StandardInput.Close();
            }
            var o = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, o.Trim());
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (-1, "");
        }
    }

    [SkippableFact]
    public async Task CompareAsync_BusyboxAndADerivedImage()
    {
        Precondition.Require(Docker(null, "image", "inspect", "dockopt/busybox:latest").Code == 0, "needs a Docker engine and dockopt/busybox:latest (Bootstrap pulls it)");
        var groupBytes = long.Parse(Docker(null, "run", "--rm", "dockopt/busybox:latest", "wc", "-c", "/etc/group").Out.Split(' ')[0]);
        var tag = "dockopt-analysis-diff-" + Guid.NewGuid().ToString("n").Substring(0, 8) + ":t";
        var build = Docker("FROM dockopt/busybox:latest\nRUN echo hello > /x && chmod 600 /etc/passwd && rm /etc/group\n", "build", "-q", "-t", tag, "-");
        Assert.Equal(0, build.Code);
        try
        {
            using var engine = await DockerEngine.ConnectAsync(new EngineOptions(), CancellationToken.None);
            var changes = await ImageFileDiff.CompareAsync(engine, "dockopt/busybox:latest", tag, NullSink.Instance, CancellationToken.None, new LayerScanCache());
            var files = changes.Where(c => !c.IsRollup).ToDictionary(c => c.Path);
            Assert.Equal(3, files.Count);
            Assert.Equal("Added", files["/x"].Change);
            Assert.Equal(6, files["/x"].SizeDelta);
            Assert.Equal("Modified", files["/etc/passwd"].Change);
            Assert.True(files["/etc/passwd"].ModeChanged);
            Assert.False(files["/etc/passwd"].ContentChanged);
            Assert.Equal("0600", files["/etc/passwd"].NewMode);
            Assert.Equal("Removed", files["/etc/group"].Change);
            Assert.Equal(-groupBytes, files["/etc/group"].SizeDelta);
            var etc = changes.Single(c => c.IsRollup && c.Path == "/etc");
            Assert.Equal(-groupBytes, etc.SizeDelta);
            Assert.Equal(1, etc.FilesRemoved);
            Assert.Equal(1, etc.FilesModified);
        }
        finally
        {
            Docker(null, "image", "rm", "-f", tag);
        }
    }
}
