using System.IO.Compression;
using DockOpt.Engine.Security;

namespace DockOpt.Engine.Tests.Security;

/// <summary>Matching, merging and rating on records exactly as their publishers write them (Security/Data/osv, see its README).</summary>
public sealed class RealOsvRecordTests
{
    static readonly string Data = Path.Combine(AppContext.BaseDirectory, "Security", "Data", "osv");

    static OsvDatabase All() => OsvDatabase.Load(new[] { Data });

    static PackageInfo Pkg(string eco, string type, string name, string version, string path = "", string source = "", string sourceVersion = "") =>
        new() { Ecosystem = eco, Type = type, Name = name, Version = version, Path = path, SourceName = source, SourceVersion = sourceVersion, Purl = $"pkg:{type}/{name}@{version}" };

    static List<DockOpt.Vulnerability> Find(params PackageInfo[] pkgs) => All().Findings(pkgs, new GoPlatform("linux", "amd64"));

    [Fact]
    public void Every_verbatim_record_loads_including_the_yaml_one_and_none_is_withdrawn()
    {
        var db = All();
        Assert.Equal(14, db.RecordCount);
    }

    [Fact]
    public void Debian_dsa_with_the_release_in_the_ecosystem()
    {
        var v = Assert.Single(Find(Pkg("Debian:7", "deb", "nginx-full", "1.2.1-2.2+wheezy2", "/var/lib/dpkg/status", "nginx", "1.2.1-2.2+wheezy2")));
        Assert.Equal("CVE-2014-3616", v.Id);                       // the CVE of DSA-3029-1's aliases
        Assert.Contains("DSA-3029-1", v.Aliases);
        Assert.Equal("1.2.1-2.2+wheezy3", v.FixedVersion);
        Assert.Equal("/var/lib/dpkg/status", v.Path);
        Assert.Equal(DockOpt.Severity.Unknown, v.Severity);         // a DSA carries no rating and nothing in the database rates the CVE
        Assert.Empty(Find(Pkg("Debian:7", "deb", "nginx", "1.2.1-2.2+wheezy3")));
        Assert.Empty(Find(Pkg("Debian:8", "deb", "nginx", "1.2.1-2.2+wheezy2")));   // another release
    }

    [Fact]
    public void Debian_cve_record_upstream_id_urgency_and_nvd_vector()
    {
        var v = Assert.Single(Find(Pkg("Debian:13", "deb", "apparmor", "3.0.8-3")));
        Assert.Equal("CVE-2016-1585", v.Id);                       // from upstream[]
        Assert.Equal(new[] { "DEBIAN-CVE-2016-1585" }, v.Aliases);
        Assert.Equal("3.0.12-1", v.FixedVersion);
        Assert.Equal(DockOpt.Severity.Critical, v.Severity);        // the NVD vector (9.8) wins over urgency "unimportant"
        Assert.Equal("CVSS_V3 DEBIAN-CVE-2016-1585", v.SeveritySource);
        Assert.Equal(9.8, v.CvssScore);
        Assert.Empty(Find(Pkg("Debian:13", "deb", "apparmor", "3.0.12-1")));
        var open = Assert.Single(Find(Pkg("Debian:12", "deb", "apparmor", "3.0.8-3")));
        Assert.Equal("", open.FixedVersion);                        // introduced 0 only: no fix in bookworm
    }

    [Fact]
    public void Ubuntu_lts_records_match_the_os_release_version_by_source_package()
    {
        var v = Assert.Single(Find(Pkg("Ubuntu:22.04", "deb", "libc6", "2.35-0ubuntu3.8", "/var/lib/dpkg/status", "glibc", "2.35-0ubuntu3.8")));
        Assert.Equal("CVE-2025-0395", v.Id);
        Assert.Contains("UBUNTU-CVE-2025-0395", v.Aliases);
        Assert.Contains("USN-7259-1", v.Aliases);
        Assert.Equal("2.35-0ubuntu3.9", v.FixedVersion);
        Assert.Equal(DockOpt.Severity.Medium, v.Severity);
        Assert.Equal("Ubuntu priority", v.SeveritySource);          // ecosystem_specific.ubuntu_priority is all there is
        Assert.Empty(Find(Pkg("Ubuntu:22.04", "deb", "libc6", "2.35-0ubuntu3.9", "", "glibc", "2.35-0ubuntu3.9")));
        // 18.04 is covered only by Ubuntu Pro (ESM): Ubuntu:Pro:18.04:LTS applies to an 18.04 image.
        var pro = Assert.Single(Find(Pkg("Ubuntu:18.04", "deb", "libc6", "2.27-3ubuntu1.6", "", "glibc", "2.27-3ubuntu1.6")));
        Assert.Equal("2.27-3ubuntu1.6+esm4", pro.FixedVersion);
        // an interim release without :LTS matches exactly
        Assert.Equal("2.40-1ubuntu3.1", Assert.Single(Find(Pkg("Ubuntu:24.10", "deb", "libc6", "2.40-1ubuntu1", "", "glibc", "2.40-1ubuntu1"))).FixedVersion);
    }

