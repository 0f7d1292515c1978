using System.Diagnostics;
using DockOpt.Engine.Images;
using DockOpt.Engine.Security;
using DockOpt.Engine.Tests.Images;

namespace DockOpt.Engine.Tests.Security;

/// <summary>The single-pass scanner on synthetic docker-save archives: whiteouts, opaque dirs, overwrites, attribution.</summary>
public class ScannerArchiveTests
{
    static string Key() => "-----BEGIN OPENSSH PRIVATE KEY-----\n" + string.Join("\n", Enumerable.Range(0, 5).Select(i => Convert.ToBase64String(Enumerable.Range(0, 51).Select(j => (byte)(i * 13 + j * 5)).ToArray()))) + "\n-----END OPENSSH PRIVATE KEY-----\n";
    static string Token() => "ghp_" + "Zq7Xw2Lp9Rt4Vn6Bm8Kc1Hs3Jd5Gf0Ay2Ue4T";

    static async Task<ImageScanResult> Scan(params byte[][] layers)
    {
        var tar = TestArchives.DockerSave(layers);
        return await ImageScanner.ScanAsync(ImageSource.FromStream(_ => Task.FromResult<Stream>(new MemoryStream(tar)), "synthetic"), "synthetic",
            new ImageScanOptions(), NullSink.Instance, CancellationToken.None);
    }

    [Fact]
    public async Task Layers_whiteouts_and_attribution()
    {
        var l0 = new LayerBuilder()
            .Dir("etc").File("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n")
            .File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
            .Dir("var").Dir("var/lib").Dir("var/lib/dpkg")
            .File("var/lib/dpkg/status", "Package: a\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0\n\nPackage: b\nStatus: install ok installed\nArchitecture: amd64\nSource: bsrc (0.9)\nVersion: 1:1.0-1\n\nPackage: gone\nStatus: deinstall ok config-files\nVersion: 3\n")
            .Dir("srv").Dir("srv/secrets").File("srv/secrets/id_ed25519", Key())
            .Dir("app").File("app/settings.env", "GITHUB_TOKEN=" + Token() + "\n")
            .Dir("bin").File("bin/sh", new byte[100], 0x1ED)
            .Dir("usr").Dir("usr/bin").File("usr/bin/passwd", new byte[100], 0x9ED) // 04755
            .File("usr/bin/newgrp", new byte[100], 0x9ED)
            .Build();
        var l1 = new LayerBuilder()
            .File("var/lib/dpkg/status", "Package: a\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0\n\nPackage: b\nStatus: install ok installed\nArchitecture: amd64\nSource: bsrc (0.9)\nVersion: 1:2.0-1\n\nPackage: c\nStatus: install ok installed\nArchitecture: all\nVersion: 0.1~rc1\n")
            .Opaque("srv/secrets")
            .Dir("app/node_modules").Dir("app/node_modules/@s").Dir("app/node_modules/@s/x")
            .File("app/node_modules/@s/x/package.json", "{\"name\":\"@s/x\",\"version\":\"1.2.3\"}")
            .File("app/node_modules/@s/x/node_modules_not/package.json", "{\"name\":\"nope\",\"version\":\"0\"}")
            .File("app/web.deps.json", "{\"libraries\":{\"Newtonsoft.Json/13.0.3\":{\"type\":\"package\"},\"web/1.0.0\":{\"type\":\"project\"}}}")
            .Dir("usr/lib").Dir("usr/lib/python3.11").Dir("usr/lib/python3.11/site-packages").Dir("usr/lib/python3.11/site-packages/Foo_Bar-2.0.dist-info")
            .File("usr/lib/python3.11/site-packages/Foo_Bar-2.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: Foo_Bar\nVersion: 2.0\n\nName: not-this\n")
            .Dir("data", 0x1FF)
            .Build();
        var l2 = new LayerBuilder()
            .File("app/settings.env", "GITHUB_TOKEN=${GITHUB_TOKEN}\n")
            .Whiteout("usr/bin/passwd")
            .File("app/world.txt", "x", 0x1B6)
            .Build();
        var r = await Scan(l0, l1, l2);

        Assert.Equal(new[] { LayerBuilder.Sha(l0), LayerBuilder.Sha(l1), LayerBuilder.Sha(l2) }, r.DiffIds);
        Assert.Equal(("debian", "12", "bookworm"), (r.OsId, r.OsVersionId, r.OsCodename));

        var pk = r.Packages.Select(p => $"{p.Type}|{p.Name}|{p.Version}|{p.Layer}|{p.Path}").ToList();
        Assert.Equal(new[]
        {
            "deb|a|1.0|0|var/lib/dpkg/status",
            "deb|b|1:2.0-1|1|var/lib/dpkg/status",
            "deb|c|0.1~rc1|1|var/lib/dpkg/status",
            "npm|@s/x|1.2.3|1|app/node_modules/@s/x/package.json",
            "nuget|Newtonsoft.Json|13.0.3|1|app/web.deps.json",
            "pypi|Foo_Bar|2.0|1|usr/lib/python3.11/site-packages/Foo_Bar-2.0.dist-info/METADATA",
        }, pk);
        var b = r.Packages.Single(p => p.Name == "b");
        Assert.Equal("pkg:deb/debian/b@1:2.0-1?arch=amd64&distro=debian-12&upstream=bsrc", b.Purl);
        Assert.Equal(("bsrc", "0.9", "Debian:12"), (b.SourceName, b.SourceVersion, b.Ecosystem));
        Assert.Equal("pkg:npm/%40s/x@1.2.3", r.Packages.Single(p => p.Type == "npm").Purl);
        Assert.Equal("pkg:pypi/foo-bar@2.0", r.Packages.Single(p => p.Type == "pypi").Purl);

        var secrets = r.Findings.Where(f => f.Kind == "Secret").OrderBy(f => f.RuleId).ToList();
        Assert.Equal(2, secrets.Count);
        Assert.Equal(("DO-SEC-GITHUB-TOKEN", "/app/settings.env:1", "RemovedButExtractable", 0), (secrets[0].RuleId, secrets[0].Location, secrets[0].Status, secrets[0].Layer));
        Assert.Equal(("DO-SEC-PRIVATE-KEY", "/srv/secrets/id_ed25519:1", "RemovedButExtractable", 0), (secrets[1].RuleId, secrets[1].Location, secrets[1].Status, secrets[1].Layer));
        Assert.DoesNotContain(secrets, s => s.Match.Contains(Token()));

        var suid = r.Findings.Where(f => f.RuleId == "DO-CFG-002").Select(f => f.Location).ToList();
        Assert.Equal(new[] { "/usr/bin/newgrp" }, suid); // passwd was deleted by a whiteout
        var ww = r.Findings.Where(f => f.RuleId == "DO-CFG-003").Select(f => (f.Location, f.Layer)).OrderBy(x => x.Location).ToList();
        Assert.Equal(new[] { ("/app/world.txt", 2), ("/data", 1) }, ww);
        Assert.Contains(r.Findings, f => f.RuleId == "DO-CFG-001");  // User "" → root
        Assert.Contains(r.Findings, f => f.RuleId == "DO-CFG-004" && f.Location == "/bin/sh");
    }

