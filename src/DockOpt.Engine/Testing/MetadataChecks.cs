using DockOpt.Engine.Images;
using System.Globalization;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.Testing;

/// <summary>Checks on the image config alone (no container).</summary>
public static class MetadataChecks
{
    /// <summary>Runs the metadata part of <paramref name="spec"/>. <paramref name="passwd"/> is the image's /etc/passwd (null when absent).</summary>
    public static IEnumerable<ImageTestResult> Run(ImageInfo image, MetadataSpec spec, string? passwd, Func<string, string, string, ImageTestOutcome, string, ImageTestResult> make)
    {
        foreach (var r in CheckUser(image, spec, passwd, make)) yield return r;
        foreach (var r in CheckPorts(image, spec, make)) yield return r;
        foreach (var r in CheckHealthcheck(image, spec, make)) yield return r;

        if (spec.ExecForm == true)
            yield return ExecForm(image, false, make);

        foreach (var r in CheckStopSignal(image, spec, make)) yield return r;
        foreach (var r in CheckLabels(image, spec, make)) yield return r;
        foreach (var r in CheckEnv(image, spec, make)) yield return r;
        foreach (var r in CheckSizeAndConfig(image, spec, make)) yield return r;
    }

    static IEnumerable<ImageTestResult> CheckUser(ImageInfo image, MetadataSpec spec, string? passwd, Func<string, string, string, ImageTestOutcome, string, ImageTestResult> make)
    {
        if (spec.NonRoot == true)
        {
            var v = ClassifyUser(image.User, passwd);
            yield return make("Runs as non-root user", "a user whose UID is not 0", v.Actual,
                v.IsRoot == false ? ImageTestOutcome.Passed : ImageTestOutcome.Failed,
                v.IsRoot == false ? v.Explanation
                : v.IsRoot == true ? v.Explanation + " Add a user (for example 'RUN adduser -D -u 10001 app') and 'USER 10001' (a numeric UID lets Kubernetes runAsNonRoot verify it)."
                : v.Explanation + " The container would not start: create the user in the image or use a numeric UID.");
        }
        if (spec.User != null)
            yield return Eq("User", spec.User, image.User, make);
    }

    static IEnumerable<ImageTestResult> CheckPorts(ImageInfo image, MetadataSpec spec, Func<string, string, string, ImageTestOutcome, string, ImageTestResult> make)
    {
        var exposed = new HashSet<string>(image.ExposedPorts.Select(NormalizePort), StringComparer.OrdinalIgnoreCase);
        foreach (var p in spec.ExposedPorts.Select(NormalizePort).Distinct(StringComparer.OrdinalIgnoreCase))
            yield return make($"Exposes port {p}", p, Show(image.ExposedPorts),
                exposed.Contains(p) ? ImageTestOutcome.Passed : ImageTestOutcome.Failed,
                exposed.Contains(p) ? "" : $"Port {p} is not exposed (protocol counts: 53/udp is not 53/tcp). Add 'EXPOSE {p}'.");
        foreach (var p in spec.UnexposedPorts.Select(NormalizePort).Distinct(StringComparer.OrdinalIgnoreCase))
            yield return make($"Does not expose port {p}", $"not {p}", Show(image.ExposedPorts),
                !exposed.Contains(p) ? ImageTestOutcome.Passed : ImageTestOutcome.Failed,
                !exposed.Contains(p) ? "" : $"Port {p} is exposed.");
    }

    static IEnumerable<ImageTestResult> CheckHealthcheck(ImageInfo image, MetadataSpec spec, Func<string, string, string, ImageTestOutcome, string, ImageTestResult> make)
    {
        if (spec.Healthcheck == true || spec.HealthcheckMaxInterval != null || spec.HealthcheckMaxTimeout != null
            || spec.HealthcheckMaxStartPeriod != null || spec.HealthcheckMinRetries != null)
        {
            var hc = image.Healthcheck;
            var present = hc != null && !hc.Disabled;
            yield return make("HEALTHCHECK defined", "HEALTHCHECK CMD …", hc == null ? "none" : string.Join(" ", hc.Test),
                present ? ImageTestOutcome.Passed : ImageTestOutcome.Failed,
                present ? (hc!.Test.Length > 0 && hc.Test[0] == "CMD-SHELL" ? "Shell-form HEALTHCHECK: it needs /bin/sh in the image." : "")
                : "The image has no HEALTHCHECK" + (hc?.Disabled == true ? " (HEALTHCHECK NONE)" : "") + ". Add one, e.g. HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD [\"/app\", \"healthcheck\"]. OCI-format builds (podman/buildah without --format docker) drop HEALTHCHECK.");
            if (present)
            {
                var interval = hc!.Interval ?? TimeSpan.FromSeconds(30);
                var timeout = hc.Timeout ?? TimeSpan.FromSeconds(30);
                var start = hc.StartPeriod ?? TimeSpan.Zero;
                var retries = hc.Retries ?? 3;
                if (spec.HealthcheckMaxInterval is { } mi)
                    yield return Max("HEALTHCHECK interval", interval, mi, make);
                if (spec.HealthcheckMaxTimeout is { } mt)
                    yield return Max("HEALTHCHECK timeout", timeout, mt, make);
                if (spec.HealthcheckMaxStartPeriod is { } ms)
                    yield return Max("HEALTHCHECK start period", start, ms, make);
                if (spec.HealthcheckMinRetries is { } mr)
                    yield return make("HEALTHCHECK retries", $">= {mr}", retries.ToString(CultureInfo.InvariantCulture),
                        retries >= mr ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, "");
            }
        }
    }

