using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>local is not POSIX (dash and busybox have it, other /bin/sh may not). (ShellCheck SC3043).</summary>
public sealed class DO6024LocalInSh : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6024", "LocalInSh", Severity.Medium, "In POSIX sh, 'local' is undefined.", "SC3043");

    protected override bool ShOnly => true;

    protected override bool MayApply(string t) => t.Contains("local", StringComparison.Ordinal);

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        foreach (var c in s.All<ShSimpleCommand>())
            if (c.Name == "local")
                Report(ctx, run, c.Words[0], "In POSIX sh, 'local' is undefined.", "Use a subshell or uniquely named variables, or SHELL [\"/bin/bash\", \"-c\"].");
    }
}
