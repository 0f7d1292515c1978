using System.Diagnostics;
using DockOpt.Engine.Security;

namespace DockOpt.Engine.Tests.Security;

public class VersionComparerTests
{
    [Theory]
    [InlineData("1.0", "1.0", 0)]
    [InlineData("1.0", "1.0-0", 0)]
    [InlineData("1:1.0", "2.0", 1)]           // epoch wins
    [InlineData("0:1.0", "1.0", 0)]           // epoch 0 is the default
    [InlineData("2:1.0", "10:0.1", -1)]
    [InlineData("1.0~rc1", "1.0", -1)]        // tilde sorts before the end
    [InlineData("1.0~~", "1.0~", -1)]
    [InlineData("1.0~~a", "1.0~~", 1)]
    [InlineData("1.0~", "1.0", -1)]
    [InlineData("1.0", "1.0+b1", -1)]
    [InlineData("1.0a", "1.0+", -1)]          // letters before non-letters
    [InlineData("1.0a", "1.0", 1)]
    [InlineData("1.2.3-1", "1.2.3-1~deb12u1", 1)]
    [InlineData("1.2.3-1~deb12u1", "1.2.3-1+deb12u1", -1)]
    [InlineData("2.36.1-8+deb12u1", "2.36.1-8", 1)]
    [InlineData("1.10", "1.9", 1)]
    [InlineData("1.010", "1.10", 0)]
    [InlineData("3.0.11-1~deb12u2", "3.0.11-1~deb12u10", -1)]
    [InlineData("1:2.4.47-2+b1", "1:2.4.47-2", 1)]
    [InlineData("7.88.1-10+deb12u5", "7.88.1-10+deb12u12", -1)]
    [InlineData("1.0-1", "1.0-1.1", -1)]
    [InlineData("a", "b", -1)]
    [InlineData("1.0-a-1", "1.0-a", 1)]       // revision is after the last hyphen
    public void Debian(string a, string b, int expected)
    {
        Assert.Equal(expected, DebianVersionComparer.Instance.Compare(a, b));
        Assert.Equal(-expected, DebianVersionComparer.Instance.Compare(b, a));
    }

    [SkippableFact]
    public void Debian_agrees_with_dpkg_compare_versions()
    {
        Precondition.Require(File.Exists("/usr/bin/dpkg"), "needs /usr/bin/dpkg, the reference implementation (Debian and Ubuntu machines)");
        string[] vs = { "1.0", "1:0.9", "1.0~rc1", "1.0~rc1-1", "1.0-1", "1.0+dfsg-1", "1.0a-1", "1.0.1", "1.0-1~bpo1",
            "2:1.0~~", "0.9-10", "0.9-9", "1.0-1+b2", "1.0-1.1", "9.18.28-1~deb12u2", "3.0.11-1~deb12u2" };
        foreach (var a in vs)
            foreach (var b in vs)
            {
                var psi = new ProcessStartInfo("/usr/bin/dpkg", new[] { "--compare-versions", a, "lt", b });
                using var p = Process.Start(psi)!;
                p.WaitForExit();
                var lt = p.ExitCode == 0;
                Assert.True(lt == DebianVersionComparer.Instance.Compare(a, b) < 0, $"{a} lt {b}: dpkg says {lt}");
            }
    }

    [Theory]
    [InlineData("1.0", "1.0.0", 0)]
    [InlineData("1.0.dev1", "1.0a1", -1)]
    [InlineData("1.0a1", "1.0a2", -1)]
    [InlineData("1.0a2", "1.0b1", -1)]
    [InlineData("1.0b1", "1.0rc1", -1)]
    [InlineData("1.0rc1", "1.0c1", 0)]
    [InlineData("1.0rc1", "1.0", -1)]
    [InlineData("1.0", "1.0.post1", -1)]
    [InlineData("1.0.post1.dev1", "1.0.post1", -1)]
    [InlineData("1.0.post1", "1.0-1", 0)]
    [InlineData("1.0", "1.0+local", -1)]
    [InlineData("1.0+abc", "1.0+5", -1)]
    [InlineData("1!0.1", "2.0", 1)]
    [InlineData("2.0", "10.0", -1)]
    [InlineData("1.0a1.dev1", "1.0a1", -1)]
    [InlineData("1.0.dev1", "1.0.dev2", -1)]
    [InlineData("1.0.0.dev0", "0.9", 1)]
    [InlineData("V1.0", "1.0", 0)]
    [InlineData("1.0-alpha-1", "1.0a1", 0)]
    public void Pep440(string a, string b, int expected)
    {
        Assert.Equal(expected, Pep440VersionComparer.Instance.Compare(a, b));
        Assert.Equal(-expected, Pep440VersionComparer.Instance.Compare(b, a));
    }

