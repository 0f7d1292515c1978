using System.Text;
using DockOpt.Engine.Registry;

namespace DockOpt.Engine.Tests.Registry;

[Collection(ProcessStateCollection.Name)]
public class PublishLogicTests
{
    [Theory]
    [InlineData("latest", true)]
    [InlineData("_x", true)]
    [InlineData("v1.2.3-rc.1", true)]
    [InlineData(".hidden", false)]
    [InlineData("-dash", false)]
    [InlineData("1.0.0+build", false)]
    [InlineData("", false)]
    public void Tags_follow_the_OCI_grammar(string tag, bool valid) => Assert.Equal(valid, PublishTags.IsValidTag(tag));

    [Fact]
    public void Tags_longer_than_128_are_rejected_with_the_reason()
    {
        Assert.True(PublishTags.IsValidTag(new string('a', 128)));
        var e = Assert.Throws<DockOptException>(() => PublishTags.ValidateTag(new string('a', 129)));
        Assert.Equal("InvalidTag", e.ErrorId);
        Assert.Contains("129 characters", e.Message);
    }

    [Fact]
    public void Strategies_combine_with_explicit_tags_and_semver_build_is_mapped()
    {
        var notices = new List<string>();
        var tags = PublishTags.Resolve(new[] { "stable", "latest" }, PublishTagStrategy.Latest | PublishTagStrategy.SemVer | PublishTagStrategy.GitSha | PublishTagStrategy.Timestamp,
            "v1.4.2+build.7", "0123456789abcdef0123456789abcdef01234567", new DateTime(2026, 11, 25, 21, 5, 9, DateTimeKind.Utc), notices.Add);
        Assert.Equal(new[] { "stable", "latest", "1.4.2_build.7", "0123456789ab", "20261125T210509Z" }, tags);
        var n = Assert.Single(notices);
        Assert.Contains("'1.4.2_build.7'", n);
    }

    [Fact]
    public void SemVer_needs_a_version()
    {
        var e = Assert.Throws<DockOptException>(() => PublishTags.Resolve(null, PublishTagStrategy.SemVer, null, null, DateTime.UtcNow, _ => { }));
        Assert.Equal("VersionRequired", e.ErrorId);
        Assert.Equal("InvalidVersion", Assert.Throws<DockOptException>(() => PublishTags.MapSemVer("1.x", out _)).ErrorId);
    }

    [Theory]
    [InlineData("123456789012.dkr.ecr.eu-west-1.amazonaws.com", "eu-west-1", false, false, "https://api.ecr.eu-west-1.amazonaws.com/")]
    [InlineData("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com", "us-gov-west-1", true, false, "https://ecr-fips.us-gov-west-1.amazonaws.com/")]
    [InlineData("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", "cn-north-1", false, true, "https://api.ecr.cn-north-1.amazonaws.com.cn/")]
    public void Ecr_hosts_are_recognised(string host, string region, bool fips, bool china, string api)
    {
        var e = RegistryTarget.ParseEcr(host)!;
        Assert.Equal(("123456789012", region, fips, china), (e.AccountId, e.Region, e.Fips, e.China));
        Assert.Equal(api, e.ApiEndpoint.ToString());
        Assert.Null(RegistryTarget.ParseEcr("ghcr.io"));
        Assert.Null(RegistryTarget.ParseEcr("public.ecr.aws"));
    }

    [Fact]
    public void Destinations_parse_and_bad_ones_fail_clearly()
    {
        var (t, tag) = RegistryTarget.Parse(null, null, "127.0.0.1:5000/team/app:1.0");
        Assert.Equal(("127.0.0.1:5000", "team/app", "1.0"), (t.Host, t.Repository, tag));
        // a registry port is not a tag
        var (u, noTag) = RegistryTarget.Parse(null, null, "127.0.0.1:5000/team/app");
        Assert.Equal(("127.0.0.1:5000", "team/app", (string?)null), (u.Host, u.Repository, noTag));
        Assert.Equal("InvalidDestination", Assert.Throws<DockOptException>(() => RegistryTarget.Parse(null, null, "app:1.0")).ErrorId);
        Assert.Equal(ErrorIds.InvalidImageReference, Assert.Throws<DockOptException>(() => RegistryTarget.Parse("ghcr.io", "Team/App", null)).ErrorId);
        Assert.Equal(ErrorIds.InvalidImageReference, Assert.Throws<DockOptException>(() => RegistryTarget.Parse(null, null, "ghcr.io/team//app")).ErrorId);
        Assert.Equal("InvalidDestination", Assert.Throws<DockOptException>(() => RegistryTarget.Parse(null, null, "team/app")).ErrorId);
        // -Registry and -Repository go through the same parser: IPv6 hosts with a port, docker's path grammar.
        var (v, _) = RegistryTarget.Parse("https://[::1]:5000/", "/team/app-1/", null);
        Assert.Equal(("[::1]:5000", "team/app-1"), (v.Host, v.Repository));
        Assert.Equal("DestinationRequired", Assert.Throws<DockOptException>(() => RegistryTarget.Parse(null, "x", null)).ErrorId);
    }

