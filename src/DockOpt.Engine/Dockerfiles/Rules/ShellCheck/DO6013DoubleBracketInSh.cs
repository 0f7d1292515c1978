using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>[[ ]] is a bash feature; under /bin/sh use [ ]. (ShellCheck SC3010).</summary>
public sealed class DO6013DoubleBracketInSh : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6013", "DoubleBracketInSh", Severity.Medium, "[[ ]] is a bash feature; under /bin/sh use [ ].", "SC3010");

    protected override bool MayApply(string t) => t.Contains("[[", StringComparison.Ordinal);

    protected override bool ShOnly => true;

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        foreach (var db in s.All<ShDoubleBracket>())
            Report(ctx, run, db, "In POSIX sh, [[ ]] is undefined.", "Use [ ] or SHELL [\"/bin/bash\", \"-c\"].");
    }
}
