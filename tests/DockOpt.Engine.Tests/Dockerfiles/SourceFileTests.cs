using System.Diagnostics;
using System.Text;
using DockOpt.Engine.Building;
using DockOpt.Engine.Dockerfiles;
using DockOpt.Engine.History;

namespace DockOpt.Engine.Tests.Dockerfiles;

/// <summary>Issue 18 items 2, 4 and 7: -Fix rewrites keep what they do not fix; special files fail at once; clear Dockerfile errors.</summary>
public sealed class SourceFileTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("h10-sourcefile-").FullName;
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    string Fifo(string name)
    {
        var path = Path.Combine(_dir, name);
        var p = Process.Start(new ProcessStartInfo("mkfifo", path) { UseShellExecute = false })!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        return path;
    }

    /// <summary>Runs <paramref name="action"/> on a worker; a hang fails the test after 10 s instead of blocking the run.</summary>
    static DockOptException Throws(Action action)
    {
        var t = Task.Run(action);
        try
        {
            if (!t.Wait(TimeSpan.FromSeconds(10))) throw new Xunit.Sdk.XunitException("hung on a FIFO for 10 s");
        }
        catch (AggregateException a) when (a.InnerException is DockOptException d) { return d; }
        throw new Xunit.Sdk.XunitException("expected a DockOptException, got none");
    }

    [Fact]
    public void AFifoAsDockerfileFailsAtOnceWithFileNotRegular()
    {
        var fifo = Fifo("Dockerfile");
        Assert.Equal(SourceFile.Kind.Fifo, SourceFile.KindOf(fifo));
        var e = Throws(() => SourceFile.ReadBytes(fifo, "Dockerfile"));
        Assert.Equal(ErrorIds.FileNotRegular, e.ErrorId);
        Assert.Contains("FIFO", e.Message);
    }

    [Fact]
    public void ASymlinkToAFifoIsRefusedAndASymlinkToAFileIsRead()
    {
        var fifo = Fifo("pipe");
        var link = Path.Combine(_dir, "Dockerfile");
        File.CreateSymbolicLink(link, fifo);
        Assert.Equal(ErrorIds.FileNotRegular, Throws(() => SourceFile.ReadBytes(link, "Dockerfile")).ErrorId);
        var real = Path.Combine(_dir, "real");
        File.WriteAllText(real, "FROM alpine\n");
        var link2 = Path.Combine(_dir, "Dockerfile2");
        File.CreateSymbolicLink(link2, real);
        Assert.Equal("FROM alpine\n", Encoding.UTF8.GetString(SourceFile.ReadBytes(link2, "Dockerfile")));
    }

    [Fact]
    public void AFifoAsDockerignoreFailsTheLintAtOnce()
    {
        Fifo(".dockerignore");
        var df = Path.Combine(_dir, "Dockerfile");
        File.WriteAllText(df, "FROM alpine\nCOPY . /app\n");
        var e = Throws(() => DockerfileLinter.Lint(File.ReadAllText(df), df, new LintOptions()));
        Assert.Equal(ErrorIds.FileNotRegular, e.ErrorId);
        Assert.Contains(".dockerignore", e.Message);
    }

    [Fact]
    public void AFifoAsHistoryFileFailsAtOnceOnAppendAndRead()
    {
        var fifo = Fifo("history.jsonl");
        var store = new HistoryStore(fifo);
        Assert.Equal(ErrorIds.FileNotRegular, Throws(() => store.Read().ToList()).ErrorId);
        Assert.Equal(ErrorIds.FileNotRegular, Throws(() => store.Append(new HistoryRecord { Kind = "Build", Timestamp = DateTime.UtcNow, Image = "app:1" })).ErrorId);
    }

    [Fact]
    public void AFifoAsBuildDockerfileFailsAtOnce()
    {
        var fifo = Fifo("Dockerfile");
        Assert.Equal(ErrorIds.FileNotRegular, Throws(() => BuildDriver.Preflight(fifo, classic: true)).ErrorId);
    }

    [Fact]
    public void RewriteKeepsBomCrlfModeAndBytesOutsideTheEdit()
    {
        var path = Path.Combine(_dir, "Dockerfile");
        var original = "\uFEFFFROM debian:bookworm\r\n# caf\u00e9 \u2603\r\nmaintainer me\r\nRUN echo hi\r\n";
        File.WriteAllBytes(path, new UTF8Encoding(false).GetBytes(original));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead);
        var before = SourceFile.Stat(path);
        Assert.NotNull(before);

        var text = SourceFile.DecodeUtf8Exactly(File.ReadAllBytes(path))!;
        var fixedText = text.Replace("maintainer", "MAINTAINER");
        SourceFile.Rewrite(path, fixedText);

        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        Assert.Equal(new UTF8Encoding(false).GetBytes(original.Replace("maintainer", "MAINTAINER")), bytes);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead, File.GetUnixFileMode(path));
        var after = SourceFile.Stat(path)!.Value;
        Assert.Equal((before!.Value.Uid, before.Value.Gid), (after.Uid, after.Gid));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp", SearchOption.AllDirectories).Concat(Directory.GetFiles(_dir, ".*.tmp")));
    }

    public sealed class RootFactAttribute : FactAttribute
    {
        public RootFactAttribute() { if (Environment.UserName != "root") Skip = "needs root to give a file another owner (chown)."; }
    }

    [RootFact]
    public void RewriteKeepsOwnerAndGroupOfAFileOwnedBySomeoneElse()
    {
        var path = Path.Combine(_dir, "Dockerfile");
        File.WriteAllText(path, "FROM alpine\n");
        var chown = Process.Start(new ProcessStartInfo("chown", $"12345:23456 {path}") { UseShellExecute = false })!;
        chown.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
        SourceFile.Rewrite(path, "FROM alpine:3.19\n");
        var st = SourceFile.Stat(path)!.Value;
        Assert.Equal((12345u, 23456u), (st.Uid, st.Gid));
        Assert.Equal("FROM alpine:3.19\n", File.ReadAllText(path));
    }

    [Fact]
    public void RewriteGoesThroughASymlinkToItsTarget()
    {
        var sub = Directory.CreateDirectory(Path.Combine(_dir, "real")).FullName;
        var target = Path.Combine(sub, "Dockerfile.base");
        File.WriteAllText(target, "FROM alpine\n");
        var link = Path.Combine(_dir, "Dockerfile");
        File.CreateSymbolicLink(link, target);
        SourceFile.Rewrite(link, "FROM alpine:3.19\n");
        Assert.Equal(target, new FileInfo(link).LinkTarget);
        Assert.Equal("FROM alpine:3.19\n", File.ReadAllText(target));
    }

    [Fact]
    public void NonUtf8BytesAreNotDecodedExactly()
    {
        // ISO-8859-1 "café" : 0xE9 is not valid UTF-8, so -Fix refuses instead of turning it into U+FFFD.
        Assert.Null(SourceFile.DecodeUtf8Exactly(new byte[] { 0x23, 0x20, 0x63, 0x61, 0x66, 0xE9, 0x0A }));
        Assert.Equal("\uFEFFFROM a\n", SourceFile.DecodeUtf8Exactly(new byte[] { 0xEF, 0xBB, 0xBF, 0x46, 0x52, 0x4F, 0x4D, 0x20, 0x61, 0x0A }));
    }

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("# syntax=docker/dockerfile:1\n# only a comment\n\n", "only comments")]
    public void EmptyOrCommentOnlyDockerfileSaysItHasNoInstructions(string content, string says)
    {
        var path = Path.Combine(_dir, "Dockerfile");
        File.WriteAllText(path, content);
        var e = Assert.Throws<DockOptException>(() => BuildDriver.Preflight(path, classic: false));
        Assert.Equal(ErrorIds.DockerfileEmpty, e.ErrorId);
        Assert.Contains("no instructions", e.Message);
        Assert.Contains(says, e.Message);
    }

    [Fact]
    public void BinaryDockerfileErrorPrintsNoRawBytes()
    {
        var path = Path.Combine(_dir, "Dockerfile");
        File.WriteAllBytes(path, new byte[] { 0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x00, 0x00, 0x1B, 0x5B, 0x32, 0x4A, 0xFF, 0x00 });
        var e = Assert.Throws<DockOptException>(() => BuildDriver.Preflight(path, classic: false));
        Assert.Equal(ErrorIds.DockerfileBinary, e.ErrorId);
        Assert.DoesNotContain('\0', e.Message);
        Assert.DoesNotContain('\u001B', e.Message);
        Assert.DoesNotContain("ELF", e.Message);
    }

    [Fact]
    public void HeredocOnTheClassicBuilderSaysItNeedsBuildKit()
    {
        var path = Path.Combine(_dir, "Dockerfile");
        File.WriteAllText(path, "FROM alpine\nRUN <<EOF\necho hi\nEOF\n");
        var e = Assert.Throws<DockOptException>(() => BuildDriver.Preflight(path, classic: true));
        Assert.Equal(ErrorIds.DockerfileHeredocNeedsBuildKit, e.ErrorId);
        Assert.Contains("BuildKit's Dockerfile 1.4 frontend", e.Message);
        BuildDriver.Preflight(path, classic: false); // BuildKit takes it
    }
}