    [Theory]
    [InlineData("Ubuntu:22.04:LTS", "Ubuntu:22.04", true)]
    [InlineData("Ubuntu:Pro:22.04:LTS", "Ubuntu:22.04", true)]
    [InlineData("Ubuntu:Pro:FIPS:22.04:LTS", "Ubuntu:22.04", false)]
    [InlineData("Ubuntu:24.04:LTS", "Ubuntu:22.04", false)]
    [InlineData("Debian:12", "Debian:12", true)]
    [InlineData("Debian:12", "Debian:11", false)]
    [InlineData("Alpine:v3.19", "Alpine:v3.19", true)]
    public void Ecosystem_variants(string advisory, string package, bool applies) =>
        Assert.Equal(applies, OsvDatabase.EcosystemApplies(advisory, package));

    [Fact]
    public void Alpine_origin_package_in_its_branch()
    {
        var v = Assert.Single(Find(Pkg("Alpine:v3.15", "apk", "mariadb", "10.6.7-r0")));
        Assert.Equal("CVE-2022-27449", v.Id);
        Assert.Equal("10.6.8-r0", v.FixedVersion);
        Assert.Empty(Find(Pkg("Alpine:v3.15", "apk", "mariadb", "10.6.8-r0")));
        Assert.Empty(Find(Pkg("Alpine:v3.17", "apk", "mariadb", "10.6.7-r0")));   // no entry for that branch
    }

    [Fact]
    public void Pypi_pysec_yaml_and_ghsa_merge_into_one_finding_with_every_id_and_the_ghsa_vector()
    {
        var v = Assert.Single(Find(Pkg("PyPI", "pypi", "requests", "2.28.1", "/usr/local/lib/python3.11/site-packages/requests-2.28.1.dist-info")));
        Assert.Equal("CVE-2023-32681", v.Id);
        Assert.Equal(new[] { "GHSA-j8r2-6x86-q33q", "PYSEC-2023-74" }, v.Aliases);
        Assert.Equal(2, v.Records.Length);
        Assert.Equal("2.31.0", v.FixedVersion);                   // the PYSEC range comes after a GIT range: still read
        Assert.Equal(DockOpt.Severity.Medium, v.Severity);
        Assert.Equal("CVSS_V3 GHSA-j8r2-6x86-q33q", v.SeveritySource);
        Assert.Equal(6.1, v.CvssScore);
        Assert.Equal("/usr/local/lib/python3.11/site-packages/requests-2.28.1.dist-info", v.Path);
        Assert.Empty(Find(Pkg("PyPI", "pypi", "requests", "2.31.0")));
        Assert.Empty(Find(Pkg("PyPI", "pypi", "requests", "2.2.1")));   // before introduced 2.3.0
    }

    [Fact]
    public void Pysec_alone_takes_its_severity_from_the_aliased_ghsa_in_another_database_path()
    {
        var db = OsvDatabase.Load(new[] { Path.Combine(Data, "pypi"), Path.Combine(Data, "ghsa", "GHSA-j8r2-6x86-q33q.json") });
        Assert.Equal(2, db.RecordCount);
        var v = Assert.Single(db.Findings(new[] { Pkg("PyPI", "pypi", "Requests", "2.30.0") }));
        Assert.Equal(DockOpt.Severity.Medium, v.Severity);
    }

    [Fact]
    public void Python_packages_installed_by_dpkg_are_judged_by_the_distribution_not_pypi()
    {
        var deb = Pkg("Debian:12", "deb", "python3-requests", "2.28.1+dfsg-1", "/var/lib/dpkg/status", "requests", "2.28.1+dfsg-1");
        var owned = Pkg("PyPI", "pypi", "requests", "2.28.1", "/usr/lib/python3/dist-packages/requests-2.28.1.egg-info");
        var pip = Pkg("PyPI", "pypi", "requests", "2.28.1", "/usr/local/lib/python3.11/dist-packages/requests-2.28.1.dist-info");
        var found = Find(deb, owned, pip);
        Assert.Equal(pip.Path, Assert.Single(found).Path);
    }

