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
    static readonly Regex ZypperCleaned = new(@"zypper\s+(-\w+\s+)*(clean|cc)", RegexOptions.Compiled);
    static readonly Regex RpmCacheRemoved = new(@"rm\s+(-\w+\s+)*[^;&|]*/var/cache/(yum|dnf)", RegexOptions.Compiled);
    static readonly Regex YarnCacheCleaned = new(@"yarn\s+cache\s+clean", RegexOptions.Compiled);

    protected override void Check(LintContext ctx, RunScript run, ShellCommand c)
    {
        if (!run.Shipped) return;
        var all = run.AllText;
        switch (c.Program)
        {
            case "apt-get" or "apt" when c.Subcommand("install") is Word iw:
                if (!AptListsRemoved.IsMatch(all) && !run.HasCacheMount("/var/lib/apt", "/var/cache/apt"))
                    Report(ctx, "apt lists stay in this shipped layer (tens of MB).", c.RangeOfWord(iw), run.Run,
                        "End the RUN with '&& rm -rf /var/lib/apt/lists/*', or use RUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked.", "DL3009");
                break;
            case "apk" when c.Subcommand("add") is Word aw:
                if (!c.HasArg("--no-cache") && !ApkCacheRemoved.IsMatch(all) && !run.HasCacheMount("/var/cache/apk", "/etc/apk/cache"))
                    Report(ctx, "apk add keeps its index cache in this shipped layer.", c.RangeOfWord(aw), run.Run, "apk add --no-cache …, or RUN --mount=type=cache,target=/var/cache/apk", "DL3019");
                break;
            case "yum" or "dnf" or "microdnf" or "zypper" when c.Subcommand("install", "in") is Word yw:
                RpmCache(ctx, run, c, yw);
                break;
            case "yarn" when c.Subcommand("install") != null || c.Args.All(a => a.Value.StartsWith('-')):
                if (!YarnCacheCleaned.IsMatch(all) && !run.HasCacheMount("/usr/local/share/.cache/yarn", "/root/.yarn", "/root/.cache/yarn", "/home"))
                    Report(ctx, "yarn install leaves its cache in this shipped layer.", ProgramRange(c), run.Run, "End the RUN with '&& yarn cache clean', or use a cache mount.", "DL3060");
                break;
        }
    }

    void RpmCache(LintContext ctx, RunScript run, ShellCommand c, Word install)
    {
        var prog = c.Program;
        var cleaned = prog == "zypper" ? ZypperCleaned.IsMatch(run.AllText)
            : Regex.IsMatch(run.AllText, prog + @"\s+clean\s+all") || RpmCacheRemoved.IsMatch(run.AllText);
        if (cleaned || run.HasCacheMount("/var/cache/yum", "/var/cache/dnf", "/var/cache/zypp")) return;
        Report(ctx, $"{prog} metadata and package cache stay in this shipped layer.", c.RangeOfWord(install), run.Run,
            prog == "zypper" ? "End the RUN with '&& zypper clean'." : $"End the RUN with '&& {prog} clean all'.",
            prog switch { "yum" => "DL3032", "zypper" => "DL3036", _ => "DL3040" });
    }
}
