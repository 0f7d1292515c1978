using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>Use $(...) instead of legacy backticks: they nest badly and treat backslashes specially. (ShellCheck SC2006).</summary>
public sealed class DO6019LegacyBackticks : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6019", "LegacyBackticks", Severity.Info, "Use $(...) instead of legacy backticks `...`.", "SC2006");

    protected override bool MayApply(string t) => t.Contains('`');

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        foreach (var cs in s.All<ShCommandSub>())
            if (cs.Backtick)
                Report(ctx, run, cs, "Use $(...) notation instead of legacy backticks `...`.", "Write $(…): it nests without escaping and keeps backslashes as written.");
    }
}
