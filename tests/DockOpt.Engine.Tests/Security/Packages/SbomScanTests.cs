using DockOpt.Engine.Security;
using DockOpt.Engine.Security.Packages;

namespace DockOpt.Engine.Tests.Security.Packages;

/// <summary>Scanning an existing SBOM: DockOpt's own (both formats) and syft's golden outputs (verbatim, anchore/syft).</summary>
public class SbomScanTests
{
    sealed class Sink : IDockOptSink
    {
        public List<string> Warnings { get; } = new();
        public void Output(object item) { }
        public void Verbose(string message) { }
        public void Debug(string message) { }
        public void Warning(string message) => Warnings.Add(message);
        public void Information(string message, params string[] tags) { }
        public void Progress(DockOptProgress progress) { }
        public void Error(DockOptException error) { }
        public bool ShouldProcess(string target, string action) => true;
    }

    static ImageScanResult AlmaScan()
    {
        var r = new ImageScanResult { Image = "h7/alma:9", ImageId = "sha256:" + new string('b', 64), OsId = "almalinux", OsVersionId = "9.0", Architecture = "amd64" };
        r.DiffIds = new[] { "sha256:" + new string('1', 64) };
        r.Packages.Add(new PackageInfo
        {
            Image = r.Image, Type = "rpm", Name = "openssl-libs", Version = "1:3.0.1-38.el9_0", Architecture = "x86_64", Ecosystem = "AlmaLinux:9",
            Purl = PackageUrl.Rpm("almalinux", "openssl-libs", "3.0.1-38.el9_0", "x86_64", 1, "almalinux-9.0"), License = "ASL 2.0", Path = "var/lib/rpm/rpmdb.sqlite",
        });
        r.Packages.Add(new PackageInfo { Image = r.Image, Type = "npm", Name = "@babel/core", Version = "7.22.5", Ecosystem = "npm", Purl = PackageUrl.Build("npm", null, "@babel/core", "7.22.5"), Path = "app/package-lock.json" });
        return r;
    }

    [Theory]
    [InlineData("cdx")]
    [InlineData("spdx")]
    public void DockOptSbomsRoundTripAndMatch(string format)
    {
        var file = Path.Combine(Path.GetTempPath(), $"h7-{Guid.NewGuid():N}.{format}.json");
        try
        {
            var scan = AlmaScan();
            File.WriteAllText(file, format == "cdx" ? ReportWriters.ToCycloneDx(scan, "1.0") : SpdxWriter.ToSpdx(scan, "1.0"));
            var back = SbomReader.Read(file);
            var rpm = back.Packages.Single(p => p.Type == "rpm");
            Assert.Equal(("openssl-libs", "1:3.0.1-38.el9_0", "AlmaLinux:9", "x86_64"), (rpm.Name, rpm.Version, rpm.Ecosystem, rpm.Architecture));
            var npm = back.Packages.Single(p => p.Type == "npm");
            Assert.Equal(("@babel/core", "7.22.5", "npm"), (npm.Name, npm.Version, npm.Ecosystem));
            Assert.Equal("h7/alma:9", back.Image);

            var service = new SecurityScanService(new SecurityScanRequest { VulnerabilityDatabases = new[] { TestTools.Data("osv-rpm") }, RunTrivy = false }, new Sink());
            service.Prepare();
            var report = service.ScanSbom(file);
            var v = Assert.Single(report.Vulnerabilities);
            Assert.Equal(("ALSA-2022:6224", "openssl-libs", "1:3.0.1-41.el9_0"), (v.Id, v.Package, v.FixedVersion));
            Assert.Equal(2, report.PackageCount);
        }
        finally { File.Delete(file); }
    }

    [Theory]
    [InlineData("syft-TestCycloneDxImageEncoder.golden.cdx.json")]
    [InlineData("syft-TestSPDXJSONImageEncoder.golden.spdx.json")]
    public void SyftGoldenSboms(string file)
    {
        var scan = SbomReader.Read(TestTools.Data("sbom", file));
        // package-1 has the placeholder purl "a-purl-1": kept by name, not matchable; package-2 is a deb.
        Assert.Equal(new[] { "package-1 1.0.1 generic ", "package-2 2.0.1 deb Debian" },
            scan.Packages.Select(p => $"{p.Name} {p.Version} {p.Type} {p.Ecosystem}").OrderBy(s => s, StringComparer.Ordinal).ToArray());
        Assert.Equal("user-image-input", scan.Image);
    }

    [Fact]
    public void NotAnSbomIsAnError()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """{"hello":"world"}""");
            Assert.Equal(ErrorIds.SbomFormatUnknown, Assert.Throws<DockOptException>(() => SbomReader.Read(file)).ErrorId);
            File.WriteAllText(file, "not json");
            Assert.Equal(ErrorIds.SbomFormatUnknown, Assert.Throws<DockOptException>(() => SbomReader.Read(file)).ErrorId);
            Assert.Equal(ErrorIds.SbomNotFound, Assert.Throws<DockOptException>(() => SbomReader.Read(file + ".missing")).ErrorId);
        }
        finally { File.Delete(file); }
    }

    [Theory]
    [InlineData("pkg:rpm/rhel/h7-alpha@1.4.2-3.el9_1?arch=x86_64&distro=rhel-9.4&epoch=2", "rpm", null, "h7-alpha", "1.4.2-3.el9_1")]
    [InlineData("pkg:npm/%40angular/animation@12.3.1", "npm", "@angular", "animation", "12.3.1")]
    [InlineData("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "maven", "org.apache.logging.log4j", "log4j-core", "2.14.1")]
    [InlineData("pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64", "deb", "debian", "attr", "1:2.4.47-2+b1")]
    public void PurlParse(string purl, string type, string? ns, string name, string version)
    {
        var p = PackageUrl.Parse(purl)!.Value;
        Assert.Equal((type, name, version), (p.Type, p.Name, p.Version));
        if (type != "rpm") Assert.Equal(ns, p.Namespace);
    }
}
