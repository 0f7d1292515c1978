using System.Text.RegularExpressions;
using DockOpt.Engine.IO;

namespace DockOpt.Engine.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dockopt-atomic");

    public void Dispose() => _dir.Delete(true);

    [Fact]
    public void ReplacesTheTargetWholeAndLeavesNoTemporaryFile()
    {
        var path = Path.Combine(_dir.FullName, "report.json");
        File.WriteAllText(path, "old content that is longer than the new one");
        AtomicFile.WriteAllText(path, "{\"é\":1}");
        Assert.Equal(new byte[] { (byte)'{', (byte)'"', 0xC3, 0xA9 }, File.ReadAllBytes(path)[..4]); // UTF-8, no BOM
        Assert.Equal("{\"é\":1}", File.ReadAllText(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(_dir.FullName));
    }

    [Fact]
    public void AMissingFolderFailsAndIsNotCreated()
    {
        var missing = Path.Combine(_dir.FullName, "no", "such");
        var e = Assert.Throws<DockOptException>(() => AtomicFile.WriteAllText(Path.Combine(missing, "r.sarif"), "{}"));
        Assert.Equal(ErrorIds.ReportFolderNotFound, e.ErrorId);
        Assert.Equal(DockOptErrorCategory.ObjectNotFound, e.Category);
        Assert.Contains(missing, e.Message);
        Assert.False(Directory.Exists(Path.Combine(_dir.FullName, "no")));
    }

    [Fact]
    public void ATargetThatIsAFolderFailsWithReportWriteFailedAndCleansUp()
    {
        var target = Directory.CreateDirectory(Path.Combine(_dir.FullName, "report.xml")).FullName;
        var e = Assert.Throws<DockOptException>(() => AtomicFile.WriteAllText(target, "<x/>"));
        Assert.Equal(ErrorIds.ReportWriteFailed, e.ErrorId);
        Assert.Equal(DockOptErrorCategory.WriteError, e.Category);
        Assert.Empty(Directory.GetFiles(_dir.FullName)); // the temporary file is gone
    }

    [Fact]
    public void AWriterThatThrowsAnIOExceptionLeavesTheOldFile()
    {
        var path = Path.Combine(_dir.FullName, "r.txt");
        File.WriteAllText(path, "old");
        var e = Assert.Throws<DockOptException>(() => AtomicFile.Write(path, s => { s.WriteByte(1); throw new IOException("disk full"); }));
        Assert.Equal(ErrorIds.ReportWriteFailed, e.ErrorId);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(_dir.FullName));
    }

    [Fact]
    public void EveryReportWriterGoesThroughIt()
    {
        // The temp-and-rename pattern lives in AtomicFile only: no other engine or cmdlet source calls File.Move. The one
        // exception is the vulnerability database download, which moves a verified zip and its index as a pair.
        var src = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src"));
        Assert.True(Directory.Exists(src), src);
        var offenders = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.EndsWith("AtomicFile.cs"))
            .Where(f => !f.EndsWith("VulnerabilityDatabaseStore.cs") || Regex.Matches(File.ReadAllText(f), @"File\.Move\(").Count != 2)
            .Where(f => File.ReadAllText(f).Contains("File.Move("))
            .ToList();
        Assert.Empty(offenders);
    }
}
