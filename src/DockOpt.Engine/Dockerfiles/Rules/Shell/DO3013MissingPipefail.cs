namespace DockOpt.Engine.Dockerfiles.Rules.Shell;

/// <summary>A pipe in RUN hides failures of its first commands unless pipefail is set (hadolint DL4006).</summary>
public sealed class DO3013MissingPipefail : ShellRule
{
    public override RuleInfo Info { get; } = new("DO3013", "MissingPipefail", Severity.Medium, "A pipe in RUN hides failures of its first commands; set -o pipefail.", "DL4006");

    protected override void Check(LintContext ctx, RunScript run)
    {
        var shell = run.Shell;
        var pipefailSet = shell != null && shell.Any(s => s.Contains("pipefail"));
        foreach (var c in run.Commands)
        {
            if (c.Program == "set" && c.Args.Any(a => a.Value.Contains("pipefail"))) pipefailSet = true;
            if (c.After == "|" && c.Before != "|" && !pipefailSet && (shell == null || shell[0].EndsWith("sh")))
                Report(ctx, "A pipe without 'set -o pipefail': the RUN succeeds even if this command fails.", c.Range, run.Run,
                    "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"] before the RUN, or 'set -o pipefail &&' in it.");
        }
    }
}
