using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>Quote command substitutions to prevent word splitting. (ShellCheck SC2046).</summary>
public sealed class DO6002UnquotedCommandSubstitution : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6002", "UnquotedCommandSubstitution", Severity.Medium, "Quote command substitutions to prevent word splitting.", "SC2046");

    protected override bool MayApply(string t) => t.Contains("$(", StringComparison.Ordinal) || t.Contains('`');

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        foreach (var (c, w) in ShQueries.SplitWords(s))
        {
            if (c != null && c.Name is "export" or "local" or "readonly" or "declare" or "typeset") continue;
            foreach (var p in ShQueries.UnquotedParts(w))
                if (p is ShCommandSub && !ShQueries.InNonSplittingContext(s, w))
                    Report(ctx, run, p, "Quote this to prevent word splitting.", "Write \"$(…)\", or read the output into a variable or an array.");
        }
    }
}
