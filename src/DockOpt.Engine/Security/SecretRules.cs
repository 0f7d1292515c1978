using System.Text;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.Security;

/// <summary>One secret detection rule. The regex's "secret" group is what is redacted and entropy-checked.</summary>
public sealed class SecretRule
{
    public string Id { get; init; } = "";
    public string Title { get; init; } = "";
    public string Severity { get; init; } = "High";

    /// <summary>Lower-case ASCII keywords; the regex runs only when one occurs (case-insensitively) in the text.</summary>
    public string[] Keywords { get; init; } = Array.Empty<string>();
    public Regex Regex { get; init; } = null!;

    /// <summary>Minimum Shannon entropy (bits per character) of the secret group, 0 for none.</summary>
    public double MinEntropy { get; init; }

    /// <summary>When set, the rule only applies to files whose path matches (e.g. .npmrc).</summary>
    public Regex? Path { get; init; }
    public string Rationale { get; init; } = "";
}

/// <summary>One secret found in text.</summary>
public sealed record SecretMatch(SecretRule Rule, string Redacted, int Line)
{
    /// <summary>SHA-256 of the secret, to recognise the same secret in two places; never output.</summary>
    internal string Fingerprint { get; init; } = "";
}

/// <summary>
/// DockOpt's documented secret rule set (docs/Invoke-DockOptScan.md, "Secret rules"): keyword prefilter, regex,
/// entropy check, allow-list of documentation example keys and of test-fixture/documentation paths, redaction.
/// </summary>
public static class SecretRules
{
    const RegexOptions O = RegexOptions.CultureInvariant | RegexOptions.Compiled;
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    static Regex R(string p, RegexOptions extra = RegexOptions.None) => new(p, O | extra, Timeout);

