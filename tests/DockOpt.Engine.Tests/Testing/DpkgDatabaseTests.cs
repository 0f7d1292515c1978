using System.Text;
using DockOpt.Engine.Images;
using DockOpt.Engine.Security;
using DockOpt.Engine.Security.Packages;
using DockOpt.Engine.Testing;
using DockOpt.Engine.Tests.Images;

namespace DockOpt.Engine.Tests.Testing;

/// <summary>
/// Debian's package database in distroless's layout (/var/lib/dpkg/status.d, one file per package; Data/distroless, made
/// as distroless's build makes it, see its README) read through the one reader the scan inventory and the image tests share.
/// </summary>
public class DpkgDatabaseTests
{
    static string StatusD([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "Data", "distroless", "var", "lib", "dpkg", "status.d");

    static Dictionary<string, string> DataFiles() => Directory.GetFiles(StatusD())
        .ToDictionary(f => DpkgDatabase.StatusDirectory + "/" + Path.GetFileName(f), File.ReadAllText);

    [Fact]
    public void The_status_d_files_of_a_distroless_image_give_one_package_each_and_their_md5sums_none()
    {
        var files = DataFiles();
        Assert.Equal(8, files.Count); // four packages, each with its .md5sums
        var pkgs = DpkgDatabase.Read(files)!;
        Assert.Equal(new[] { "base-files", "libc6", "libssl3", "netbase" }, pkgs.Select(p => p.Name).Order());
        var libc = pkgs.Single(p => p.Name == "libc6");
        Assert.Equal(("deb", "2.36-9+deb12u14", "glibc", "2.36-9+deb12u14", "amd64"), (libc.Type, libc.Version, libc.SourceName, libc.SourceVersion, libc.Architecture));
        Assert.Equal("3.0.20-1~deb12u2", pkgs.Single(p => p.Name == "libssl3").Version);
        Assert.All(pkgs, p => Assert.Equal(files[DpkgDatabase.StatusDirectory + "/" + p.Name].Split('\n').Single(l => l.StartsWith("Version: ")).Substring(9), p.Version));
    }

    [Theory]
    [InlineData("var/lib/dpkg/status", true)]
    [InlineData("var/lib/dpkg/status.d/libc6", true)]
    [InlineData("var/lib/dpkg/status.d/libc6.md5sums", false)]
    [InlineData("var/lib/dpkg/status.d/", false)]
    [InlineData("var/lib/dpkg/status.d/sub/x", false)]
    [InlineData("var/lib/dpkg/status-old", false)]
    [InlineData("var/lib/dpkg/info/libc6.list", false)]
    public void The_scan_inventory_classifies_database_files_by_the_same_rule(string path, bool isDb)
    {
        Assert.Equal(isDb, DpkgDatabase.IsDatabasePath(path));
        Assert.Equal(isDb, PackageParsers.Classify(path) == "dpkg");
    }

    [Fact]
    public void Both_layouts_together_list_each_package_once_and_neither_is_null()
    {
        var files = DataFiles();
        files[DpkgDatabase.StatusFile] = "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u14\nArchitecture: amd64\n\nPackage: gone\nStatus: deinstall ok config-files\nVersion: 1\n";
        var pkgs = DpkgDatabase.Read(files)!;
        Assert.Single(pkgs, p => p.Name == "libc6");
        Assert.DoesNotContain(pkgs, p => p.Name == "gone");
        Assert.Null(DpkgDatabase.Read(new Dictionary<string, string> { ["etc/passwd"] = "root:x:0:0::/:/bin/sh\n" }));
    }

    [Fact]
    public async Task The_layer_reader_lists_a_folders_files_with_content_as_the_final_filesystem_shows_them()
    {
        var l1 = new LayerBuilder().Dir("var/lib/dpkg/status.d");
        foreach (var f in Directory.GetFiles(StatusD()).Order()) l1.File("var/lib/dpkg/status.d/" + Path.GetFileName(f), File.ReadAllBytes(f));
        var l2 = new LayerBuilder().Whiteout("var/lib/dpkg/status.d/netbase").File("var/lib/dpkg/status.d/sub-not-listed", "x").Dir("var/lib/dpkg/status.d/deeper").File("var/lib/dpkg/status.d/deeper/no", "y");
        var archive = TestArchives.DockerSave(l1.Build(), l2.Build());
        var src = new LayerFileSource(_ => ImageSource.FromStream(_ => Task.FromResult<Stream>(new MemoryStream(archive)), "test"));
        var r = await src.ReadDirectoryAsync("img", "/var/lib/dpkg/status.d", CancellationToken.None);
        Assert.DoesNotContain("/var/lib/dpkg/status.d/netbase", r.Keys);          // whited out above
        Assert.DoesNotContain("/var/lib/dpkg/status.d/deeper/no", r.Keys);        // not directly in the folder
        Assert.Equal(File.ReadAllText(Path.Combine(StatusD(), "libc6")), Encoding.UTF8.GetString(r["/var/lib/dpkg/status.d/libc6"].Content!));
        var pkgs = DpkgDatabase.Read(r.Select(kv => KeyValuePair.Create(kv.Key.TrimStart('/'), Encoding.UTF8.GetString(kv.Value.Content!))))!;
        Assert.Equal(new[] { "base-files", "libc6", "libssl3" }, pkgs.Select(p => p.Name).Order());
        Assert.Empty(await src.ReadDirectoryAsync("img", "/var/lib/apk", CancellationToken.None));
    }

    [Fact]
    public void The_package_check_reads_status_d_when_there_is_no_status_file()
    {
        var entries = DataFiles().ToDictionary(kv => "/" + kv.Key, kv => (ImageFileEntry?)new ImageFileEntry { Path = "/" + kv.Key, Content = Encoding.UTF8.GetBytes(kv.Value) });
        var spec = SpecReader.ReadYaml("system:\n  packages: [libc6, { name: libssl3, version: '^3\\.0\\.' }, { name: dpkg, installed: false }, nginx]\n", "p.yaml").System;
        var results = SystemChecks.CheckImage(spec, entries, (name, expected, actual, outcome, message) =>
            new ImageTestResult { Name = name, Expected = expected, Actual = actual, Outcome = outcome, Message = message }).ToList();
        Assert.Equal(new[] { ImageTestOutcome.Passed, ImageTestOutcome.Passed, ImageTestOutcome.Passed, ImageTestOutcome.Failed }, results.Select(r => r.Outcome));
        Assert.Equal("2.36-9+deb12u14 (dpkg status.d)", results[0].Actual);
        Assert.Equal("not installed (4 dpkg status.d packages)", results[3].Actual);
    }
}