    [Fact]
    public void PushStream_counts_pushed_and_existing_layers_and_reads_the_digest()
    {
        var s = new PushStream();
        foreach (var line in new[]
        {
            "{\"status\":\"The push refers to repository [127.0.0.1:5000/a]\"}",
            "{\"status\":\"Preparing\",\"progressDetail\":{},\"id\":\"aaaaaaaaaaaa\"}",
            "{\"status\":\"Preparing\",\"progressDetail\":{},\"id\":\"bbbbbbbbbbbb\"}",
            "{\"status\":\"Pushing\",\"progressDetail\":{\"current\":512,\"total\":1024},\"progress\":\"[==>  ]\",\"id\":\"aaaaaaaaaaaa\"}",
            "{\"status\":\"Layer already exists\",\"progressDetail\":{},\"id\":\"bbbbbbbbbbbb\"}",
            "{\"status\":\"Pushing\",\"progressDetail\":{\"current\":1024,\"total\":1024},\"id\":\"aaaaaaaaaaaa\"}",
            "{\"status\":\"Pushed\",\"progressDetail\":{},\"id\":\"aaaaaaaaaaaa\"}",
            "{\"status\":\"v1: digest: sha256:" + new string('c', 64) + " size: 739\"}",
            "{\"progressDetail\":{},\"aux\":{\"Tag\":\"v1\",\"Digest\":\"sha256:" + new string('c', 64) + "\",\"Size\":739}}",
        }) s.Apply(line);
        Assert.Equal((1, 1), (s.Pushed, s.Skipped));
        Assert.Equal("sha256:" + new string('c', 64), s.Digest);
        Assert.Equal(739, s.ManifestSize);
        Assert.Equal(1024, s.ProgressBytes);
        Assert.Null(s.Error);
        s.Apply("{\"errorDetail\":{\"message\":\"tag invalid: immutable\"},\"error\":\"tag invalid: immutable\"}");
        Assert.Equal("tag invalid: immutable", s.Error);
    }

    [Theory]
    [InlineData("tag invalid: The image tag 'v1' already exists in the 'app' repository and cannot be overwritten because the tag is immutable.", "Immutable")]
    [InlineData("denied: Your authorization token has expired. Reauthenticate and try again.", "Expired")]
    [InlineData("unauthorized: authentication required", "Auth")]
    [InlineData("Put \"http://127.0.0.1:5000/v2/a/blobs/uploads/\": dial tcp 127.0.0.1:5000: connect: connection refused", "Transient")]
    [InlineData("received unexpected HTTP status: 503 Service Unavailable", "Transient")]
    [InlineData("name unknown: The repository with name 'x' does not exist in the registry with id '1'", "NotFound")]
    public void Engine_push_errors_are_classified(string message, string kind) =>
        Assert.Equal(kind, ImagePublisher.Classify(message).ToString());

    [Fact]
    public void Bearer_challenges_are_parsed()
    {
        var p = RegistryClient.ParseChallenge("realm=\"https://auth.example.com/token\",service=\"registry.example.com\",scope=\"repository:a/b:pull,push\"");
        Assert.Equal("https://auth.example.com/token", p["realm"]);
        Assert.Equal("registry.example.com", p["service"]);
        Assert.Equal("repository:a/b:pull,push", p["scope"]);
    }