    static IEnumerable<ImageTestResult> CheckStopSignal(ImageInfo image, MetadataSpec spec, Func<string, string, string, ImageTestOutcome, string, ImageTestResult> make)
    {
        if (spec.StopSignal != null)
        {
            var want = NormalizeSignal(spec.StopSignal);
            var have = NormalizeSignal(image.StopSignal ?? "SIGTERM");
            yield return make("STOPSIGNAL", want, image.StopSignal ?? "SIGTERM (default)",
                want == have ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, want == have ? "" : $"Add 'STOPSIGNAL {want}' or handle {have} in the app.");
        }
    }

    static IEnumerable<ImageTestResult> CheckLabels(ImageInfo image, MetadataSpec spec, Func<string, string, string, ImageTestOutcome, string, ImageTestResult> make)
    {
        foreach (var l in spec.Labels)
        {
            image.Labels.TryGetValue(l.Key, out var value);
            yield return KeyValue("Label", l, value, make);
        }
    }

    static IEnumerable<ImageTestResult> CheckEnv(ImageInfo image, MetadataSpec spec, Func<string, string, string, ImageTestOutcome, string, ImageTestResult> make)
    {
        var envValues = image.Env;
        foreach (var e in spec.Env)
        {
            string? value = null;
            var present = image.EnvNames.Contains(e.Key, StringComparer.Ordinal);
            if (present && envValues != null) envValues.TryGetValue(e.Key, out value);
            if (present && value == null && e.Value != null)
            {
                yield return make($"Env {e.Key}", Describe(e), "(value not read)", ImageTestOutcome.Error, "The env values were not loaded.");
                continue;
            }
            yield return KeyValue("Env", e, present ? value ?? "" : null, make, hideValue: true);
        }
        foreach (var n in spec.EnvNames)
        {
            var ok = image.EnvNames.Contains(n, StringComparer.Ordinal);
            yield return make($"Env {n} set", n, ok ? "set" : "not set", ok ? ImageTestOutcome.Passed : ImageTestOutcome.Failed,
                ok ? "" : $"Add 'ENV {n}=…'.");
        }
        foreach (var n in spec.AbsentEnvNames)
        {
            var ok = !image.EnvNames.Contains(n, StringComparer.Ordinal);
            yield return make($"Env {n} not set", "not set", ok ? "not set" : "set", ok ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, "");
        }
    }

    static IEnumerable<ImageTestResult> CheckSizeAndConfig(ImageInfo image, MetadataSpec spec, Func<string, string, string, ImageTestOutcome, string, ImageTestResult> make)
    {
        if (spec.MaxSize is { } maxSize)
            yield return make("Image size", "<= " + ByteSize.Format(maxSize), ByteSize.Format(image.Size) + $" ({image.Size} bytes)",
                image.Size <= maxSize ? ImageTestOutcome.Passed : ImageTestOutcome.Failed,
                image.Size <= maxSize ? "" : "Use a multi-stage build with a slim or distroless final stage; Measure-DockOptImage shows where the bytes are.");
        if (spec.MaxLayers is { } maxLayers)
            yield return make("Layer count", "<= " + maxLayers, image.LayerCount.ToString(CultureInfo.InvariantCulture),
                image.LayerCount <= maxLayers ? ImageTestOutcome.Passed : ImageTestOutcome.Failed,
                image.LayerCount <= maxLayers ? "" : "Combine RUN steps or copy the result of a build stage in one COPY.");
        if (spec.Entrypoint != null)
            yield return Eq("ENTRYPOINT", Json(spec.Entrypoint), Json(image.Entrypoint), make);
        if (spec.Cmd != null)
            yield return Eq("CMD", Json(spec.Cmd), Json(image.Cmd), make);
        if (spec.Workdir != null)
            yield return Eq("WORKDIR", spec.Workdir, image.WorkingDir, make);
    }