    public static readonly SecretRule[] All =
    {
        new() { Id = "DO-SEC-AWS-ACCESS-KEY", Title = "AWS access key ID", Severity = "Critical",
            Keywords = new[] { "akia", "asia", "abia", "acca", "a3t" },
            Regex = R(@"(?<![A-Za-z0-9])(?<secret>(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16})(?![A-Za-z0-9])"),
            Rationale = "An AWS access key ID; with its secret it grants API access to the account." },
        new() { Id = "DO-SEC-AWS-SECRET-KEY", Title = "AWS secret access key", Severity = "Critical",
            Keywords = new[] { "aws" }, MinEntropy = 3.5,
            Regex = R(@"(?i)aws[a-z0-9_.\-]{0,20}?(?:secret|key)[a-z0-9_.\-]{0,20}?[""']?\s*(?:[:=]|=>)\s*[""']?(?<secret>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"),
            Rationale = "An AWS secret access key assigned to an AWS-named variable." },
        new() { Id = "DO-SEC-GITHUB-TOKEN", Title = "GitHub token", Severity = "Critical",
            Keywords = new[] { "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_" },
            Regex = R(@"(?<secret>(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{82}))(?![A-Za-z0-9_])"),
            Rationale = "A GitHub personal access, OAuth, app or refresh token." },
        new() { Id = "DO-SEC-GITLAB-TOKEN", Title = "GitLab personal access token", Severity = "Critical",
            Keywords = new[] { "glpat-" },
            Regex = R(@"(?<secret>glpat-[A-Za-z0-9_\-]{20,})"),
            Rationale = "A GitLab personal access token." },
        new() { Id = "DO-SEC-SLACK-TOKEN", Title = "Slack token", Severity = "High",
            Keywords = new[] { "xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-" },
            Regex = R(@"(?<secret>xox[baprs]-[0-9A-Za-z\-]{10,72})"),
            Rationale = "A Slack bot, user or app token." },
        new() { Id = "DO-SEC-SLACK-WEBHOOK", Title = "Slack incoming webhook", Severity = "Medium",
            Keywords = new[] { "hooks.slack.com" },
            Regex = R(@"https://hooks\.slack\.com/services/(?<secret>T[A-Za-z0-9_]{8,}/B[A-Za-z0-9_]{8,}/[A-Za-z0-9_]{20,})"),
            Rationale = "Anyone with the URL can post to the channel." },
        new() { Id = "DO-SEC-PRIVATE-KEY", Title = "Private key", Severity = "High",
            Keywords = new[] { "private key" },
            Regex = R(@"-----BEGIN[ A-Z0-9]{0,20} PRIVATE KEY(?: BLOCK)?-----[\r\n]+(?<secret>(?:[A-Za-z0-9+/=:,\- ]{8,}[\r\n]+){2,}?)-----END[ A-Z0-9]{0,20} PRIVATE KEY(?: BLOCK)?-----"),
            Rationale = "An RSA, EC, DSA, OpenSSH, PKCS#8 or PGP private key; whoever extracts the layer holds the key." },
        new() { Id = "DO-SEC-JWT", Title = "JSON Web Token", Severity = "Medium",
            Keywords = new[] { "eyj" },
            Regex = R(@"(?<![A-Za-z0-9_\-])(?<secret>eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{16,})"),
            Rationale = "A signed bearer token; often long-lived." },
        new() { Id = "DO-SEC-NPMRC-AUTH", Title = ".npmrc auth entry", Severity = "High",
            Keywords = new[] { "_auth" }, Path = R(@"(^|/)\.npmrc$"),
            Regex = R(@"(?m)_(?:authToken|auth|password)\s*=\s*(?<secret>[^\s$][^\s]{5,})"),
            Rationale = "npm registry credentials left in the image." },
        new() { Id = "DO-SEC-PYPIRC-AUTH", Title = ".pypirc password", Severity = "High",
            Keywords = new[] { "password" }, Path = R(@"(^|/)\.pypirc$"),
            Regex = R(@"(?im)^\s*password\s*[:=]\s*(?<secret>\S{4,})"),
            Rationale = "PyPI upload credentials left in the image." },
        new() { Id = "DO-SEC-DOCKER-CONFIG-AUTH", Title = "Docker config.json auth", Severity = "High",
            Keywords = new[] { "auth" }, Path = R(@"(^|/)\.docker/config\.json$"),
            Regex = R(@"""(?:auth|identitytoken)""\s*:\s*""(?<secret>[A-Za-z0-9+/=._\-]{8,})"""),
            Rationale = "Registry credentials (base64 user:password) left in the image." },
        new() { Id = "DO-SEC-CLOUD-CREDENTIALS", Title = "Cloud credentials file", Severity = "Critical",
            Keywords = new[] { "aws_secret_access_key", "service_account", "client_secret" },
            Path = R(@"(^|/)(\.aws/credentials|\.aws/config|[^/]*service[-_]?account[^/]*\.json|[^/]*gcp[^/]*\.json|application_default_credentials\.json|\.azure/[^/]+\.json)$"),
            Regex = R(@"(?im)(?:^\s*aws_secret_access_key\s*=\s*(?<secret>\S{16,})|""(?:private_key_id|client_secret)""\s*:\s*""(?<secret>[^""]{16,})"")"),
            Rationale = "An AWS shared-credentials file, a GCP service-account key or Azure client secret." },
        new() { Id = "DO-SEC-GENERIC-ASSIGNMENT", Title = "High-entropy value assigned to a secret-like name", Severity = "Medium",
            Keywords = new[] { "password", "passwd", "secret", "token", "api_key", "apikey", "api-key" }, MinEntropy = 3.7,
            Regex = R(@"(?i)(?<![A-Za-z0-9])[A-Za-z0-9_.\-]{0,30}(?:password|passwd|secret|token|api[_\-]?key)[A-Za-z0-9_\-]{0,30}[""']?\s*(?:[:=]|:=|=>)\s*[""']?(?<secret>[A-Za-z0-9/+=_\-.!@#%^&*]{16,128})(?![A-Za-z0-9/+=_\-])"),
            Rationale = "A random-looking value assigned to a password/secret/token/API-key name; placeholders and low-entropy words are skipped." },
    };

