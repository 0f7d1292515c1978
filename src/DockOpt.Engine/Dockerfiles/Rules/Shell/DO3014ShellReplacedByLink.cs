namespace DockOpt.Engine.Dockerfiles.Rules.Shell;

/// <summary>Use SHELL instead of linking /bin/sh (hadolint DL4005).</summary>
public sealed class DO3014ShellReplacedByLink : ShellRule
{
    public override RuleInfo Info { get; } = new("DO3014", "ShellReplacedByLink", Severity.Medium, "Use SHELL instead of linking /bin/sh.", "DL4005");

    protected override void Check(LintContext ctx, RunScript run, ShellCommand c)
    {
        if (c.Program == "ln" && c.Args.LastOrDefault().Value == "/bin/sh" && c.Args.Any(a => a.Value.StartsWith('-') && a.Value.Contains('s')))
            Report(ctx, "Replacing /bin/sh by a link changes the shell for every later RUN silently.", ProgramRange(c), run.Run, "SHELL [\"/bin/bash\", \"-c\"]");
    }
}
