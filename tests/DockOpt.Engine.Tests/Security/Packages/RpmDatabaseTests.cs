using System.Diagnostics;
using DockOpt.Engine.Security.Packages;

namespace DockOpt.Engine.Tests.Security.Packages;

/// <summary>A fact that is skipped, with the reason, when a program is not on PATH.</summary>
public sealed class RequiresProgramFactAttribute : FactAttribute
{
    public RequiresProgramFactAttribute(string program)
    {
        if (TestTools.Find(program) == null) Skip = $"'{program}' is not on PATH (on Debian: apt-get install -y {program}).";
    }
}

public static class TestTools
{
    public static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);

    public static string Data(params string[] parts) => Path.Combine(new[] { AppContext.BaseDirectory, "Security", "Packages", "Data" }.Concat(parts).ToArray());

    public static (int Code, string Out, string Err) Run(string program, IEnumerable<string> args, string? stdin = null)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin != null, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        if (stdin != null) { p.StandardInput.Write(stdin); p.StandardInput.Close(); }
        var err = p.StandardError.ReadToEndAsync();
        var o = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, o, err.Result);
    }
}

public class RpmDatabaseTests
{
    const string QueryFormat = "%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\t%{LICENSE}\\t%{VENDOR}\\n";

    static List<string> Lines(IEnumerable<RpmPackage> pkgs) =>
        pkgs.Select(p => string.Join('\t', p.Name, p.Epoch?.ToString() ?? "(none)", p.Version, p.Release, p.Arch, p.SourceRpm, p.License, p.Vendor))
            .OrderBy(s => s, StringComparer.Ordinal).ToList();

    static List<string> Expected(string file) =>
        File.ReadAllLines(TestTools.Data("rpm", file)).Where(l => l.Length > 0).OrderBy(s => s, StringComparer.Ordinal).ToList();

    [Theory]
    [InlineData("h7-rhel9.rpmdb.sqlite", "h7-rhel9.rpmdb.sqlite.rpm-qa.tsv", "sqlite", 43)]
    [InlineData("cbl-mariner-2.0.rpmdb.sqlite", "cbl-mariner-2.0.rpmdb.sqlite.rpm-qa.tsv", "sqlite", 129)]
    [InlineData("libuuid-el8.Packages", "libuuid-el8.Packages.rpm-qa.tsv", "bdb", 1)]
    [InlineData("sle15-bci.Packages.db", "sle15-bci.Packages.db.expected.tsv", "ndb", 35)]
    public void ReaderListsWhatRpmLists(string db, string expected, string format, int count)
    {
        var bytes = File.ReadAllBytes(TestTools.Data("rpm", db));
        Assert.Equal(format, RpmDatabase.Format(bytes));
        var got = Lines(RpmDatabase.Read(bytes));
        Assert.Equal(count, got.Count);
        Assert.Equal(Expected(expected), got);
    }

    [Fact]
    public void HeaderFieldsEpochSourceAndEvr()
    {
        var pkgs = RpmDatabase.Read(File.ReadAllBytes(TestTools.Data("rpm", "h7-rhel9.rpmdb.sqlite")));
        var alpha = pkgs.Single(p => p.Name == "h7-alpha");
        Assert.Equal("2:1.4.2-3.el9_1", alpha.Evr);
        Assert.Equal(("h7-alpha", "1.4.2-3.el9_1"), alpha.Source);
        var noEpoch = pkgs.Single(p => p.Name == "h7-noepoch");
        Assert.Null(noEpoch.Epoch);
        Assert.Equal("3.1-7.el9", noEpoch.Evr);
        Assert.Equal("LGPLv2+ with exceptions", noEpoch.License);
        var uuid = RpmDatabase.Read(File.ReadAllBytes(TestTools.Data("rpm", "libuuid-el8.Packages")))[0];
        Assert.Equal(("util-linux", "2.32.1-42.el8_8"), uuid.Source);
    }

    [Fact]
    public void DamagedDatabasesFailWithInvalidData()
    {
        var bytes = File.ReadAllBytes(TestTools.Data("rpm", "h7-rhel9.rpmdb.sqlite"));
        var cut = bytes[..(bytes.Length / 3)];
        Assert.ThrowsAny<InvalidDataException>(() => RpmDatabase.Read(cut));
        var ndb = File.ReadAllBytes(TestTools.Data("rpm", "sle15-bci.Packages.db"));
        Assert.ThrowsAny<InvalidDataException>(() => RpmDatabase.Read(ndb[..(ndb.Length / 2)]));
        Assert.Throws<InvalidDataException>(() => RpmDatabase.Read(new byte[4096]));
    }

    [Fact]
    public void WalFramesAreLaidOverTheDatabase()
    {
        // A WAL whose only committed frame replaces page 1 with an empty schema page: the Packages table disappears.
        var db = File.ReadAllBytes(TestTools.Data("rpm", "h7-rhel9.rpmdb.sqlite"));
        var pageSize = (db[16] << 8) | db[17];
        var wal = new byte[32 + 24 + pageSize];
        void Be(int at, uint v) { wal[at] = (byte)(v >> 24); wal[at + 1] = (byte)(v >> 16); wal[at + 2] = (byte)(v >> 8); wal[at + 3] = (byte)v; }
        Be(0, 0x377f0682); Be(4, 3007000); Be(8, (uint)pageSize); Be(16, 11); Be(20, 22);
        Be(32, 1); Be(36, 1); Be(40, 11); Be(44, 22);
        db.AsSpan(0, 100).CopyTo(wal.AsSpan(56));
        wal[56 + 100] = 0x0D; // empty table leaf
        Assert.Throws<InvalidDataException>(() => RpmDatabase.Read(db, wal));
        Be(40, 99); // salt mismatch: frame ignored
        Assert.Equal(43, RpmDatabase.Read(db, wal).Count);
    }

    [RequiresProgramFact("rpm")]
    public void RpmItselfAgreesOnTheCommittedDatabases()
    {
        foreach (var (file, backend, name) in new[] { ("h7-rhel9.rpmdb.sqlite", "sqlite", "rpmdb.sqlite"), ("libuuid-el8.Packages", "bdb_ro", "Packages") })
        {
            var root = Directory.CreateTempSubdirectory("dockopt-rpm-");
            try
            {
                Directory.CreateDirectory(Path.Combine(root.FullName, "var/lib/rpm"));
                File.Copy(TestTools.Data("rpm", file), Path.Combine(root.FullName, "var/lib/rpm", name));
                var (code, output, err) = TestTools.Run("rpm", new[] { "--root", root.FullName, "--dbpath", "/var/lib/rpm", "--define", "_db_backend " + backend, "-qa", "--qf", QueryFormat });
                Assert.True(code == 0, err);
                var rpm = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).OrderBy(s => s, StringComparer.Ordinal).ToList();
                Assert.Equal(rpm, Lines(RpmDatabase.Read(File.ReadAllBytes(TestTools.Data("rpm", file)))));
            }
            finally { root.Delete(true); }
        }
    }
}