    [Fact]
    public void Npm_nuget_and_maven_ghsa_records()
    {
        var npm = Assert.Single(Find(Pkg("npm", "npm", "lodash", "4.17.20", "/app/node_modules/lodash/package.json")));
        Assert.Equal(("CVE-2021-23337", "4.17.21", DockOpt.Severity.High), (npm.Id, npm.FixedVersion, npm.Severity));
        Assert.Empty(Find(Pkg("npm", "npm", "lodash", "4.17.21")));

        var nuget = Assert.Single(Find(Pkg("NuGet", "nuget", "newtonsoft.json", "12.0.3")));
        Assert.Equal(("GHSA-5crp-9r3c-p9vr", "13.0.1", DockOpt.Severity.Low), (nuget.Id, nuget.FixedVersion, nuget.Severity));
        Assert.Equal("GHSA GHSA-5crp-9r3c-p9vr", nuget.SeveritySource);   // empty severity[]: GitHub's own rating
        Assert.Empty(Find(Pkg("NuGet", "nuget", "Newtonsoft.Json", "13.0.1")));

        var maven = Assert.Single(Find(Pkg("Maven", "maven", "org.apache.any23:apache-any23", "2.4")));
        Assert.Equal(("CVE-2021-38555", "2.5", DockOpt.Severity.Critical), (maven.Id, maven.FixedVersion, maven.Severity));
        Assert.Empty(Find(Pkg("Maven", "maven", "org.apache.any23:apache-any23", "2.5")));
    }

    [Fact]
    public void Go_stdlib_honours_goos_and_goarch_limits()
    {
        var db = All();
        var stdlib = Pkg("Go", "golang", "stdlib", "v1.23.5", "/app/server");
        var linux = db.Findings(new[] { stdlib }, new GoPlatform("linux", "amd64")).Select(v => v.Id).ToList();
        Assert.Contains("CVE-2026-32282", linux);       // GO-2026-4864: linux only
        Assert.DoesNotContain("CVE-2025-0913", linux);  // GO-2025-3750: windows only
        Assert.DoesNotContain("CVE-2025-22866", linux); // GO-2025-3447: ppc64le only
        var ppc = db.Findings(new[] { stdlib }, new GoPlatform("linux", "ppc64le"));
        Assert.Equal("1.23.6", Assert.Single(ppc, v => v.Id == "CVE-2025-22866").FixedVersion);
        var win = db.Findings(new[] { stdlib }, new GoPlatform("windows", "amd64"));
        Assert.Equal("1.23.10", Assert.Single(win, v => v.Id == "CVE-2025-0913").FixedVersion);
        Assert.DoesNotContain(win, v => v.Id == "CVE-2026-32282");
        var fixedGo = db.Findings(new[] { Pkg("Go", "golang", "stdlib", "v1.26.2", "/app/server") }, new GoPlatform("linux", "amd64"));
        Assert.DoesNotContain(fixedGo, v => v.Id == "CVE-2026-32282");
    }

    [Fact]
    public void Go_toolchain_advisories_apply_to_the_go_command_only()
    {
        var db = All();
        var goCmd = db.Findings(new[] { Pkg("Go", "golang", "stdlib", "v1.25.12", "/usr/local/go/bin/go") }, new GoPlatform("linux", "amd64"));
        var t = Assert.Single(goCmd, v => v.Id == "CVE-2026-56865");
        Assert.Equal("1.25.13", t.FixedVersion);
        Assert.Equal(DockOpt.Severity.Unknown, t.Severity);     // golang/vulndb rates nothing
        var server = db.Findings(new[] { Pkg("Go", "golang", "stdlib", "v1.25.12", "/app/server") }, new GoPlatform("linux", "amd64"));
        Assert.DoesNotContain(server, v => v.Id == "CVE-2026-56865");
        // the same record also names golang.org/x/mod
        Assert.Single(db.Findings(new[] { Pkg("Go", "golang", "golang.org/x/mod", "v0.39.0", "/app/server") }), v => v.Id == "CVE-2026-56865");
    }

    [Theory]
    [InlineData("go1.21", "1.21.0")]
    [InlineData("v1.22.1", "1.22.1")]
    [InlineData("go1.22rc1", "1.22.0-rc.1")]
    public void Go_versions_as_vulndb_writes_them(string v, string expected) => Assert.Equal(expected, OsvDatabase.GoSemver(v));

