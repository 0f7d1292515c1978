using System.Diagnostics;
using System.IO.Compression;
using DockOpt.Engine.Building;

namespace DockOpt.Engine.Tests.Building;

/// <summary>
/// The context tar, byte for byte, against what the docker CLI (28.2, legacy builder) sent for the same context,
/// captured by tests/tools/capture-build-context.py: every header case (modes with setuid and sticky bits, empty and
/// multi-chunk files, ustar prefix split, PAX path/linkpath/mtime records, hard link, FIFO, dangling symlink) and the
/// .dockerignore walk with an exception.
/// </summary>
public sealed class TarBytesTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "dockopt-b-tar-" + Guid.NewGuid().ToString("n"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }

    static string DataFile(string name, [System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "Data", name);

    static byte[] CliTar()
    {
        using var gz = new GZipStream(File.OpenRead(DataFile("cli-tar-edge-context.tar.gz")), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    void MakeContext()
    {
        Precondition.RequireHost(OperatingSystem.IsLinux(), "the fixture script needs sh, mkfifo and touch -h, and the captured tar has Linux modes (Linux only)");
        var psi = new ProcessStartInfo("sh") { RedirectStandardError = true };
        psi.ArgumentList.Add(DataFile("make-tar-edge-context.sh"));
        psi.ArgumentList.Add(_root);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, "make-tar-edge-context.sh failed: " + err);
    }

    /// <summary>Where two tars first differ, named by the entry whose header or content holds that byte.</summary>
    static string FirstDifference(byte[] expected, byte[] actual)
    {
        var n = Math.Min(expected.Length, actual.Length);
        var i = 0;
        while (i < n && expected[i] == actual[i]) i++;
        if (i == n && expected.Length == actual.Length) return "identical";
        var entry = "?";
        using (var ms = new MemoryStream(expected))
        using (var r = new System.Formats.Tar.TarReader(ms))
        {
            while (r.GetNextEntry() is { } e)
            {
                if (i < ms.Position + ((e.Length + 511) / 512 * 512))
                {
                    entry = e.Name;
                    break;
                }
            }
        }
        return $"first difference at byte {i} (block {i / 512}, offset {i % 512}), in or before entry '{entry}'; lengths {expected.Length} vs {actual.Length}";
    }

    [SkippableFact]
    public void ContextTar_IsByteForByteTheDockerClis()
    {
        MakeContext();
        var expected = CliTar();
        var ctx = BuildContext.Prepare(_root, null, _root);
        using var ms = new MemoryStream();
        var written = ctx.WriteTo(ms, CancellationToken.None);
        var actual = ms.ToArray();
        Assert.Equal(actual.Length, written);
        Assert.True(expected.AsSpan().SequenceEqual(actual), FirstDifference(expected, actual));
        Assert.Equal(28, ctx.EntryCount); // 30 names less a.tmp and skipped/ (excluded); keep.tmp kept by its exception
    }

    [SkippableFact]
    public void ContextTar_ReadsBackWithEveryHeaderCase()
    {
        MakeContext();
        var ctx = BuildContext.Prepare(_root, null, _root);
        using var ms = new MemoryStream();
        ctx.WriteTo(ms, CancellationToken.None);
        ms.Position = 0;
        var entries = new Dictionary<string, System.Formats.Tar.TarEntry>();
        using (var r = new System.Formats.Tar.TarReader(ms))
            while (r.GetNextEntry(copyData: true) is { } e) entries[e.Name] = e;

        var d60 = new string('d', 60);
        var split = $"{d60}/{new string('e', 50)}/{new string('f', 30)}.txt";
        Assert.True(entries.ContainsKey(split), "the 146-character path split into ustar prefix and name");
        var p90 = new string('p', 90);
        Assert.True(entries.ContainsKey($"deep/{p90}/{p90}/{p90}/x.txt"), "a 283-character path travels as a PAX path record");
        Assert.True(entries.ContainsKey(new string('n', 120)), "a 120-character name travels as a PAX path record");
        Assert.True(entries.ContainsKey("café.txt"));
        Assert.Equal(new string('t', 150), entries["link-long"].LinkName);
        Assert.Equal("café.txt", entries["link-utf8"].LinkName);
        Assert.Equal("nowhere", entries["link-dangling"].LinkName);
        Assert.Equal(System.Formats.Tar.TarEntryType.HardLink, entries["plain.txt"].EntryType);
        Assert.Equal("hard.txt", entries["plain.txt"].LinkName);
        Assert.Equal(System.Formats.Tar.TarEntryType.Fifo, entries["fifo"].EntryType);
        Assert.Equal(new DateTimeOffset(1960, 1, 1, 0, 0, 0, TimeSpan.Zero), entries["old.txt"].ModificationTime);
        Assert.Equal((UnixFileMode)0x9ED, entries["suid.bin"].Mode); // 04755
        Assert.Equal((UnixFileMode)0x3FF, entries["sticky/"].Mode); // 01777
        Assert.Equal((UnixFileMode)0x180, entries["private.txt"].Mode); // 0600
        Assert.Equal(70000, entries["big.txt"].Length);
        var big = new byte[70000];
        entries["big.txt"].DataStream!.ReadExactly(big);
        Assert.All(big, b => Assert.Equal((byte)'a', b));
        Assert.Equal(0, entries["empty.txt"].Length);
        Assert.True(entries.ContainsKey("keep.tmp"));
        Assert.False(entries.ContainsKey("a.tmp"));
        Assert.DoesNotContain(entries.Keys, k => k.StartsWith("skipped", StringComparison.Ordinal));
    }
}
