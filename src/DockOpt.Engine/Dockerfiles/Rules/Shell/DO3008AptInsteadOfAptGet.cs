namespace DockOpt.Engine.Dockerfiles.Rules.Shell;

/// <summary>apt is for interactive use; use apt-get or apt-cache (hadolint DL3027).</summary>
public sealed class DO3008AptInsteadOfAptGet : ShellRule
{
    public override RuleInfo Info { get; } = new("DO3008", "AptInsteadOfAptGet", Severity.Medium, "apt is for interactive use; use apt-get or apt-cache.", "DL3027");

    protected override void Check(LintContext ctx, RunScript run, ShellCommand c)
    {
        if (c.Program == "apt")
            Report(ctx, "apt has no stable CLI for scripts.", ProgramRange(c), run.Run, "Use apt-get (or apt-cache).");
    }
}
