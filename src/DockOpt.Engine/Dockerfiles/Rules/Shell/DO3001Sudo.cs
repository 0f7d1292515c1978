namespace DockOpt.Engine.Dockerfiles.Rules.Shell;

/// <summary>Do not use sudo; set USER or use gosu (hadolint DL3004).</summary>
public sealed class DO3001Sudo : ShellRule
{
    public override RuleInfo Info { get; } = new("DO3001", "Sudo", Severity.High, "Do not use sudo; set USER or use gosu.", "DL3004");

    protected override void Check(LintContext ctx, RunScript run, ShellCommand c)
    {
        for (var k = 0; k < c.ProgramIndex; k++)
            if (c.Words[k].Value == "sudo")
                Report(ctx, "sudo in a build has unpredictable TTY and signal behaviour.", c.RangeOfWord(c.Words[k]), run.Run, "Run as root during the build, then set USER; use gosu at run time.");
    }
}