public class MessageTextAndHintTests
{
    [Fact]
    public void ALongEngineMessageIsCappedAndSummarised()
    {
        // What the engine answers for a 10,000-line continuation: the whole joined line echoed back (298 KB in the probe).
        var longLine = "dockerfile parse error line 2: unknown instruction: " + string.Concat(Enumerable.Range(0, 10_000).Select(i => $"echo {i} \\\n"));
        var s = MessageText.Summarise(longLine);
        Assert.True(s.Length < MessageText.DefaultMax + 100, $"{s.Length} characters");
        Assert.StartsWith("dockerfile parse error line 2: unknown instruction: echo 0", s);
        Assert.Matches(@"… \([\d,]+ more bytes, [\d,]+ more lines left out\)$", s);
    }

    [Fact]
    public void RawBytesInAMessageAreEscaped()
    {
        var s = MessageText.Summarise("unknown instruction: \u007fELF\u0002\u0001\u0000\u001b[2J");
        Assert.DoesNotContain('\0', s);
        Assert.DoesNotContain('\u001b', s);
        Assert.Contains("\\x00", s);
        Assert.Equal("short", MessageText.Summarise("short"));
    }

    static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d != null && !File.Exists(Path.Combine(d.FullName, "DockOpt.psm1"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("repository root (DockOpt.psm1) not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void EveryCmdletNameInAHintOrMessageExists()
    {
        var root = RepoRoot();
        var sources = Directory.GetFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .ToList();
        var exported = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var verbs = new Dictionary<string, string>
        {
            ["VerbsCommon"] = "", ["VerbsData"] = "", ["VerbsLifecycle"] = "", ["VerbsDiagnostic"] = "", ["VerbsSecurity"] = "", ["VerbsOther"] = "", ["VerbsCommunications"] = "",
        };
        foreach (var f in sources)
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(f), @"\[Cmdlet\(\s*(?:Verbs\w+\.)?""?(\w+)""?\s*,\s*""(DockOpt\w+)"""))
                exported.Add(m.Groups[1].Value + "-" + m.Groups[2].Value);
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(Path.Combine(root, "DockOpt.psm1")), @"function\s+(\w+-DockOpt\w+)"))
            exported.Add(m.Groups[1].Value);
        Assert.Contains("Test-DockOptDockerfile", exported);
        Assert.Contains("Invoke-DockOptBuild", exported);

