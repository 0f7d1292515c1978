using System.Globalization;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.Security;

public sealed class ConfigCheckContext
{
    public string Image { get; init; } = "";
    public ImageConfigModel Config { get; init; } = new();
    public string? PasswdText { get; init; }
    public Func<string, bool> Exists { get; init; } = _ => false;
    public List<(string Path, int Mode, int Layer, bool IsBase)> SetuidFiles { get; init; } = new();
    public List<(string Path, int Mode, int Layer, bool IsBase)> WorldWritable { get; init; } = new();
    public HashSet<int> BaseLayers { get; init; } = new();
    public int BaseHistoryCount { get; init; }
    public string[] DiffIds { get; init; } = Array.Empty<string>();
}

/// <summary>A configuration check: stable ID, severity, rationale and its CIS Docker Benchmark §4 / Dockle / Trivy equivalents.</summary>
public sealed record ConfigCheck(string Id, string Title, string Severity, string Cis, string Dockle, string Trivy, string Rationale);

/// <summary>Image configuration checks (documented in docs/Invoke-DockOptScan.md, "Configuration checks").</summary>
public static class ConfigChecks
{
    public static readonly ConfigCheck RootUser = new("DO-CFG-001", "Container runs as root", "High", "4.1", "CIS-DI-0001", "DS-0002",
        "A process running as UID 0 in the container is root on the host kernel; a breakout or a writable host mount gives full control. Resolved by UID: '', root, 0, 0:gid, root:group or any name whose UID in /etc/passwd is 0.");
    public static readonly ConfigCheck Setuid = new("DO-CFG-002", "setuid/setgid file", "Low", "4.8", "CIS-DI-0008", "none",
        "setuid/setgid binaries let an unprivileged process gain the owner's rights; remove the bits unless needed (chmod a-s).");
    public static readonly ConfigCheck WorldWritable = new("DO-CFG-003", "World-writable file or directory", "Medium", "none", "none", "none",
        "Any user in the container can change it (directories without the sticky bit let anyone replace files).");
    public static readonly ConfigCheck Shell = new("DO-CFG-004", "Shell in the runtime image", "Low", "4.3", "CIS-DI-0003 (manual)", "none",
        "A shell helps an attacker who gets code execution; distroless or scratch runtime stages leave it out.");
    public static readonly ConfigCheck PackageManager = new("DO-CFG-005", "Package manager in the runtime image", "Low", "4.3", "CIS-DI-0003 (manual)", "none",
        "A package manager lets an intruder install tools; remove it from the runtime stage.");
    public static readonly ConfigCheck Sudo = new("DO-CFG-006", "sudo present", "Medium", "4.3", "DKL-DI-0001", "DS-0010",
        "sudo in a container has unpredictable TTY and signal behaviour and is a privilege-escalation path; use USER and gosu/setpriv instead.");
    public static readonly ConfigCheck SecretEnv = new("DO-CFG-007", "Secret in ENV", "Critical", "4.10", "CIS-DI-0010", "DS-0031",
        "ENV values are stored in the image config and visible to anyone who can pull or inspect the image.");
    public static readonly ConfigCheck SecretArg = new("DO-CFG-008", "Secret in a build argument", "Critical", "4.10", "CIS-DI-0010", "DS-0031",
        "Build arguments used by RUN are recorded in the image history (docker history --no-trunc); use build secrets (--mount=type=secret).");
    public static readonly ConfigCheck SecretLabel = new("DO-CFG-009", "Secret in a label", "Critical", "4.10", "CIS-DI-0010", "none",
        "Labels are stored in the image config and shown by docker inspect.");
    public static readonly ConfigCheck SecretHistory = new("DO-CFG-010", "Secret in a history command", "Critical", "4.10", "CIS-DI-0010", "DS-0031",
        "Every RUN/ADD/COPY command line is kept in the image history.");
    public static readonly ConfigCheck AddUrl = new("DO-CFG-011", "ADD of a remote URL", "Medium", "4.9", "CIS-DI-0009", "DS-0005",
        "ADD <url> downloads without checksum verification; use curl with a pinned checksum or ADD --checksum.");
    public static readonly ConfigCheck NoHealthcheck = new("DO-CFG-012", "No HEALTHCHECK", "Low", "4.6", "CIS-DI-0006", "DS-0026",
        "Without a HEALTHCHECK the engine and orchestrators cannot tell a hung container from a healthy one.");

    public static readonly ConfigCheck[] All = { RootUser, Setuid, WorldWritable, Shell, PackageManager, Sudo, SecretEnv, SecretArg, SecretLabel, SecretHistory, AddUrl, NoHealthcheck };