    /// <summary>Root by UID; see <see cref="ImageUser.Classify"/> (shared with the security scan).</summary>
    public static ImageUser.Verdict ClassifyUser(string? user, string? passwd) => ImageUser.Classify(user, passwd);

    public static long? PasswdUid(string passwd, string name) => ImageUser.PasswdUid(passwd, name);

    /// <summary>The static exec-form check (<see cref="ExecFormCheck"/>); <paramref name="init"/>: the container runs with --init.</summary>
    public static ImageTestResult ExecForm(ImageInfo image, bool init, Func<string, string, string, ImageTestOutcome, string, ImageTestResult> make)
    {
        var v = ExecFormCheck.Judge(image.Entrypoint, image.Cmd, init, image.StopSignal);
        return make(ExecFormName, "exec form, 'exec' or a forwarding trap in a sh -c script, or an init as PID 1", v.Actual,
            v.Ok ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, v.Reason);
    }

    public const string ExecFormName = "ENTRYPOINT/CMD in exec form";

    public static bool IsShellForm(string[] argv) =>
        argv.Length >= 2 && (argv[0] is "/bin/sh" or "sh" or "/bin/bash" or "bash" or "/bin/ash" or "cmd" or "cmd.exe" or "powershell" or "pwsh")
        && (argv[1] is "-c" or "/S" or "/C" or "-Command");

    public static string NormalizePort(string p)
    {
        p = p.Trim().ToLowerInvariant();
        return p.Contains('/') ? p : p + "/tcp";
    }

    static readonly Dictionary<string, int> Signals = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["KILL"] = 9, ["USR1"] = 10, ["USR2"] = 12, ["TERM"] = 15,
        ["WINCH"] = 28, ["STOP"] = 19, ["CONT"] = 18, ["PWR"] = 30,
    };

    /// <summary>SIGTERM, TERM and 15 all give "SIGTERM".</summary>
    public static string NormalizeSignal(string s)
    {
        s = s.Trim();
        if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            var name = Signals.FirstOrDefault(kv => kv.Value == n).Key;
            return name != null ? "SIG" + name : s;
        }
        var up = s.ToUpperInvariant();
        return up.StartsWith("SIG", StringComparison.Ordinal) ? up : "SIG" + up;
    }

    public static int? SignalNumber(string? s)
    {
        if (string.IsNullOrWhiteSpace(s)) return 15;
        var n = NormalizeSignal(s);
        return Signals.TryGetValue(n.Substring(3), out var v) ? v : null;
    }

    static ImageTestResult Eq(string name, string expected, string actual, Func<string, string, string, ImageTestOutcome, string, ImageTestResult> make) =>
        make(name, expected, actual, expected == actual ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, "");

    static ImageTestResult Max(string name, TimeSpan actual, TimeSpan max, Func<string, string, string, ImageTestOutcome, string, ImageTestResult> make) =>
        make(name, "<= " + Dur(max), Dur(actual), actual <= max ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, "");

    static ImageTestResult KeyValue(string kind, KeyMatch m, string? value, Func<string, string, string, ImageTestOutcome, string, ImageTestResult> make, bool hideValue = false)
    {
        bool ok;
        string message = "";
        if (value == null) { ok = false; message = $"{kind} '{m.Key}' is not set."; }
        else if (m.Value == null) ok = true;
        else if (m.IsRegex)
        {
            try { ok = Regex.IsMatch(value, m.Value, RegexOptions.None, TimeSpan.FromSeconds(2)); }
            catch (ArgumentException e)
            {
                return make($"{kind} {m.Key}", Describe(m), "", ImageTestOutcome.Error, $"Invalid regex '{m.Value}': {e.Message}");
            }
        }
        else ok = value == m.Value;
        var actual = value == null ? "(not set)" : hideValue && !ok ? "(value hidden)" : hideValue ? "(matches)" : value;
        return make($"{kind} {m.Key}", hideValue ? (m.IsRegex ? "matches the pattern" : m.Value == null ? "set" : "the given value") : Describe(m), actual,
            ok ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, message);
    }

    static string Describe(KeyMatch m) => m.Value == null ? "set" : m.IsRegex ? $"matches /{m.Value}/" : m.Value;

    internal static string Dur(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    internal static string Json(string[] argv) => System.Text.Json.JsonSerializer.Serialize(argv);

    static string Show(string[] a) => a.Length == 0 ? "none" : string.Join(", ", a);
}