    [Fact]
    public void One_finding_per_package_location()
    {
        var a = Pkg("PyPI", "pypi", "requests", "2.28.1", "/srv/a/site-packages/requests-2.28.1.dist-info");
        var b = Pkg("PyPI", "pypi", "requests", "2.28.1", "/srv/b/site-packages/requests-2.28.1.dist-info");
        var found = Find(a, b);
        Assert.Equal(2, found.Count);
        Assert.Equal(new[] { a.Path, b.Path }, found.Select(v => v.Path));
    }

    [Theory]
    [InlineData("CVE-2023-32681")]
    [InlineData("PYSEC-2023-74")]
    [InlineData("GHSA-j8r2-6x86-q33q")]
    public void An_ignore_entry_by_any_id_suppresses_the_merged_finding(string id)
    {
        var v = Assert.Single(Find(Pkg("PyPI", "pypi", "requests", "2.28.1", "/x")));
        var ignore = IgnoreFile.ParsePlain(id + "\n", ".trivyignore");
        Assert.True(ignore.Suppresses(v, v.Path, DateTime.UtcNow));
    }

    [Fact]
    public void Ubuntu_related_cve_suppresses_by_the_cve()
    {
        var v = Assert.Single(Find(Pkg("Ubuntu:22.04", "deb", "libc6", "2.35-0ubuntu3.8", "", "glibc", "2.35-0ubuntu3.8")));
        Assert.True(IgnoreFile.ParsePlain("CVE-2025-0395\n", ".trivyignore").Suppresses(v, v.Path, DateTime.UtcNow));
        Assert.True(IgnoreFile.ParsePlain("USN-7259-1\n", ".trivyignore").Suppresses(v, v.Path, DateTime.UtcNow));
    }