    /// <summary>Names of well-known credential variables (Trivy DS-0031's list): a non-placeholder value is a finding even without a pattern match.</summary>
    static readonly HashSet<string> CredentialNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "GITHUB_TOKEN", "GH_TOKEN",
        "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN", "OPENAI_API_KEY", "HF_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN", "DOCKERHUB_PASSWORD",
        "FIREBASE_TOKEN", "CI_DEPLOY_PASSWORD", "GOOGLE_API_KEY", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY", "HEROKU_API_KEY", "NPM_TOKEN",
    };

    static readonly string[] Shells = { "bin/sh", "usr/bin/sh", "bin/bash", "bin/dash", "bin/ash", "bin/zsh", "usr/bin/bash", "usr/bin/dash", "usr/bin/zsh", "bin/busybox" };
    static readonly string[] PackageManagers = { "usr/bin/apt", "usr/bin/apt-get", "usr/bin/dpkg", "sbin/apk", "usr/bin/yum", "usr/bin/dnf", "usr/bin/microdnf", "usr/bin/rpm", "usr/bin/zypper", "usr/bin/pip", "usr/local/bin/pip", "usr/bin/pip3", "usr/local/bin/pip3", "usr/bin/npm", "usr/local/bin/npm" };

    /// <summary>Root by UID (<see cref="DockOpt.Engine.Images.ImageUser.Classify"/>); a name that cannot be resolved is not root.</summary>
    public static (bool IsRoot, string Explanation) ResolveUser(string user, string? passwd)
    {
        var v = DockOpt.Engine.Images.ImageUser.Classify(user, passwd);
        return (v.IsRoot == true, v.Explanation);
    }

    static SecurityFinding F(ConfigCheckContext c, ConfigCheck k, string location, string title, string match = "", int layer = -1, bool isBase = false, string? severity = null) => new()
    {
        Image = c.Image,
        Kind = "Config",
        RuleId = k.Id,
        Severity = severity ?? k.Severity,
        Title = title,
        Location = location,
        Match = match,
        Status = "Config",
        Layer = layer,
        LayerDiffId = layer >= 0 && layer < c.DiffIds.Length ? c.DiffIds[layer] : "",
        IsBaseLayer = isBase,
        Rationale = k.Rationale,
        Cis = k.Cis,
        Dockle = k.Dockle,
    };

    static readonly Regex ArgPrefix = new(@"^\|(\d+)\s", RegexOptions.CultureInvariant);
    static readonly Regex ArgDecl = new(@"^(?:/bin/sh -c #\(nop\)\s+)?ARG\s+([A-Za-z_][A-Za-z0-9_]*)=(.*)$", RegexOptions.CultureInvariant | RegexOptions.Singleline);
    static readonly Regex AddUrlRx = new(@"(?:^|#\(nop\)\s+|\s)ADD\s+(?:--\S+\s+)*(?:https?|ftp)://\S+", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    public static List<SecurityFinding> Run(ConfigCheckContext c)
    {
        var list = new List<SecurityFinding>();
        var cfg = c.Config;
        var top = c.DiffIds.Length - 1;

        var sudoFile = CheckUserAndFiles(c, list, top);

        // Secrets in ENV, labels, build args and history commands.
        var secrets = new SecretValueScan(c, list);
        foreach (var (k, v) in cfg.Env) secrets.ScanValue(SecretEnv, "ENV:" + k, k, v, top, false);
        foreach (var (k, v) in cfg.Labels.OrderBy(x => x.Key, StringComparer.Ordinal)) secrets.ScanValue(SecretLabel, "LABEL:" + k, k, v, top, false);
        CheckHistory(c, secrets, sudoFile);

        if (!cfg.HasHealthcheck) list.Add(F(c, NoHealthcheck, "Healthcheck", "No HEALTHCHECK instruction"));
        return list;
    }

    /// <summary>The root user, setuid/setgid and world-writable files, shells, package managers and sudo; returns the sudo file found, or null.</summary>
    static string? CheckUserAndFiles(ConfigCheckContext c, List<SecurityFinding> list, int top)
    {
        var cfg = c.Config;
        var (isRoot, why) = ResolveUser(cfg.User, c.PasswdText);
        if (isRoot) list.Add(F(c, RootUser, "User", $"{RootUser.Title}: {why}", cfg.User));

        foreach (var s in c.SetuidFiles)
        {
            var bits = ((s.Mode & 0x800) != 0 ? "setuid" : "") + ((s.Mode & 0xC00) == 0xC00 ? "+" : "") + ((s.Mode & 0x400) != 0 ? "setgid" : "");
            list.Add(F(c, Setuid, "/" + s.Path, $"{bits} file /{s.Path}", Convert.ToString(s.Mode, 8), s.Layer, s.IsBase));
        }
        foreach (var w in c.WorldWritable)
            list.Add(F(c, WorldWritable, "/" + w.Path, $"World-writable /{w.Path}", Convert.ToString(w.Mode, 8), w.Layer, w.IsBase));

        var shells = Shells.Where(c.Exists).ToList();
        if (shells.Count > 0) list.Add(F(c, Shell, "/" + shells[0], $"Shell in the runtime image: {string.Join(", ", shells.Select(x => "/" + x))}", layer: top));
        var pms = PackageManagers.Where(c.Exists).ToList();
        if (pms.Count > 0) list.Add(F(c, PackageManager, "/" + pms[0], $"Package manager in the runtime image: {string.Join(", ", pms.Select(x => "/" + x))}", layer: top));

        var sudoFile = new[] { "usr/bin/sudo", "bin/sudo", "usr/sbin/sudo" }.FirstOrDefault(c.Exists);
        if (sudoFile != null) list.Add(F(c, Sudo, "/" + sudoFile, "sudo is installed in the image", layer: top));
        return sudoFile;
    }

    /// <summary>Scans name=value pairs for secrets and credential variables, each secret (fingerprint) reported once per image.</summary>
    sealed class SecretValueScan
    {
        readonly ConfigCheckContext c;
        public readonly List<SecurityFinding> List;
        public readonly HashSet<string> Seen = new(StringComparer.Ordinal);

        public SecretValueScan(ConfigCheckContext context, List<SecurityFinding> list)
        {
            c = context;
            List = list;
        }

        public void ScanValue(ConfigCheck k, string location, string name, string value, int layer, bool isBase)
        {
            var hits = SecretRules.Scan(name + "=" + value, null);
            foreach (var h in hits)
            {
                if (!Seen.Add(h.Fingerprint)) continue;
                List.Add(F(c, k, location, $"{h.Rule.Title} in {location}", h.Redacted, layer, isBase, h.Rule.Severity));
            }
            if (hits.Count == 0 && CredentialNames.Contains(StripPrefix(name)) && value.Length >= 8 && !value.StartsWith('$') && !SecretRules.ExampleValues.Contains(value)
                && !value.Contains("EXAMPLE", StringComparison.Ordinal) && Seen.Add(name + "\0" + value))
                List.Add(F(c, k, location, $"Credential variable {name} has a value in {location}", name + "=" + Mask(value), layer, isBase));
        }
    }

    /// <summary>The history entries: build args (classic |N prefix and ARG defaults), secrets in commands, ADD of a URL, sudo in a build command.</summary>
    static void CheckHistory(ConfigCheckContext c, SecretValueScan secrets, string? sudoFile)
    {
        var (cfg, list) = (c.Config, secrets.List);
        var layerIdx = -1;
        for (var i = 0; i < cfg.History.Count; i++)
        {
            var (cb, empty) = cfg.History[i];
            if (!empty) layerIdx++;
            var isBase = i < c.BaseHistoryCount;
            var text = cb;
            var am = ArgPrefix.Match(text);
            if (am.Success)
            {
                // classic builder: "|N A=1 B=2 /bin/sh -c …" records the N build args used by a RUN
                var count = int.Parse(am.Groups[1].Value, CultureInfo.InvariantCulture);
                var rest = text[am.Length..];
                for (var a = 0; a < count; a++)
                {
                    var sp = rest.IndexOf(' ');
                    var pair = sp < 0 ? rest : rest[..sp];
                    rest = sp < 0 ? "" : rest[(sp + 1)..];
                    var eq = pair.IndexOf('=');
                    if (eq > 0) secrets.ScanValue(SecretArg, $"ARG:{pair[..eq]} (history {i})", pair[..eq], pair[(eq + 1)..], Math.Max(layerIdx, 0), isBase);
                }
                text = rest;
            }
            var argDecl = ArgDecl.Match(text);
            if (argDecl.Success)
            {
                // "#(nop)  ARG NAME=default" (classic) or "ARG NAME=default" (BuildKit): the default value is in the history
                secrets.ScanValue(SecretArg, $"ARG:{argDecl.Groups[1].Value} (history {i})", argDecl.Groups[1].Value, argDecl.Groups[2].Value.Trim(), Math.Max(layerIdx, 0), isBase);
                continue;
            }
            foreach (var h in SecretRules.Scan(text, null))
                if (secrets.Seen.Add(h.Fingerprint))
                    list.Add(F(c, SecretHistory, $"HISTORY:{i}", $"{h.Rule.Title} in history entry {i}", h.Redacted, Math.Max(layerIdx, 0), isBase, h.Rule.Severity));
            var addm = AddUrlRx.Match(cb);
            if (addm.Success)
                list.Add(F(c, AddUrl, $"HISTORY:{i}", "ADD of a remote URL", Truncate(ScrubUrl(addm.Value.Trim()), 120), Math.Max(layerIdx, 0), isBase));
            if (sudoFile == null && !isBase && Regex.IsMatch(cb, @"(^|[\s;&|])sudo\s"))
                list.Add(F(c, Sudo, $"HISTORY:{i}", "sudo used in a build command", "sudo", Math.Max(layerIdx, 0), isBase));
        }
    }

    static string StripPrefix(string n) => n.StartsWith("VITE_", StringComparison.OrdinalIgnoreCase) ? n[5..] : n.StartsWith("REACT_APP_", StringComparison.OrdinalIgnoreCase) ? n[10..] : n;
    static string Mask(string v) => (v.Length >= 16 ? v[..4] : "") + "********" + $"({v.Length} chars)";
    /// <summary>Drops user-info and query strings from URLs (they may carry credentials).</summary>
    static string ScrubUrl(string s) => Regex.Replace(Regex.Replace(s, @"://[^/@\s]+@", "://***@"), @"\?\S*", "?***");
    static string Truncate(string s, int n) => s.Length > n ? s[..n] + "…" : s;
}
