using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>== inside [ ] is a bash extension; POSIX test uses =. (ShellCheck SC3014).</summary>
public sealed class DO6017DoubleEqualsInSh : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6017", "DoubleEqualsInSh", Severity.Medium, "== inside [ ] is a bash extension; POSIX test uses =.", "SC3014");

    protected override bool MayApply(string t) => t.Contains("==", StringComparison.Ordinal);

    protected override bool ShOnly => true;

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        foreach (var c in s.All<ShSimpleCommand>())
            if (c.Name is "[" or "test")
                foreach (var w in c.Words.Skip(1))
                    if (w.Parts.Count == 1 && w.Parts[0] is ShLiteral { Raw: "==" })
                        Report(ctx, run, w, "In POSIX sh, == in place of = is undefined.", "Use = .");
    }
}
