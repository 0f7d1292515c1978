using DockOpt.Engine.Security;
using DockOpt.Engine.Security.Packages;

namespace DockOpt.Engine.Tests.Security.Packages;

public class RpmOsvMatchingTests
{
    static PackageInfo Rpm(string name, string version, string ecosystem) =>
        new() { Name = name, Version = version, Type = "rpm", Ecosystem = ecosystem, Purl = "pkg:rpm/x/" + name };

    static OsvDatabase Db() => OsvDatabase.Load(TestTools.Data("osv-rpm"));

    [Theory]
    [InlineData("openssl-libs", "1:3.0.1-38.el9_0", "AlmaLinux:9", "ALSA-2022:6224")]
    [InlineData("openssl-libs", "1:3.0.1-41.el9_0", "AlmaLinux:9", null)]       // the fixed version itself
    [InlineData("openssl-libs", "1:3.0.1-41.el9_0.1", "AlmaLinux:9", null)]     // a later rebuild
    [InlineData("openssl", "1:3.0.1-41.el9_0~rc1", "AlmaLinux:9", "ALSA-2022:6224")] // ~ sorts before the fixed release
    [InlineData("openssl", "2:1.0.0-1.el9", "AlmaLinux:9", null)]              // a higher epoch wins over any version
    [InlineData("openssl-libs", "1:3.0.1-38.el9_0", "AlmaLinux:8", null)]       // another release of the distribution
    [InlineData("openssl-libs", "1:3.0.1-38.el9_0", "Rocky Linux:9", null)]     // another distribution
    [InlineData("sudo", "1.8.29-8.el8_7", "AlmaLinux:8", "ALSA-2023:0284")]
    [InlineData("sudo", "1.8.29-8.el8_7.1", "AlmaLinux:8", null)]
    [InlineData("sudo", "1.8.29-8.el8_6.10", "AlmaLinux:8", "ALSA-2023:0284")]  // el8_6 < el8_7 (numeric 6 < 7)
    [InlineData("sudo", "1.8.29-10.el8", "AlmaLinux:8", null)]                  // release 10 > 8 numerically
    public void AlmaLinuxRecordsMatchByRpmOrder(string name, string version, string ecosystem, string? expected)
    {
        var hits = Db().Match(Rpm(name, version, ecosystem)).Select(v => v.Id).ToList();
        if (expected == null) Assert.Empty(hits);
        else Assert.Equal(new[] { expected }, hits);
    }

    [Fact]
    public void FixedVersionIsReported()
    {
        var v = Assert.Single(Db().Match(Rpm("openssl-libs", "1:3.0.1-38.el9_0", "AlmaLinux:9")));
        Assert.Equal("1:3.0.1-41.el9_0", v.FixedVersion);
        Assert.Equal("ALSA-2022:6224", v.Id);
    }

    [Theory]
    [InlineData("Red Hat:enterprise_linux:9::appstream", "Red Hat:9", true)]
    [InlineData("Red Hat:rhel_eus:9.2::baseos", "Red Hat:9", true)]
    [InlineData("Red Hat:enterprise_linux:8::baseos", "Red Hat:9", false)]
    [InlineData("SUSE:Linux Enterprise Server 15 SP5", "SUSE:15.5", true)]
    [InlineData("SUSE:Linux Enterprise Server 15", "SUSE:15", true)]
    [InlineData("SUSE:Linux Enterprise Server 15 SP4", "SUSE:15.5", false)]
    [InlineData("openSUSE:Leap 15.5", "openSUSE:15.5", true)]
    [InlineData("openSUSE:Leap 15.4", "openSUSE:15.5", false)]
    [InlineData("openSUSE:Tumbleweed", "openSUSE:20240101", true)]
    [InlineData("Rocky Linux:9", "Rocky Linux:9", true)]
    [InlineData("AlmaLinux:9", "Rocky Linux:9", false)]
    public void RpmEcosystemNames(string advisory, string package, bool applies) =>
        Assert.Equal(applies, RpmEcosystems.Applies(advisory, package));

    [Theory]
    [InlineData("rhel", "9.4", "Red Hat:9")]
    [InlineData("almalinux", "8.10", "AlmaLinux:8")]
    [InlineData("rocky", "9.3", "Rocky Linux:9")]
    [InlineData("sles", "15.5", "SUSE:15.5")]
    [InlineData("opensuse-leap", "15.5", "openSUSE:15.5")]
    [InlineData("amzn", "2023", "Amazon Linux:2023")]
    public void OsReleaseToEcosystem(string id, string versionId, string ecosystem) =>
        Assert.Equal(ecosystem, PackageUrl.RpmEcosystem(id, versionId));
}
