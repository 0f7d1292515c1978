using System.Text.RegularExpressions;

namespace DockOpt.Engine.Dockerfiles.Rules.Shell;

/// <summary>apt-get update without an install (or upgrade) in the same RUN leaves a stale cache layer.</summary>
public sealed class DO3016AptUpdateAlone : ShellRule
{
    public override RuleInfo Info { get; } = new("DO3016", "AptUpdateAlone", Severity.Medium, "apt-get update without install in the same RUN leaves a stale cache layer.");

    static readonly Regex Upgrade = new(@"\b(upgrade|dist-upgrade)\b", RegexOptions.Compiled);

    protected override void Check(LintContext ctx, RunScript run)
    {
        if (!run.Commands.Exists(c => c.Program is "apt-get" or "apt")) return; // most RUNs: no list, no pass
        var apt = run.Commands.Where(c => c.Program is "apt-get" or "apt").ToList();
        var update = apt.LastOrDefault(c => c.Subcommand("update") != null);
        if (update != null && !apt.Any(c => c.Subcommand("install") != null) && !Upgrade.IsMatch(run.AllText))
            Report(ctx, "apt-get update alone in a RUN: the cached layer keeps stale lists for later installs.", update.Range, run.Run, "Run apt-get update && apt-get install in the same RUN.");
    }
}