    [Fact]
    public void Semver_precedence_matches_the_spec_example()
    {
        // semver.org §11: 1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-alpha.beta < 1.0.0-beta < 1.0.0-beta.2 < 1.0.0-beta.11 < 1.0.0-rc.1 < 1.0.0
        string[] ordered = { "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.2.0", "1.10.0", "2.0.0" };
        for (var i = 0; i < ordered.Length; i++)
            for (var j = 0; j < ordered.Length; j++)
                Assert.Equal(i.CompareTo(j), SemverComparer.Instance.Compare(ordered[i], ordered[j]));
        Assert.Equal(0, SemverComparer.Instance.Compare("v1.2.3+build.5", "1.2.3"));
    }

    [Theory]
    [InlineData("v1.2.3", "v1.2.4", -1)]
    [InlineData("v0.0.0-20210101000000-abcdef123456", "v0.1.0", -1)]
    [InlineData("v1.2.4-0.20210101000000-abcdef123456", "v1.2.4", -1)]
    [InlineData("v1.2.4-0.20210101000000-abcdef123456", "v1.2.3", 1)]
    [InlineData("v2.0.0+incompatible", "v2.0.0", 0)]
    [InlineData("go1.21.3", "1.21.10", -1)]
    public void Go(string a, string b, int expected) => Assert.Equal(expected, GoVersionComparer.Instance.Compare(a, b));

    [Theory]
    [InlineData("1.2.3-r0", "1.2.3-r1", -1)]
    [InlineData("1.2.3_rc1-r0", "1.2.3-r0", -1)]
    [InlineData("1.2.3_p1-r0", "1.2.3-r0", 1)]
    [InlineData("1.2.3a-r0", "1.2.3-r0", 1)]
    [InlineData("3.1.4-r5", "3.1.10-r0", -1)]
    public void Apk(string a, string b, int expected) => Assert.Equal(expected, ApkVersionComparer.Instance.Compare(a, b));

    [Theory]
    [InlineData("Debian:12", typeof(DebianVersionComparer))]
    [InlineData("PyPI", typeof(Pep440VersionComparer))]
    [InlineData("npm", typeof(SemverComparer))]
    [InlineData("Go", typeof(GoVersionComparer))]
    [InlineData("NuGet", typeof(NuGetVersionComparer))]
    [InlineData("Alpine:v3.19", typeof(ApkVersionComparer))]
    public void Ecosystem_selects_its_comparer(string eco, Type t) => Assert.IsType(t, VersionComparers.For(eco));
}

public class PackageUrlTests
{
    [Fact]
    public void Deb_with_epoch_plus_and_distro()
    {
        Assert.Equal("pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64&distro=debian-12",
            PackageUrl.Deb("debian", "attr", "1:2.4.47-2+b1", "amd64", "debian-12"));
        Assert.Equal("pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie", PackageUrl.Deb("Debian", "curl", "7.50.3-1", "i386", "jessie"));
    }

    [Theory]
    [InlineData("Django_Allauth", "pkg:pypi/django-allauth@12.23")]
    [InlineData("zope.interface", "pkg:pypi/zope-interface@12.23")]
    [InlineData("Foo__Bar", "pkg:pypi/foo-bar@12.23")]
    public void Pypi_names_are_normalised(string name, string expected) =>
        Assert.Equal(expected, PackageUrl.Build("pypi", null, name, "12.23"));

    [Fact]
    public void Npm_scope_is_percent_encoded_and_case_kept()
    {
        Assert.Equal("pkg:npm/%40angular/animation@12.3.1", PackageUrl.Build("npm", null, "@angular/animation", "12.3.1"));
        Assert.Equal("pkg:npm/foobar@12.3.1", PackageUrl.Build("npm", null, "foobar", "12.3.1"));
    }

    [Fact]
    public void Nuget_golang_apk_and_qualifier_order()
    {
        Assert.Equal("pkg:nuget/EnterpriseLibrary.Common@6.0.1304", PackageUrl.Build("nuget", null, "EnterpriseLibrary.Common", "6.0.1304"));
        Assert.Equal("pkg:golang/github.com/gorilla/context@v1.1.1", PackageUrl.Build("golang", null, "github.com/gorilla/context", "v1.1.1"));
        Assert.Equal("pkg:golang/stdlib@go1.21.3", PackageUrl.Build("golang", null, "stdlib", "go1.21.3"));
        Assert.Equal("pkg:apk/alpine/curl@7.83.0-r0?arch=x86&distro=3.20.3",
            PackageUrl.Build("apk", "alpine", "curl", "7.83.0-r0", new Dictionary<string, string?> { ["distro"] = "3.20.3", ["arch"] = "x86" }));
    }
}