    /// <summary>Documentation example credentials that are never reported (AWS's published examples).</summary>
    public static readonly HashSet<string> ExampleValues = new(StringComparer.Ordinal)
    {
        "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AKIAI44QH8DHBEXAMPLE", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
        "ASIAIOSFODNN7EXAMPLE",
    };

    /// <summary>Paths never scanned: test fixtures, documentation, and distro/language library trees (Trivy's allow-list plus fixtures).</summary>
    public static readonly Regex AllowedPath = new(
        @"(^|/)(tests?|testdata|test[-_]fixtures?|fixtures|__tests__|spec|examples?|docs?)/|(_test|\.test|\.spec)\.[a-z]+$|\.md$|\.dist-info/|\.egg-info/|(^|/)locales?/|" +
        @"^usr/(share|include)/|^usr/lib/(?!.*\.docker/)|^usr/local/go/|^usr/local/lib/python\d|^usr/lib/python\d|^opt/yarn-v|^usr/lib/gems/|^var/lib/dpkg/|^var/cache/|^etc/ssl/certs/|\.js\.map$",
        O, Timeout);

    public static bool IsAllowedPath(string path) => AllowedPath.IsMatch(path);

    /// <summary>Whether any rule applies to this path at all (path-scoped rules name the files they want).</summary>
    public static bool WantsFile(string path) => !IsAllowedPath(path);

