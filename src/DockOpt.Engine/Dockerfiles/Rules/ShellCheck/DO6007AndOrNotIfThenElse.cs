using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>A &amp;&amp; B || C is not if-then-else: C also runs when B fails. (ShellCheck SC2015).</summary>
public sealed class DO6007AndOrNotIfThenElse : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6007", "AndOrNotIfThenElse", Severity.Low, "A && B || C is not if-then-else: C also runs when B fails.", "SC2015");

    protected override bool MayApply(string t) => t.Contains("&&", StringComparison.Ordinal) && t.Contains("||", StringComparison.Ordinal);

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        foreach (var ao in s.All<ShAndOr>())
        {
            var n = ao.Operators.Count;
            if (n < 2 || ao.Operators[n - 1] != "||" || ao.Operators[n - 2] != "&&") continue;
            var last = ao.Items[^1];
            if (last.Commands.Count == 1 && last.Commands[0] is ShSimpleCommand c && (c.Name is "echo" or "printf" or "exit" or "return" || c.Words.Count == 0)) continue;
            Report(ctx, run, ao.OperatorOffsets[n - 2], ao.OperatorOffsets[n - 2] + 2, "Note that A && B || C is not if-then-else. C may run when A is true.", "Use if A; then B; else C; fi.");
        }
    }
}