        var missing = new List<string>();
        foreach (var f in sources)
        {
            var text = File.ReadAllText(f);
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(text, @"\b([A-Z][a-z]+-DockOpt[A-Za-z]+)"))
                if (!exported.Contains(m.Groups[1].Value)) missing.Add($"{Path.GetRelativePath(root, f)}: {m.Groups[1].Value}");
        }
        Assert.True(missing.Count == 0, "hints or messages name cmdlets that do not exist:\n" + string.Join("\n", missing.Distinct()));
    }
}

public class HistoryReadOnlyTests
{
    static int Run(string file, string args)
    {
        try
        {
            var p = Process.Start(new ProcessStartInfo(file, args) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true })!;
            p.WaitForExit();
            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception) { return -1; }
    }

    public sealed class ReadOnlyMountFactAttribute : FactAttribute
    {
        public ReadOnlyMountFactAttribute()
        {
            if (!OperatingSystem.IsLinux() || Environment.UserName != "root") { Skip = "needs root on Linux to mount a read-only tmpfs."; return; }
            var probe = Directory.CreateTempSubdirectory("h10-romount-probe-").FullName;
            if (Run("mount", $"-t tmpfs -o ro,size=64k tmpfs {probe}") != 0) Skip = "mount -t tmpfs -o ro is not permitted here (no CAP_SYS_ADMIN).";
            else Run("umount", probe);
            Directory.Delete(probe);
        }
    }

    [ReadOnlyMountFact]
    public void AReadOnlyFileSystemIsReportedAtOnceNotAsALock()
    {
        var dir = Directory.CreateTempSubdirectory("h10-romount-").FullName;
        Assert.Equal(0, Run("mount", $"-t tmpfs -o ro,size=64k tmpfs {dir}"));
        try
        {
            var store = new HistoryStore(Path.Combine(dir, "history.jsonl")) { LockTimeout = TimeSpan.FromSeconds(20) };
            var sw = Stopwatch.StartNew();
            var e = Assert.Throws<DockOptException>(() => store.Append(new HistoryRecord { Kind = "Build", Timestamp = DateTime.UtcNow, Image = "app:1" }));
            sw.Stop();
            Assert.Equal(ErrorIds.HistoryReadOnly, e.ErrorId);
            Assert.Contains("read-only", e.Message);
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed.TotalSeconds:F1} s: EROFS was retried like a lock");
        }
        finally
        {
            Run("umount", dir);
            Directory.Delete(dir);
        }
    }
}
