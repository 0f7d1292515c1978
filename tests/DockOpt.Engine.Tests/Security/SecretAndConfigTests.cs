using DockOpt.Engine.Security;

namespace DockOpt.Engine.Tests.Security;

public class SecretAndConfigTests
{
    // Built at run time so no credential-shaped literal sits in the repository.
    static string FakeAwsKeyId() => "AKIA" + "Q3EGRT7YUV2WXZ4B";
    static string FakeAwsSecret() => "kX9" + "pQ2mZ7rT4vB8nL1sD6fG3hJ5wE0yU9iO2aC4xK7z".Substring(0, 37);

    [Fact]
    public void Aws_key_found_and_redacted()
    {
        var id = FakeAwsKeyId();
        var hits = SecretRules.Scan($"export AWS_ACCESS_KEY_ID={id}\n", "srv/app/env.sh");
        var h = Assert.Single(hits);
        Assert.Equal("DO-SEC-AWS-ACCESS-KEY", h.Rule.Id);
        Assert.Equal(1, h.Line);
        Assert.DoesNotContain(id, h.Redacted);
        Assert.StartsWith("AKIA****", h.Redacted);
    }

    [Fact]
    public void Aws_secret_needs_entropy_and_is_redacted()
    {
        var s = FakeAwsSecret();
        Assert.Equal(40, s.Length);
        var h = Assert.Single(SecretRules.Scan($"aws_secret_access_key = {s}", "root/creds.ini"));
        Assert.Equal("DO-SEC-AWS-SECRET-KEY", h.Rule.Id);
        Assert.DoesNotContain(s, h.Redacted);
        Assert.Empty(SecretRules.Scan("aws_secret_access_key = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "x.ini")); // low entropy
    }

    [Theory]
    [InlineData("AKIAIOSFODNN7EXAMPLE")]
    [InlineData("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")]
    [InlineData("AKIAI44QH8DHBEXAMPLE")]
    public void Aws_published_example_keys_are_not_reported(string text) => Assert.Empty(SecretRules.Scan(text, "srv/app/config"));

    [Theory]
    [InlineData("srv/app/tests/fixtures/key.pem", true)]
    [InlineData("src/testdata/id_rsa", true)]
    [InlineData("usr/share/doc/x/README", true)]
    [InlineData("usr/local/lib/python3.11/site-packages/boto3/docs.py", true)]
    [InlineData("app/handler_test.go", true)]
    [InlineData("root/.ssh/id_rsa", false)]
    [InlineData("srv/app/.env", false)]
    [InlineData("root/.docker/config.json", false)]
    public void Allow_listed_paths(string path, bool allowed) => Assert.Equal(allowed, SecretRules.IsAllowedPath(path));

    static string FakeKeyBody() => string.Join("\n", Enumerable.Range(0, 6).Select(i => Convert.ToBase64String(Enumerable.Range(0, 48).Select(j => (byte)(i * 31 + j * 7)).ToArray())));

    [Theory]
    [InlineData("RSA ")]
    [InlineData("EC ")]
    [InlineData("OPENSSH ")]
    [InlineData("")]
    public void Private_keys_of_each_kind(string kind)
    {
        var pem = $"-----BEGIN {kind}PRIVATE KEY-----\n{FakeKeyBody()}\n-----END {kind}PRIVATE KEY-----\n";
        var h = Assert.Single(SecretRules.Scan(pem, "root/.ssh/id_x"));
        Assert.Equal("DO-SEC-PRIVATE-KEY", h.Rule.Id);
        Assert.Equal($"-----BEGIN {kind}PRIVATE KEY----- ***REDACTED*** ({FakeKeyBody().Length + 1} chars)", h.Redacted);
        Assert.Empty(SecretRules.Scan($"-----BEGIN {kind}PRIVATE KEY-----\n-----END {kind}PRIVATE KEY-----", "doc.txt")); // header only
    }

    [Fact]
    public void Pgp_private_key_block()
    {
        var pgp = $"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{FakeKeyBody()}\n-----END PGP PRIVATE KEY BLOCK-----";
        Assert.Equal("DO-SEC-PRIVATE-KEY", Assert.Single(SecretRules.Scan(pgp, "k.asc")).Rule.Id);
    }

    [Theory]
    [InlineData("token: ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5", "DO-SEC-GITHUB-TOKEN")]
    [InlineData("glpat-" + "Xy7_abCD12efGH34ijKL", "DO-SEC-GITLAB-TOKEN")]
    [InlineData("SLACK=xoxb-" + "1234567890-abcdefghijKLMN", "DO-SEC-SLACK-TOKEN")]
    [InlineData("url https://hooks.slack.com/services/" + "T01ABCDEFGH/B01ABCDEFGH/abcdefghijklmnopqrstuvwx", "DO-SEC-SLACK-WEBHOOK")]
    [InlineData("Authorization: Bearer eyJ" + "hbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "DO-SEC-JWT")]
    [InlineData("db_password = \"Vq8#kLz2!pR7mW4xT9bN\"", "DO-SEC-GENERIC-ASSIGNMENT")]
    public void Token_rules(string text, string rule)
    {
        var h = Assert.Single(SecretRules.Scan(text, "srv/app/settings.conf"));
        Assert.Equal(rule, h.Rule.Id);
    }

    [Theory]
    [InlineData("password = ${DB_PASSWORD}")]
    [InlineData("password: changeme-changeme-123")]
    [InlineData("token = os.environ['APP_TOKEN_VALUE_X']")]
    [InlineData("secret_key = aaaaaaaaaaaaaaaaaaaaaaaa")]
    public void Generic_rule_skips_placeholders_and_low_entropy(string text) => Assert.Empty(SecretRules.Scan(text, "srv/app/settings.conf"));

    [Fact]
    public void Path_scoped_credential_files()
    {
        Assert.Equal("DO-SEC-NPMRC-AUTH", Assert.Single(SecretRules.Scan("//registry.npmjs.org/:_authToken=npm_abcdefghijklmnop1234", "root/.npmrc")).Rule.Id);
        // elsewhere the .npmrc rule does not apply (the generic assignment rule may still fire on the token)
        Assert.DoesNotContain(SecretRules.Scan("//registry.npmjs.org/:_authToken=npm_abcdefghijklmnop1234", "root/notes.txt"), h => h.Rule.Id == "DO-SEC-NPMRC-AUTH");
        Assert.Equal("DO-SEC-PYPIRC-AUTH", Assert.Single(SecretRules.Scan("[pypi]\nusername = __token__\npassword = pypi-AgEIcHlwaS5vcmc", "root/.pypirc")).Rule.Id);
        Assert.Equal("DO-SEC-DOCKER-CONFIG-AUTH", Assert.Single(SecretRules.Scan("{\"auths\":{\"r.example\":{\"auth\":\"dXNlcjpwYXNzd29yZA==\"}}}", "root/.docker/config.json")).Rule.Id);
        Assert.Equal("DO-SEC-CLOUD-CREDENTIALS", Assert.Single(SecretRules.Scan("[default]\naws_secret_access_key = Zm9vYmFyYmF6cXV4MTIzNDU2\n", "root/.aws/credentials")).Rule.Id);
    }

    [Fact]
    public void Keyword_prefilter_on_lowered_bytes()
    {
        Assert.True(SecretRules.AnyKeyword("xx akia yy"u8, "a.txt"));
        Assert.False(SecretRules.AnyKeyword("nothing to see here"u8, "a.txt"));
        Assert.True(SecretRules.AnyKeyword("nothing"u8, "root/.npmrc")); // path-scoped rule wants the file
    }

    [Theory]
    [InlineData("", null, true)]
    [InlineData("root", null, true)]
    [InlineData("0", null, true)]
    [InlineData("0:1000", null, true)]
    [InlineData("root:staff", null, true)]
    [InlineData("1000", null, false)]
    [InlineData("1000:0", null, false)]
    [InlineData("svc", "root:x:0:0::/root:/bin/sh\nsvc:x:0:0::/:/bin/sh\n", true)]
    [InlineData("svc:svc", "svc:x:0:0::/:/bin/sh\n", true)]
    [InlineData("app", "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n", false)]
    [InlineData("00", null, true)]
    public void Root_is_resolved_by_uid(string user, string? passwd, bool root) =>
        Assert.Equal(root, ConfigChecks.ResolveUser(user, passwd).IsRoot);

    [Fact]
    public void Metadata_checks_ids_and_redaction()
    {
        var id = FakeAwsKeyId();
        var cfg = new ImageConfigModel
        {
            User = "",
            Env = new() { new("AWS_ACCESS_KEY_ID", id), new("DOC", "AKIAIOSFODNN7EXAMPLE"), new("PATH", "/usr/bin") },
            Labels = new() { ["deploy.key"] = id + "X".Replace("X", "") },
            History = new()
            {
                ("/bin/sh -c #(nop) ADD file:abc in / ", false),
                ("/bin/sh -c #(nop)  CMD [\"sh\"]", true),
                ("|1 GH=ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5 /bin/sh -c echo hi", false),
                ("/bin/sh -c #(nop) ADD https://user:pw@example.org/x.tgz?sig=abc in /opt/ ", false),
            },
        };
        var ctx = new ConfigCheckContext { Image = "t", Config = cfg, Exists = p => p == "bin/sh", DiffIds = new[] { "sha256:a", "sha256:b", "sha256:c" }, BaseHistoryCount = 2, BaseLayers = new() { 0 } };
        var f = ConfigChecks.Run(ctx);
        Assert.Contains(f, x => x.RuleId == "DO-CFG-001" && x.Cis == "4.1" && x.Dockle == "CIS-DI-0001");
        var env = Assert.Single(f, x => x.RuleId == "DO-CFG-007");
        Assert.Equal("ENV:AWS_ACCESS_KEY_ID", env.Location);
        // the same key in a label is the same secret: reported once, in ENV
        Assert.DoesNotContain(f, x => x.RuleId == "DO-CFG-009");
        var arg = Assert.Single(f, x => x.RuleId == "DO-CFG-008");
        Assert.Equal("ARG:GH (history 2)", arg.Location);
        Assert.Equal(1, arg.Layer);
        var add = Assert.Single(f, x => x.RuleId == "DO-CFG-011");
        Assert.DoesNotContain("pw", add.Match);
        Assert.DoesNotContain("sig=abc", add.Match);
        Assert.False(add.IsBaseLayer);
        Assert.Contains(f, x => x.RuleId == "DO-CFG-004");
        Assert.Contains(f, x => x.RuleId == "DO-CFG-012" && x.Cis == "4.6");
        foreach (var x in f) Assert.DoesNotContain(id, x.Match + x.Title + x.Location);
        Assert.DoesNotContain(f, x => x.Match.Contains("EXAMPLE"));
        Assert.Equal(ConfigChecks.All.Length, ConfigChecks.All.Select(c => c.Id).Distinct().Count());
    }

    [Fact]
    public void Score_deductions_caps_and_gate()
    {
        var scan = new ImageScanResult { Image = "t" };
        scan.Findings.Add(new SecurityFinding { Kind = "Secret", RuleId = "DO-SEC-PRIVATE-KEY", Severity = "High", Location = "/k" });
        scan.Findings.Add(new SecurityFinding { Kind = "Config", RuleId = "DO-CFG-001", Severity = "High", Location = "User" });
        scan.Findings.Add(new SecurityFinding { Kind = "Config", RuleId = "DO-CFG-012", Severity = "Low", Location = "Healthcheck" });
        var vulns = new List<Vulnerability>
        {
            new() { Id = "CVE-1", Severity = Severity.Critical, FixedVersion = "2" },
            new() { Id = "CVE-2", Severity = Severity.Critical },
            new() { Id = "CVE-3", Severity = Severity.Low, FixedVersion = "1" },
        };
        var now = DateTime.UtcNow;
        var r = SecurityEvaluator.Evaluate(scan, vulns, null, new GatePolicy { FailOn = "Critical", FailOnFixableOnly = true }, Array.Empty<string>(), Array.Empty<string>(), now, TimeSpan.Zero);
        // 100 - (10 + 5 + 0.5) - 20 - (10 + 2) = 52.5 -> 53 (away from zero)
        Assert.Equal(53, r.Score);
        Assert.Equal("C", r.Grade);
        Assert.Equal((2, 2, 0, 2), (r.Critical, r.High, r.Medium, r.Low));
        Assert.Equal(15.5, r.VulnerabilityDeduction);
        Assert.Equal(new[] { 10, 5, 0.5 }, r.Vulnerabilities.OrderBy(v => v.Id).Select(v => v.Deduction));
        Assert.Equal("PolicyFailed", r.Outcome);
        Assert.Equal("1 fixable vulnerability at or above Critical", Assert.Single(r.GateReasons));

        // display filter does not change the gate or the counts
        var shown = SecurityEvaluator.Evaluate(scan, vulns, null, new GatePolicy { Severity = "Critical" }, Array.Empty<string>(), Array.Empty<string>(), now, TimeSpan.Zero);
        Assert.Equal("Passed", shown.Outcome);
        Assert.Equal(2, shown.Vulnerabilities.Length);
        Assert.Empty(shown.Findings);
        Assert.Equal(2, shown.Critical);

        // capped category: 10 critical fixable = 100 points, capped at 50, each deduction scaled to 5
        var many = Enumerable.Range(0, 10).Select(i => new Vulnerability { Id = "CVE-X" + i, Severity = Severity.Critical, FixedVersion = "9" }).ToList();
        var capped = SecurityEvaluator.Evaluate(new ImageScanResult(), many, null, new GatePolicy(), Array.Empty<string>(), Array.Empty<string>(), now, TimeSpan.Zero);
        Assert.Equal(50, capped.Score);
        Assert.All(capped.Vulnerabilities, v => Assert.Equal(5, v.Deduction));

        // -IgnoreBase drops base-layer findings before counting and gating
        var baseScan = new ImageScanResult { Image = "b" };
        baseScan.Findings.Add(new SecurityFinding { Kind = "Config", RuleId = "DO-CFG-002", Severity = "Low", Location = "/usr/bin/su", IsBaseLayer = true, Layer = 0 });
        baseScan.Findings.Add(new SecurityFinding { Kind = "Config", RuleId = "DO-CFG-002", Severity = "Low", Location = "/app/x", IsBaseLayer = false, Layer = 1 });
        var baseV = new List<Vulnerability> { new() { Id = "CVE-B", Severity = Severity.Critical, IsBaseLayer = true } };
        var withBase = SecurityEvaluator.Evaluate(baseScan, baseV, null, new GatePolicy { FailOn = "Critical" }, Array.Empty<string>(), Array.Empty<string>(), now, TimeSpan.Zero);
        Assert.Equal(("PolicyFailed", 2), (withBase.Outcome, withBase.ConfigCount));
        var noBase = SecurityEvaluator.Evaluate(baseScan, baseV, null, new GatePolicy { FailOn = "Critical", IgnoreBase = true }, Array.Empty<string>(), Array.Empty<string>(), now, TimeSpan.Zero);
        Assert.Equal(("Passed", 1, 0, 98), (noBase.Outcome, noBase.ConfigCount, noBase.VulnerabilityCount, noBase.Score));

        // a scanner error is never a pass
        var err = SecurityEvaluator.Evaluate(new ImageScanResult(), new(), null, new GatePolicy(), new[] { "trivy failed" }, Array.Empty<string>(), now, TimeSpan.Zero);
        Assert.Equal("Incomplete", err.Outcome);

        // suppressed: listed, flagged, not counted or deducted
        var ign = IgnoreFile.ParsePlain("CVE-2\n", "x");
        var sup = SecurityEvaluator.Evaluate(scan, vulns, ign, new GatePolicy { FailOn = "Critical" }, Array.Empty<string>(), Array.Empty<string>(), now, TimeSpan.Zero);
        Assert.True(sup.Vulnerabilities.Single(v => v.Id == "CVE-2").Suppressed);
        Assert.Equal(0, sup.Vulnerabilities.Single(v => v.Id == "CVE-2").Deduction);
        Assert.Equal(1, sup.SuppressedCount);
        Assert.Equal(1, sup.Critical);
    }
}
