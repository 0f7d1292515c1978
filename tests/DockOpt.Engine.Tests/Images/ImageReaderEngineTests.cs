using System.Diagnostics;
using DockOpt.Engine.DockerApi;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Tests.Images;

/// <summary>Reads a real image from the local engine's export endpoint (needs Docker and dockopt/busybox:latest).</summary>
public class ImageReaderEngineTests
{
    static string? Docker(params string[] args)
    {
        try
        {
            var p = Process.Start(Psi(args))!;
            var o = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? o.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    static ProcessStartInfo Psi(string[] args)
    {
        var psi = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    [SkippableFact]
    public async Task EngineExport_Busybox_DiffIdsAndFilesMatchDocker()
    {
        var layers = Docker("image", "inspect", "dockopt/busybox:latest", "--format", "{{join .RootFS.Layers \",\"}}");
        Precondition.Require(layers != null, "needs a Docker engine and dockopt/busybox:latest (Bootstrap pulls it)");
        using var engine = await DockerEngine.ConnectAsync(new EngineOptions(), CancellationToken.None);
        var v = new RecordingVisitor();
        await ImageReader.ReadAsync(ImageSource.FromEngine(engine, "dockopt/busybox:latest"), v, CancellationToken.None);
        Assert.Equal(layers!.Split(','), v.Image!.Layers.Select(l => l.DiffId));
        Assert.Contains(v.Entries, e => e.Path == "bin/busybox" && e.Kind == LayerEntryKind.RegularFile && e.Size > 500_000);
    }

    [SkippableFact]
    public async Task EngineExport_UnknownImage_ImageNotFound()
    {
        Precondition.Require(Docker("version", "--format", "{{.Server.APIVersion}}") != null, "needs a Docker engine");
        using var engine = await DockerEngine.ConnectAsync(new EngineOptions(), CancellationToken.None);
        var ex = await Assert.ThrowsAsync<DockOptException>(() =>
            ImageReader.ReadAsync(ImageSource.FromEngine(engine, "dockopt-analysis-nonexistent:none"), new RecordingVisitor(), CancellationToken.None));
        Assert.Equal("ImageNotFound", ex.ErrorId);
    }
}
