using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>Arrays are a bash feature; /bin/sh has none. (ShellCheck SC3030).</summary>
public sealed class DO6016ArrayInSh : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6016", "ArrayInSh", Severity.Medium, "Arrays are a bash feature; /bin/sh has none.", "SC3030");

    protected override bool MayApply(string t) => t.Contains("=(", StringComparison.Ordinal);

    protected override bool ShOnly => true;

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        foreach (var a in s.All<ShAssignment>())
            if (a.Array != null)
            {
                var open = s.Text.IndexOf('(', a.Start);
                Report(ctx, run, open, open + 1, "In POSIX sh, arrays are undefined.", "Use a space-separated string or SHELL [\"/bin/bash\", \"-c\"].");
            }
    }
}