    [Fact]
    public async Task Distroless_status_d_and_apk()
    {
        var l0 = new LayerBuilder()
            .Dir("var").Dir("var/lib").Dir("var/lib/dpkg").Dir("var/lib/dpkg/status.d")
            .File("var/lib/dpkg/status.d/libc6", "Package: libc6\nVersion: 2.36-9+deb12u4\nArchitecture: amd64\nSource: glibc\n")
            .File("var/lib/dpkg/status.d/libc6.md5sums", "abc  lib/x\n")
            .Dir("lib").Dir("lib/apk").Dir("lib/apk/db")
            .File("lib/apk/db/installed", "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\no:musl\n\nP:busybox-binsh\nV:1.36.1-r5\nA:x86_64\no:busybox\n")
            .Build();
        var r = await Scan(l0);
        Assert.Equal(new[] { "apk|busybox-binsh|1.36.1-r5|busybox", "apk|musl|1.2.4-r2|", "deb|libc6|2.36-9+deb12u4|glibc" },
            r.Packages.Select(p => $"{p.Type}|{p.Name}|{p.Version}|{p.SourceName}"));
    }

    [SkippableFact]
    public void Go_build_info_of_the_real_go_toolchain()
    {
        var file = Path.Combine(Path.GetTempPath(), "dockopt-go-" + Guid.NewGuid().ToString("N"));
        try
        {
            var psi = new ProcessStartInfo("sh", new[] { "-c", $"docker run --rm dockopt/golang:bookworm sh -c 'cat $(readlink -f $(which go))' > {file} && docker run --rm dockopt/golang:bookworm go env GOVERSION" })
            { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            var version = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            Precondition.Require(p.ExitCode == 0, "needs a Docker engine and dockopt/golang:bookworm (Bootstrap pulls it): " + p.StandardError.ReadToEnd().Trim());
            var pk = GoBuildInfo.Parse(File.ReadAllBytes(file));
            var std = Assert.Single(pk, x => x.Name == "stdlib");
            Assert.Equal("v" + version[2..], std.Version);            // go1.19.8 → v1.19.8
        }
        finally { File.Delete(file); }
    }
}
