namespace DockOpt.Engine.Dockerfiles.Rules.Shell;

/// <summary>Commands that make no sense in a container build (hadolint DL3001).</summary>
public sealed class DO3009PointlessCommand : ShellRule
{
    public override RuleInfo Info { get; } = new("DO3009", "PointlessCommand", Severity.Low, "Command that makes no sense in a container (ssh, vim, service, shutdown, ...).", "DL3001");

    static readonly HashSet<string> Pointless = new(StringComparer.Ordinal) { "ssh", "vim", "shutdown", "service", "ps", "free", "top", "kill", "mount", "ifconfig" };

    protected override void Check(LintContext ctx, RunScript run, ShellCommand c)
    {
        if (Pointless.Contains(c.Program))
            Report(ctx, $"'{c.Program}' makes no sense in a container build.", ProgramRange(c), run.Run, "Remove it.");
    }
}