    // Scores from FIRST's reference calculator (FIRSTdotorg/cvss-v4-calculator @c5b0d40, cvss_score.js run with node).
    [Theory]
    [InlineData("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3)]
    [InlineData("CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 8.5)]
    [InlineData("CVSS:4.0/AV:N/AC:H/AT:P/PR:L/UI:A/VC:L/VI:N/VA:N/SC:L/SI:L/SA:N", 2.0)]
    [InlineData("CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:N/VI:L/VA:N/SC:N/SI:N/SA:L", 1.0)]
    [InlineData("CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:P/VC:H/VI:L/VA:L/SC:H/SI:H/SA:N/E:P", 7.1)]
    [InlineData("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0.0)]
    [InlineData("CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N", 5.1)]
    public void Cvss4_scores_match_the_reference_calculator(string vector, double score) =>
        Assert.Equal(score, SeverityScale.Cvss4BaseScore(vector));

    [Theory]
    [InlineData("CVSS:4.0/AV:N/AC:L")]
    [InlineData("CVSS:4.0/AV:Q/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")]
    public void Malformed_cvss4_vectors_have_no_score(string vector) => Assert.Null(SeverityScale.Cvss4BaseScore(vector));

    [Theory]
    [InlineData("unimportant", DockOpt.Severity.Low)]
    [InlineData("low**", DockOpt.Severity.Low)]
    [InlineData("medium", DockOpt.Severity.Medium)]
    [InlineData("high", DockOpt.Severity.High)]
    [InlineData("critical", DockOpt.Severity.Critical)]
    [InlineData("not yet assigned", DockOpt.Severity.Unknown)]
    [InlineData("untriaged", DockOpt.Severity.Unknown)]
    public void Distribution_ratings(string rating, DockOpt.Severity expected) => Assert.Equal(expected, SeverityScale.FromDistributionRating(rating));

    static ImageScanResult Scan() => new() { Image = "x" };

    [Fact]
    public void Unknown_severity_fails_every_gate_unless_mapped()
    {
        var v = new List<DockOpt.Vulnerability> { new() { Id = "GO-1", Severity = DockOpt.Severity.Unknown, Package = "stdlib" } };
        var gated = SecurityEvaluator.Evaluate(Scan(), v, null, new GatePolicy { FailOn = "Critical" }, Array.Empty<string>(), new[] { "OSV:x" }, DateTime.UtcNow, TimeSpan.Zero);
        Assert.Equal("PolicyFailed", gated.Outcome);
        Assert.Contains("unknown severity", gated.GateReasons[0]);
        var mapped = SecurityEvaluator.Evaluate(Scan(), v, null, new GatePolicy { FailOn = "Medium", UnknownSeverity = DockOpt.Severity.Low }, Array.Empty<string>(), new[] { "OSV:x" }, DateTime.UtcNow, TimeSpan.Zero);
        Assert.Equal("Passed", mapped.Outcome);
        var mappedHigh = SecurityEvaluator.Evaluate(Scan(), v, null, new GatePolicy { FailOn = "Medium", UnknownSeverity = DockOpt.Severity.High }, Array.Empty<string>(), new[] { "OSV:x" }, DateTime.UtcNow, TimeSpan.Zero);
        Assert.Equal("PolicyFailed", mappedHigh.Outcome);
    }

    [Fact]
    public void A_scan_that_skipped_work_is_incomplete_never_passed()
    {
        var scan = Scan();
        scan.Problems.Add("layer 2: /app/package.json is not valid JSON");
        var r = SecurityEvaluator.Evaluate(scan, new(), null, new GatePolicy(), Array.Empty<string>(), new[] { "OSV:x" }, DateTime.UtcNow, TimeSpan.Zero);
        Assert.Equal("Incomplete", r.Outcome);
        Assert.Contains("layer 2: /app/package.json is not valid JSON", r.Errors);
    }
}

/// <summary>A scan that skipped work says so in ImageScanResult.Problems (and the report is then Incomplete).</summary>
public sealed class ScanProblemsTests
{
    [Fact]
    public async Task Escaping_entries_malformed_package_json_and_files_over_the_size_cap_are_listed()
    {
        var layer = new DockOpt.Engine.Tests.Images.LayerBuilder()
            .Dir("app").Dir("app/node_modules").Dir("app/node_modules/x")
            .File("app/node_modules/x/package.json", "{\"name\": \"x\", \"version\": ")
            .File("app/notes.txt", new string('a', 3000))
            .File("app/blob.bin", new byte[3000])
            .File("../escape.txt", "x")
            .Build();
        var tar = DockOpt.Engine.Tests.Images.TestArchives.DockerSave(layer);
        var r = await ImageScanner.ScanAsync(DockOpt.Engine.Images.ImageSource.FromStream(_ => Task.FromResult<Stream>(new MemoryStream(tar)), "synthetic"), "synthetic",
            new ImageScanOptions { MaxSecretFileSize = 2000 }, NullSink.Instance, CancellationToken.None);
        Assert.Contains(r.Problems, p => p.StartsWith("layer 0: ") && p.Contains("/app/node_modules/x/package.json is not valid JSON"));
        Assert.Contains(r.Problems, p => p.Contains("/app/notes.txt (3000 bytes) is over the secret scan size cap"));
        Assert.DoesNotContain(r.Problems, p => p.Contains("blob.bin"));   // binary: never scanned for secrets anyway
        Assert.Contains(r.Problems, p => p.Contains("escape.txt"));
        Assert.Equal(3, r.Problems.Count);
        var report = SecurityEvaluator.Evaluate(r, new(), null, new GatePolicy { FailOn = "Critical" }, Array.Empty<string>(), new[] { "OSV:x" }, DateTime.UtcNow, TimeSpan.Zero);
        Assert.Equal("Incomplete", report.Outcome);
    }
}

public sealed class TrivyReportImageTests
{
    // A stand-in report (no trivy binary exists on these machines) with Trivy's Metadata.ImageID field.
    const string Report = """{ "SchemaVersion": 2, "Metadata": { "ImageID": "sha256:aaaa" }, "Results": [] }""";

    [Fact]
    public void A_report_of_another_image_is_refused()
    {
        var e = Assert.Throws<DockOptException>(() => TrivyReport.Parse(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Report)), "r.json", Array.Empty<string>(), new HashSet<int>(), "sha256:bbbb"));
        Assert.Equal(ErrorIds.TrivyReportImageMismatch, e.ErrorId);
        Assert.Empty(TrivyReport.Parse(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Report)), "r.json", Array.Empty<string>(), new HashSet<int>(), "sha256:AAAA"));
    }
}

/// <summary>SecurityScanService end to end on a synthetic docker-save archive (no engine needed for -Path scans).</summary>
[Collection(ProcessStateCollection.Name)]
public sealed class SecurityScanServiceDatabaseTests : IDisposable
{
    sealed class Sink : IDockOptSink
    {
        public readonly List<string> Warnings = new();
        public void Output(object item) { }
        public void Verbose(string message) { }
        public void Debug(string message) { }
        public void Warning(string message) => Warnings.Add(message);
        public void Information(string message, params string[] tags) { }
        public void Progress(DockOptProgress progress) { }
        public void Error(DockOptException error) { }
        public bool ShouldProcess(string target, string action) => true;
    }

    readonly string _dir = Directory.CreateTempSubdirectory("dockopt-scan-db-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    string Archive()
    {
        var layer = new DockOpt.Engine.Tests.Images.LayerBuilder()
            .Dir("etc").File("etc/os-release", "ID=debian\nVERSION_ID=\"13\"\nVERSION_CODENAME=trixie\n")
            .Dir("var").Dir("var/lib").Dir("var/lib/dpkg")
            .File("var/lib/dpkg/status", "Package: apparmor\nStatus: install ok installed\nArchitecture: amd64\nVersion: 3.0.8-3\n")
            .Build();
        var path = Path.Combine(_dir, "image.tar");
        File.WriteAllBytes(path, DockOpt.Engine.Tests.Images.TestArchives.DockerSave(layer));
        return path;
    }

    async Task<(SecurityReport Report, Sink Sink)> Scan(string[] dbs, GatePolicy? policy = null)
    {
        var sink = new Sink();
        var svc = new SecurityScanService(new SecurityScanRequest { VulnerabilityDatabases = dbs, Secrets = false, Config = false, RunTrivy = false, Policy = policy ?? new() }, sink);
        svc.Prepare();
        return (await svc.ScanAsync(null, Archive(), true, CancellationToken.None), sink);
    }

    [Fact]
    public async Task A_database_older_than_seven_days_warns_and_the_report_names_it()
    {
        var db = Path.Combine(_dir, "db");
        Directory.CreateDirectory(Path.Combine(db, "Debian"));
        using (var z = System.IO.Compression.ZipFile.Open(Path.Combine(db, "Debian", "all.zip"), System.IO.Compression.ZipArchiveMode.Create))
            z.CreateEntryFromFile(Path.Combine(AppContext.BaseDirectory, "Security", "Data", "osv", "debian", "DEBIAN-CVE-2016-1585.json"), "DEBIAN-CVE-2016-1585.json");
        var checkedAt = DateTime.UtcNow.AddDays(-10);
        File.WriteAllText(Path.Combine(db, VulnerabilityDatabaseStore.MetadataFile),
            $$"""{ "ecosystems": { "Debian": { "records": 1, "checkedAt": "{{checkedAt:O}}" } } }""");
        var (r, sink) = await Scan(new[] { db }, new GatePolicy { FailOn = "High" });
        Assert.Equal(db, r.Database);
        Assert.Equal(1, r.RecordCount);
        Assert.Equal(checkedAt, r.DatabaseUpdatedAt!.Value, TimeSpan.FromSeconds(1));
        Assert.Contains(sink.Warnings, w => w.Contains("last updated") && w.Contains("Update-DockOptVulnerabilityDatabase"));
        var v = Assert.Single(r.Vulnerabilities);
        Assert.Equal(("CVE-2016-1585", "3.0.12-1", DockOpt.Severity.Critical), (v.Id, v.FixedVersion, v.Severity));
        Assert.Equal("PolicyFailed", r.Outcome);
    }

    [Fact]
    public async Task A_database_with_no_records_for_the_image_is_incomplete()
    {
        var db = Path.Combine(_dir, "pypi-only");
        Directory.CreateDirectory(db);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Security", "Data", "osv", "ghsa", "GHSA-j8r2-6x86-q33q.json"), Path.Combine(db, "g.json"));
        var (r, _) = await Scan(new[] { db });
        Assert.Equal("Incomplete", r.Outcome);
        Assert.Contains(r.Errors, e => e.Contains("0 records"));
    }

    [Fact]
    public async Task No_database_at_all_is_incomplete()
    {
        var old = Environment.GetEnvironmentVariable("DOCKOPT_VULNDB");
        Environment.SetEnvironmentVariable("DOCKOPT_VULNDB", Path.Combine(_dir, "nothing-here"));
        try
        {
            var (r, _) = await Scan(Array.Empty<string>());
            Assert.Equal("Incomplete", r.Outcome);
            Assert.Contains(r.Errors, e => e.StartsWith("no vulnerability data"));
        }
        finally { Environment.SetEnvironmentVariable("DOCKOPT_VULNDB", old); }
    }
}
