namespace DockOpt.Engine.Dockerfiles.Rules.Shell;

/// <summary>Upgrading all packages makes builds unreproducible (hadolint DL3035 for zypper dist-upgrade).</summary>
public sealed class DO3002PackageUpgrade : ShellRule
{
    public override RuleInfo Info { get; } = new("DO3002", "PackageUpgrade", Severity.Medium, "Upgrading all packages makes builds unreproducible; use a newer base image.", "DL3035");

    static readonly string[] UpgradeAll = { "upgrade", "dist-upgrade", "full-upgrade", "dup" };

    protected override void Check(LintContext ctx, RunScript run, ShellCommand c)
    {
        var prog = c.Program;
        var up = c.Subcommand(UpgradeAll);
        var wholeSystem = up != null && prog is "apt-get" or "apt" or "apk" or "zypper" or "aptitude";
        var rpmUpgradeAll = prog is "yum" or "dnf" or "microdnf" && c.Subcommand("upgrade", "update") is Word yu
            && c.Args.SkipWhile(a => a.Value != yu.Value).Skip(1).All(a => a.Value.StartsWith('-'));
        if (!wholeSystem && !rpmUpgradeAll) return;
        var w = up ?? c.Subcommand("upgrade", "update")!.Value;
        Report(ctx, $"'{prog} {w.Value}' upgrades every package at build time; the result depends on the day of the build.", c.RangeOfWord(w), run.Run,
            "Use a newer base image tag instead; install specific packages if needed.", prog == "zypper" && w.Value is "dist-upgrade" or "dup" ? "DL3035" : "");
    }
}
