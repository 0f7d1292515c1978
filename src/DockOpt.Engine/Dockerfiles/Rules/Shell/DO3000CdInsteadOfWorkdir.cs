namespace DockOpt.Engine.Dockerfiles.Rules.Shell;

/// <summary>Use WORKDIR instead of cd (hadolint DL3003).</summary>
public sealed class DO3000CdInsteadOfWorkdir : ShellRule
{
    public override RuleInfo Info { get; } = new("DO3000", "CdInsteadOfWorkdir", Severity.Medium, "Use WORKDIR to change directory.", "DL3003");

    protected override void Check(LintContext ctx, RunScript run, ShellCommand c)
    {
        if (c.Program == "cd")
            Report(ctx, "Use WORKDIR instead of cd: a cd does not carry to the next instruction.", ProgramRange(c), run.Run, "WORKDIR " + (c.Args.FirstOrDefault().Value ?? "/path"));
    }
}