    [Fact]
    public void Retry_delay_honours_Retry_After_and_the_bounds()
    {
        var r = new RetryPolicy { MaxAttempts = 3, MaxTime = TimeSpan.FromSeconds(10) };
        Assert.Equal(TimeSpan.FromSeconds(4), r.Delay(1, new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(4))));
        var d = r.Delay(3);
        Assert.InRange(d.TotalMilliseconds, 1000, 2000);
        Assert.True(r.CanRetry(2, DateTime.UtcNow, TimeSpan.FromSeconds(1)));
        Assert.False(r.CanRetry(3, DateTime.UtcNow, TimeSpan.FromSeconds(1)));
        Assert.False(r.CanRetry(1, DateTime.UtcNow.AddSeconds(-9.5), TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Config_json_auths_identity_tokens_and_helpers_are_read()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        var bin = Directory.CreateTempSubdirectory().FullName;
        var oldPath = Environment.GetEnvironmentVariable("PATH");
        try
        {
            var helper = Path.Combine(bin, "docker-credential-dockopttest");
            File.WriteAllText(helper, "#!/bin/sh\nread url\nif [ \"$url\" = \"helper.example.com\" ]; then echo '{\"ServerURL\":\"helper.example.com\",\"Username\":\"hu\",\"Secret\":\"hs-secret\"}'; else echo 'credentials not found in native keychain'; exit 1; fi\n");
            File.SetUnixFileMode(helper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Environment.SetEnvironmentVariable("PATH", bin + ":" + oldPath);
            var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:pa:ss"));
            File.WriteAllText(Path.Combine(dir, "config.json"),
                "{\"auths\":{\"https://reg.example.com/v1/\":{\"auth\":\"" + auth + "\"},\"tok.example.com\":{\"identitytoken\":\"refresh-tok\"}}," +
                "\"credHelpers\":{\"helper.example.com\":\"dockopttest\"}}");
            var c = new DockerConfigCredentials(dir);
            var a = c.Find("reg.example.com")!;
            Assert.Equal(("alice", "pa:ss", "config.json auths"), (a.Username, a.Secret, a.Source));
            var t = c.Find("tok.example.com")!;
            Assert.Equal("refresh-tok", t.IdentityToken);
            var h = c.Find("helper.example.com")!;
            Assert.Equal(("hu", "hs-secret", "credHelper dockopttest"), (h.Username, h.Secret, h.Source));
            Assert.Null(c.Find("other.example.com"));
            Assert.DoesNotContain("hs-secret", h.ToString());
            Assert.Equal("x *** y", h.Scrub("x hs-secret y"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", oldPath);
            Directory.Delete(dir, true);
            Directory.Delete(bin, true);
        }
    }
}

public class ScanGateTests
{
    static PublishResult R(string tag, string digest, EcrScanSummary? scan) => new()
    {
        Registry = "1.dkr.ecr.eu-west-1.amazonaws.com", Repository = "app", Tag = tag, Digest = digest,
        ImageUri = "1.dkr.ecr.eu-west-1.amazonaws.com/app@" + digest, Scan = scan,
    };

    [Fact]
    public void FailOn_counts_the_severity_and_worse_once_per_digest()
    {
        var scan = new EcrScanSummary { Status = "COMPLETE", High = 2, Medium = 3, Low = 9 };
        var results = new[] { R("a", "sha256:1", scan), R("b", "sha256:1", scan) };
        Assert.Null(ScanGate.Evaluate(results, "Critical"));
        var e = ScanGate.Evaluate(results, "High")!;
        Assert.Equal("PublishScanGateFailed", e.ErrorId);
        Assert.Contains("2 finding(s) at High", e.Message);
        Assert.DoesNotContain(":b has", e.Message); // one line per digest, not per tag
        Assert.Equal(14, ScanGate.CountAtOrAbove(scan, "low"));
    }

    [Fact]
    public void FailOn_fails_when_a_scan_did_not_complete()
    {
        var e = ScanGate.Evaluate(new[] { R("a", "sha256:2", new EcrScanSummary { Status = "IN_PROGRESS" }) }, "Critical")!;
        Assert.Contains("no complete scan", e.Message);
        Assert.Contains("IN_PROGRESS", e.Message);
        Assert.Null(ScanGate.Evaluate(Array.Empty<PublishResult>(), "Critical"));
    }

    [Fact]
    public void FailOn_judges_the_platform_images_of_a_multi_platform_publish_not_the_index()
    {
        var clean = new EcrScanSummary { Status = "COMPLETE", Low = 1 };
        var index = R("1.0", "sha256:9", null);
        index.MediaType = RawManifest.OciIndex;
        var results = new[] { R("1.0-linux-amd64", "sha256:1", clean), R("1.0-linux-arm64", "sha256:2", clean), index };
        Assert.Null(ScanGate.Evaluate(results, "High"));
        var e = ScanGate.Evaluate(new[] { R("1.0-linux-amd64", "sha256:1", null), index }, "High")!;
        Assert.Contains("sha256:1 (no scan)", e.Message);
        Assert.DoesNotContain("sha256:9", e.Message);
    }
}
