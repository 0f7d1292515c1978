using System.Text.RegularExpressions;

namespace DockOpt.Engine.Dockerfiles.Rules.Shell;

/// <summary>
/// A package manager's cache left in a shipped layer (hadolint DL3009 apt, DL3019 apk, DL3032 yum, DL3040 dnf,
/// DL3036 zypper, DL3060 yarn). A clean-up anywhere in the same RUN or a cache mount on the cache folder satisfies it.
/// </summary>
public sealed class DO3006PackageCacheNotCleaned : ShellRule
{
    public override RuleInfo Info { get; } = new("DO3006", "PackageCacheNotCleaned", Severity.Low, "Package manager cache left in a shipped layer; clean it in the same RUN or use a cache mount.", "DL3009", "", ShippedOnly: true);

    /// <summary><c>rm [-flags…] …/var/lib/apt/lists</c> within one command.</summary>
    static readonly Regex AptListsRemoved = new(@"rm\s+(-\w+\s+)*[^;&|]*/var/lib/apt/lists", RegexOptions.Compiled);
    static readonly Regex ApkCacheRemoved = new(@"rm\s+(-\w+\s+)*[^;&|]*/var/cache/apk", RegexOptions.Compiled);
    static readonly Regex RpmCacheRemoved = new(@"^rm\s+(-\w+\s+)*[^;&|]*/var/cache/(yum|dnf|libdnf5|zypp)", RegexOptions.Compiled);

    /// <summary>dnf and microdnf subcommands that download packages into the cache (with their short aliases).</summary>
    static readonly string[] DnfDownloads = { "install", "in", "upgrade", "up", "upgrade-minimal", "up-min", "reinstall", "rei" };

    protected override void Check(LintContext ctx, RunScript run, ShellCommand c)
    {
        if (!run.Shipped) return;
        switch (c.Program)
        {
            case "apt-get" or "apt" or "aptitude" when c.Subcommand("install") is Word iw:
                if (!AptListsRemoved.IsMatch(run.AllText) && !AptCacheMounted(ctx, run))
                    Report(ctx, "apt lists stay in this shipped layer (tens of MB).", c.RangeOfWord(iw), run.Run,
                        "End the RUN with '&& rm -rf /var/lib/apt/lists/*', or use RUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked.", "DL3009");
                break;
            case "apk" when c.Subcommand("add") is Word aw:
                if (!c.HasArg("--no-cache") && !ApkCacheRemoved.IsMatch(run.AllText) && !run.HasCacheMount("/var/cache/apk", "/etc/apk/cache"))
                    Report(ctx, "apk add keeps its index cache in this shipped layer.", c.RangeOfWord(aw), run.Run, "apk add --no-cache …, or RUN --mount=type=cache,target=/var/cache/apk", "DL3019");
                break;
            case "yum" or "zypper" when c.Subcommand("install", "in") is Word yw:
                RpmCache(ctx, run, c, yw);
                break;
            case "dnf" or "microdnf" when c.Subcommand(DnfDownloads) is Word dw:
                RpmCache(ctx, run, c, dw);
                break;
            case "yarn" when c.Subcommand("install") != null || c.Args.All(a => a.Value.StartsWith('-')):
                if (!CleanedLater(run, c, x => x.Program == "yarn" && x.Subcommand("cache") != null && x.Subcommand("clean") != null)
                    && !run.HasCacheMount("/usr/local/share/.cache/yarn", "/root/.yarn", "/root/.cache/yarn", "/home"))
                    Report(ctx, "yarn install leaves its cache in this shipped layer.", ProgramRange(c), run.Run, "End the RUN with '&& yarn cache clean', or use a cache mount.", "DL3060");
                break;
        }
    }

    /// <summary>
    /// A cache mount exempts apt when it covers the lists (/var/lib/apt or …/lists) and, if the file removes the
    /// image's docker-clean hook (which otherwise deletes downloaded packages), the archives in /var/cache/apt too.
    /// </summary>
    static bool AptCacheMounted(LintContext ctx, RunScript run) =>
        run.HasCacheMount("/var/lib/apt") && (run.HasCacheMount("/var/cache/apt") || !ctx.Document.Text.Contains("apt.conf.d/docker-clean", StringComparison.Ordinal));

    /// <summary>Is there a later command in the same RUN that cleans up (a clean before the install does not count)?</summary>
    static bool CleanedLater(RunScript run, ShellCommand install, Func<ShellCommand, bool> cleans) =>
        run.Commands.SkipWhile(x => x != install).Skip(1).Any(cleans);

    /// <summary>yum/dnf/microdnf/zypper: the same tool's clean (<c>clean all</c>; zypper <c>clean</c> or <c>cc</c>), or rm of its cache, after the install.</summary>
    void RpmCache(LintContext ctx, RunScript run, ShellCommand c, Word install)
    {
        var prog = c.Program;
        var cleaned = CleanedLater(run, c, x =>
            x.Program == prog && (prog == "zypper" ? x.Subcommand("clean", "cc") != null : x.Subcommand("clean") != null && x.HasArg("all"))
            || x.Program == "rm" && RpmCacheRemoved.IsMatch(x.Text));
        if (cleaned || run.HasCacheMount("/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5", "/var/cache/zypp")) return;
        Report(ctx, $"{prog} metadata and package cache stay in this shipped layer.", c.RangeOfWord(install), run.Run,
            prog == "zypper" ? "End the RUN with '&& zypper clean'." : $"End the RUN with '&& {prog} clean all'.",
            prog switch { "yum" => "DL3032", "zypper" => "DL3036", _ => "DL3040" });
    }
}
