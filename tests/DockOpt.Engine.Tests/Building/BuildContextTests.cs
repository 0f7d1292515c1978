using System.Formats.Tar;
using DockOpt.Engine.Building;

namespace DockOpt.Engine.Tests.Building;

public sealed class BuildContextTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "dockopt-ctx-" + Guid.NewGuid().ToString("n"));

    public BuildContextTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, true);

    void Write(string rel, string content = "x")
    {
        var p = Path.Combine(_root, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(p)!);
        File.WriteAllText(p, content);
    }

    static Dictionary<string, TarEntry> Read(BuildContext ctx, out long bytes)
    {
        using var ms = new MemoryStream();
        bytes = ctx.WriteTo(ms, CancellationToken.None);
        ms.Position = 0;
        var result = new Dictionary<string, TarEntry>();
        using var reader = new System.Formats.Tar.TarReader(ms);
        while (reader.GetNextEntry(copyData: true) is { } e)
            result[e.Name] = e;
        return result;
    }

    [Fact]
    public void PacksLikeTheCliWithExceptionsSymlinksAndModes()
    {
        Write("Dockerfile", "FROM scratch\n");
        Write(".dockerignore", "**/*.pyc\n!src/deep/x.pyc\nlogs/\n!logs/keep.log\nnode_modules\n!node_modules/keep\n/rooted.txt\nDockerfile\n.dockerignore\n");
        Write("src/app.py");
        Write("src/a.pyc");
        Write("src/deep/x.pyc", "keep me");
        Write("src/deep/y.pyc");
        Write("logs/a.log");
        Write("logs/keep.log");
        Write("node_modules/pkg/index.js");
        Write("node_modules/keep/index.js");
        Write("rooted.txt");
        Write("sub/rooted.txt");
        File.CreateSymbolicLink(Path.Combine(_root, "link"), "src/app.py");
        File.SetUnixFileMode(Path.Combine(_root, "src/app.py"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var mtime = new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(Path.Combine(_root, "src/app.py"), mtime.AddMilliseconds(700));

        var ctx = BuildContext.Prepare(_root, null, _root);
        Assert.Equal("Dockerfile", ctx.ApiDockerfile);
        Assert.Contains("!.dockerignore", ctx.Excludes);
        Assert.Contains("!Dockerfile", ctx.Excludes);
        var entries = Read(ctx, out var bytes);
        var names = entries.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
        Assert.Equal(new[]
        {
            ".dockerignore", "Dockerfile", "link", "logs/keep.log", "node_modules/keep/", "node_modules/keep/index.js",
            "src/", "src/app.py", "src/deep/", "src/deep/x.pyc", "sub/", "sub/rooted.txt",
        }, names);
        Assert.Equal(TarEntryType.SymbolicLink, entries["link"].EntryType);
        Assert.Equal("src/app.py", entries["link"].LinkName);
        var app = entries["src/app.py"];
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, app.Mode);
        Assert.Equal(mtime, app.ModificationTime.UtcDateTime); // truncated to the second
        Assert.Equal(0, app.Uid);
        Assert.Equal(0, app.Gid);
        Assert.Equal(TarEntryType.Directory, entries["src/"].EntryType);
        Assert.Equal(new FileInfo(Path.Combine(_root, "src/deep/x.pyc")).Length, entries["src/deep/x.pyc"].Length);
        Assert.Equal(0, bytes % 512);
    }

    [Fact]
    public void HardLinksBecomeLinkEntries()
    {
        Write("Dockerfile");
        Write("a.txt", "same");
        var rc = System.Diagnostics.Process.Start("ln", new[] { Path.Combine(_root, "a.txt"), Path.Combine(_root, "b.txt") });
        rc.WaitForExit();
        var entries = Read(BuildContext.Prepare(_root, null, _root), out _);
        Assert.Equal(TarEntryType.HardLink, entries["b.txt"].EntryType);
        Assert.Equal("a.txt", entries["b.txt"].LinkName);
    }

    [Fact]
    public void DockerfileOutsideTheContextTravelsUnderARandomName()
    {
        var ctxDir = Path.Combine(_root, "ctx");
        Write("ctx/app.txt");
        Write("ctx/.dockerignore", "*.log");
        Write("elsewhere/Dockerfile", "FROM scratch\nCOPY . /\n");
        var ctx = BuildContext.Prepare(ctxDir, Path.Combine(_root, "elsewhere/Dockerfile"), _root);
        Assert.NotNull(ctx.OutsideDockerfileName);
        Assert.Matches("^\\.dockerfile\\.[0-9a-f]{20}$", ctx.ApiDockerfile);
        var entries = Read(ctx, out _);
        var df = entries[ctx.ApiDockerfile];
        using (var r = new StreamReader(df.DataStream!)) Assert.Equal("FROM scratch\nCOPY . /\n", r.ReadToEnd());
        using (var r = new StreamReader(entries[".dockerignore"].DataStream!)) Assert.Equal("*.log\n" + ctx.ApiDockerfile + "\n", r.ReadToEnd());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, df.Mode);
    }

    [Fact]
    public void DockerfileSpecificIgnoreFileWins()
    {
        Write("Dockerfile.prod");
        Write("Dockerfile.prod.dockerignore", "secret.txt");
        Write(".dockerignore", "public.txt");
        Write("secret.txt");
        Write("public.txt");
        var ctx = BuildContext.Prepare(_root, Path.Combine(_root, "Dockerfile.prod"), _root);
        var entries = Read(ctx, out _);
        Assert.DoesNotContain("secret.txt", entries.Keys);
        Assert.Contains("public.txt", entries.Keys);
    }

    [Fact]
    public void MissingDockerfileAndBadPatternsHaveTheirOwnErrors()
    {
        var e = Assert.Throws<DockOptException>(() => BuildContext.Prepare(_root, null, _root));
        Assert.Equal("DockerfileNotFound", e.ErrorId);
        Write("Dockerfile");
        Write(".dockerignore", "[\n");
        Assert.Equal("InvalidDockerignore", Assert.Throws<DockOptException>(() => BuildContext.Prepare(_root, null, _root)).ErrorId);
        Assert.Equal("BuildContextNotFound", Assert.Throws<DockOptException>(() => BuildContext.Prepare(Path.Combine(_root, "nope"), null, _root)).ErrorId);
    }

    [SkippableFact]
    public void UnreadableIncludedFileFailsButAnExcludedOneDoesNot()
    {
        Precondition.RequireHost(Environment.UserName != "root", "root reads every file, so nothing is unreadable; run as a non-root user (the Pester suite covers this case as non-root)");
        Write("Dockerfile");
        Write("secret.key");
        File.SetUnixFileMode(Path.Combine(_root, "secret.key"), UnixFileMode.None);
        var e = Assert.Throws<DockOptException>(() => Read(BuildContext.Prepare(_root, null, _root), out _));
        Assert.Equal("BuildContextUnreadable", e.ErrorId);
        Write(".dockerignore", "*.key");
        Read(BuildContext.Prepare(_root, null, _root), out _);
    }
}
