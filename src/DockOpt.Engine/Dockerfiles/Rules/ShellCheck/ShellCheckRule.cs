using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>
/// Base of the rules that re-implement a ShellCheck check on the parsed script of each RUN. The rule's hadolint id is
/// the SC code (hadolint reports ShellCheck findings under it), so <c># hadolint ignore=SC2086</c> works; a
/// <c># shellcheck disable=SC2086</c> comment inside the script (or above the RUN) works too.
/// </summary>
public abstract class ShellCheckRule : Rule
{
    /// <summary>Only under POSIX sh (the SC3xxx portability checks).</summary>
    protected virtual bool ShOnly => false;

    /// <summary>
    /// A cheap test of the script text that is false only when the check cannot fire (no '$' for a rule about
    /// expansions, no "cd" for a rule about cd): every RUN meets every check, and most RUNs have nothing for most checks.
    /// </summary>
    protected virtual bool MayApply(string text) => true;

    public override void Check(LintContext ctx)
    {
        foreach (var run in RunShellScripts.Of(ctx)) CheckScript(ctx, run);
    }

    /// <summary>Could this check fire on a script of this text and dialect? (False: it would skip the script unread.)</summary>
    internal bool Wants(string text, ShDialect dialect) => (!ShOnly || dialect == ShDialect.Sh) && MayApply(text);

    /// <summary>
    /// Checks one RUN script. The linter calls this for every ShellCheck rule on one script before it parses the next,
    /// so no script outlives its turn (keeping every RUN's syntax tree alive made garbage collection most of the lint).
    /// </summary>
    internal void CheckScript(LintContext ctx, RunShellScript run)
    {
        if (ShOnly && run.Script.Dialect != ShDialect.Sh) return;
        if (!MayApply(run.Script.Text)) return;
        if (run.Script.Disabled.Count > 0 && (run.Script.Disabled.Contains(Info.Hadolint) || run.Script.Disabled.Contains("all"))) return;
        Check(ctx, run, run.Script);
    }

    protected abstract void Check(LintContext ctx, RunShellScript run, ShScript s);

    protected void Report(LintContext ctx, RunShellScript run, ShNode node, string message, string fix = "") =>
        Report(ctx, message, run.Script.RangeOf(node), run.Run, fix);

    protected void Report(LintContext ctx, RunShellScript run, int start, int end, string message, string fix = "") =>
        Report(ctx, message, run.Script.RangeOf(start, end), run.Run, fix);
}
