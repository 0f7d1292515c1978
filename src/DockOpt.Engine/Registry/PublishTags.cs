using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.Registry;

/// <summary>Tag resolution: explicit tags plus strategies, validated against the OCI distribution rules.</summary>
public static class PublishTags
{
    /// <summary>OCI distribution-spec tag grammar: <c>[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}</c>.</summary>
    static readonly Regex TagRx = new("^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$", RegexOptions.CultureInvariant);

    static readonly Regex SemVerRx = new(
        @"^v?(?<core>(0|[1-9]\d*)(\.(0|[1-9]\d*)){0,2})(?<pre>-[0-9A-Za-z.-]+)?(?<build>\+[0-9A-Za-z.-]+)?$",
        RegexOptions.CultureInvariant);

    public static bool IsValidTag(string tag) => TagRx.IsMatch(tag);

    public static void ValidateTag(string tag)
    {
        if (IsValidTag(tag)) return;
        string why = tag.Length == 0 ? "it is empty"
            : tag.Length > 128 ? $"it has {tag.Length} characters (at most 128)"
            : !Regex.IsMatch(tag.Substring(0, 1), "[A-Za-z0-9_]") ? $"it starts with '{tag[0]}' (a letter, digit or '_' must come first)"
            : $"it contains '{tag.First(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))}' (only letters, digits, '_', '.', '-')";
        throw new DockOptException(ErrorIds.InvalidTag, DockOptErrorCategory.InvalidArgument,
            $"'{tag}' is not a valid OCI tag: {why}.", tag,
            "Use at most 128 characters from [A-Za-z0-9_.-], not starting with '.' or '-'. Semantic versions go through -Version with -TagStrategy SemVer, which maps '+build'.");
    }

    /// <summary>A semantic version mapped to a valid tag (<c>+</c> → <c>_</c>, as Helm does); <paramref name="mapped"/> says whether it changed.</summary>
    public static string MapSemVer(string version, out bool mapped)
    {
        var m = SemVerRx.Match(version.Trim());
        if (!m.Success)
            throw new DockOptException(ErrorIds.InvalidVersion, DockOptErrorCategory.InvalidArgument,
                $"'{version}' is not a semantic version (MAJOR[.MINOR[.PATCH]][-prerelease][+build]).", version,
                "Give -Version like 1.4.2, v2.0.0-rc.1 or 1.4.2+build.7.");
        var tag = m.Groups["core"].Value + m.Groups["pre"].Value;
        mapped = false;
        if (m.Groups["build"].Success)
        {
            tag += "_" + m.Groups["build"].Value.Substring(1);
            mapped = true;
        }
        if (version.Trim().StartsWith('v')) mapped = true;
        ValidateTag(tag);
        return tag;
    }

    /// <summary>Explicit tags then strategy tags, de-duplicated in order (tags are case-sensitive).</summary>
    public static IReadOnlyList<string> Resolve(IEnumerable<string>? tags, PublishTagStrategy strategy, string? version, string? gitSha,
        DateTime nowUtc, Action<string> notice)
    {
        var list = new List<string>();
        void Add(string t)
        {
            ValidateTag(t);
            if (!list.Contains(t, StringComparer.Ordinal)) list.Add(t);
        }
        foreach (var t in tags ?? Array.Empty<string>())
            if (!string.IsNullOrWhiteSpace(t)) Add(t.Trim());
        if (strategy.HasFlag(PublishTagStrategy.SemVer))
        {
            if (string.IsNullOrWhiteSpace(version))
                throw new DockOptException(ErrorIds.VersionRequired, DockOptErrorCategory.InvalidArgument,
                    "-TagStrategy SemVer needs -Version.", "SemVer", "Add -Version 1.2.3 (or drop SemVer from -TagStrategy).");
            var t = MapSemVer(version!, out var mapped);
            if (mapped) notice($"Version '{version}' is published as tag '{t}' (OCI tags cannot contain '+'; build metadata is joined with '_').");
            Add(t);
        }
        if (strategy.HasFlag(PublishTagStrategy.GitSha))
        {
            if (string.IsNullOrWhiteSpace(gitSha))
                throw new DockOptException(ErrorIds.GitShaUnavailable, DockOptErrorCategory.ObjectNotFound,
                    "-TagStrategy GitSha: no git commit found (not a git repository, and GITHUB_SHA / BUILD_SOURCEVERSION / CI_COMMIT_SHA are unset).",
                    "GitSha", "Run from the repository, set GITHUB_SHA, or pass the commit with -Tag.");
            Add(gitSha!.Length > 12 ? gitSha.Substring(0, 12) : gitSha);
        }
        if (strategy.HasFlag(PublishTagStrategy.Timestamp))
            Add(nowUtc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture));
        if (strategy.HasFlag(PublishTagStrategy.Latest))
            Add("latest");
        return list;
    }

    /// <summary>The current commit: CI variables first, then <c>git rev-parse HEAD</c> in <paramref name="directory"/>.</summary>
    public static string? FindGitSha(string directory)
    {
        foreach (var v in new[] { "GITHUB_SHA", "BUILD_SOURCEVERSION", "CI_COMMIT_SHA" })
        {
            var s = Environment.GetEnvironmentVariable(v);
            if (!string.IsNullOrWhiteSpace(s) && Regex.IsMatch(s, "^[0-9a-fA-F]{7,64}$")) return s.ToLowerInvariant();
        }
        try
        {
            var psi = new ProcessStartInfo("git", "rev-parse HEAD")
            {
                WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            using var p = Process.Start(psi);
            if (p == null) return null;
            var output = p.StandardOutput.ReadToEnd().Trim();
            if (!p.WaitForExit(10_000)) { try { p.Kill(); } catch { } return null; }
            return p.ExitCode == 0 && Regex.IsMatch(output, "^[0-9a-f]{40,64}$") ? output : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }
}