    /// <summary>Scans text (a file read as Latin-1, or a config string) and returns redacted matches.</summary>
    public static List<SecretMatch> Scan(string text, string? path, Action<string>? onTimeout = null)
    {
        var found = new List<SecretMatch>();
        string? lower = null;
        foreach (var rule in All)
        {
            if (rule.Path != null && (path == null || !rule.Path.IsMatch(path))) continue;
            lower ??= text.ToLowerInvariant();
            if (rule.Keywords.Length > 0 && !rule.Keywords.Any(k => lower.Contains(k, StringComparison.Ordinal))) continue;
            MatchCollection ms;
            try { ms = rule.Regex.Matches(text); _ = ms.Count; }
            catch (RegexMatchTimeoutException) { onTimeout?.Invoke(rule.Id); continue; }
            foreach (Match m in ms)
            {
                var g = m.Groups["secret"];
                var secret = g.Success ? g.Value : m.Value;
                if (IsExample(secret, m.Value)) continue;
                if (rule.MinEntropy > 0 && Entropy(secret) < rule.MinEntropy) continue;
                if (rule.Id == "DO-SEC-GENERIC-ASSIGNMENT" && IsPlaceholder(secret)) continue;
                // A private key is one finding; other rules may still fire on its body, so skip overlaps.
                var line = 1 + CountNewlines(text, m.Index);
                found.Add(new SecretMatch(rule, Redact(rule, m.Value, secret), line) { Fingerprint = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(secret))) });
            }
        }
        // The generic rule yields to a specific rule on the same line.
        return found.Where(f => f.Rule.Id != "DO-SEC-GENERIC-ASSIGNMENT" || !found.Any(o => o.Rule.Id != f.Rule.Id && o.Line == f.Line)).ToList();
    }

    static int CountNewlines(string s, int end)
    {
        var n = 0;
        for (var i = 0; i < end; i++) if (s[i] == '\n') n++;
        return n;
    }

    static bool IsExample(string secret, string whole) =>
        ExampleValues.Contains(secret) || ExampleValues.Any(e => whole.Contains(e, StringComparison.Ordinal)) ||
        secret.EndsWith("EXAMPLE", StringComparison.Ordinal) || secret.EndsWith("EXAMPLEKEY", StringComparison.Ordinal);

    static bool IsPlaceholder(string v)
    {
        var l = v.ToLowerInvariant();
        return v.StartsWith('$') || v.StartsWith('<') || v.StartsWith('%') || v.StartsWith('{') ||
               l.Contains("changeme") || l.Contains("example") || l.Contains("placeholder") || l.Contains("xxxxxx") ||
               l.Contains("dummy") || l.Contains("redacted") || l.StartsWith("os.environ") || l.StartsWith("process.env") ||
               l.Contains("getenv") || v.All(c => c == '*' || c == 'x' || c == 'X');
    }

    /// <summary>Shannon entropy in bits per character.</summary>
    public static double Entropy(string s)
    {
        if (s.Length == 0) return 0;
        var counts = new Dictionary<char, int>();
        foreach (var c in s) counts[c] = counts.TryGetValue(c, out var n) ? n + 1 : 1;
        double h = 0;
        foreach (var n in counts.Values)
        {
            var p = (double)n / s.Length;
            h -= p * Math.Log2(p);
        }
        return h;
    }

    /// <summary>The match with its secret part replaced: at most the first 4 characters stay, then asterisks and the length.</summary>
    public static string Redact(SecretRule rule, string whole, string secret)
    {
        if (rule.Id == "DO-SEC-PRIVATE-KEY")
        {
            var header = whole.Split('\n')[0].Trim();
            return header + " ***REDACTED*** (" + secret.Length + " chars)";
        }
        var keep = secret.Length >= 16 ? 4 : 0;
        var red = secret[..keep] + "****************"[..Math.Min(16, Math.Max(8, secret.Length - keep))] + $"({secret.Length} chars)";
        var i = whole.IndexOf(secret, StringComparison.Ordinal);
        var text = i >= 0 ? whole[..i] + red + whole[(i + secret.Length)..] : red;
        text = text.Replace('\n', ' ').Replace('\r', ' ');
        return text.Length > 160 ? text[..160] + "…" : text;
    }

    /// <summary>
    /// The text with every match of every rule masked as findings mask it (no entropy or example exemptions: when in
    /// doubt, mask), for echoing a source line such as a Dockerfile instruction next to a finding.
    /// </summary>
    public static string RedactAll(string text)
    {
        foreach (var rule in All)
        {
            try
            {
                text = rule.Regex.Replace(text, m =>
                {
                    var g = m.Groups["secret"];
                    var secret = g.Success ? g.Value : m.Value;
                    if (secret.Length == 0) return m.Value;
                    var keep = secret.Length >= 16 ? 4 : 0;
                    var red = secret[..keep] + new string('*', Math.Min(16, Math.Max(8, secret.Length - keep)));
                    return g.Success ? m.Value[..(g.Index - m.Index)] + red + m.Value[(g.Index - m.Index + g.Length)..] : red;
                });
            }
            catch (RegexMatchTimeoutException) { return "(withheld: the secret rules timed out on this text)"; }
        }
        return text;
    }

    /// <summary>True when the first 8000 bytes hold a NUL (binary file).</summary>
    public static bool LooksBinary(ReadOnlySpan<byte> data) => data[..Math.Min(8000, data.Length)].IndexOf((byte)0) >= 0;

    /// <summary>Whether any keyword of any rule occurs in ASCII-lower-cased data (cheap check before decoding), or the path is one a path-scoped rule wants.</summary>
    public static bool AnyKeyword(ReadOnlySpan<byte> lowered, string? path)
    {
        foreach (var k in KeywordBytes)
            if (lowered.IndexOf(k) >= 0) return true;
        return path != null && PathScoped.Any(r => r.Path!.IsMatch(path));
    }

    static readonly SecretRule[] PathScoped = All.Where(r => r.Path != null).ToArray();
    static readonly byte[][] KeywordBytes = All.Where(r => r.Path == null).SelectMany(r => r.Keywords).Distinct().Select(k => Encoding.ASCII.GetBytes(k)).ToArray();
}
