using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>Start globs with ./ (or put -- before them) so file names with dashes are not read as options. (ShellCheck SC2035).</summary>
public sealed class DO6005GlobAsOption : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6005", "GlobAsOption", Severity.Low, "Start globs with ./ (or put -- before them) so file names with dashes are not read as options.", "SC2035");

    protected override bool MayApply(string t) => t.Contains('*') || t.Contains('?');

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        foreach (var c in s.All<ShSimpleCommand>())
        {
            if (c.Name is null or "echo" or "printf" or "find" or "[" or "test" or "set" or "export" or "local" or "declare" or "readonly" or "unset" or "alias" or "eval" or "trap" or "case") continue;
            for (var k = 1; k < c.Words.Count; k++)
            {
                var w = c.Words[k];
                if (w.Literal == "--") break;
                if (w.Parts.Count > 0 && w.Parts[0] is ShLiteral l && l.Raw.Length > 0 && l.Raw[0] is '*' or '?' && !ShQueries.InNonSplittingContext(s, w))
                    Report(ctx, run, w, "Use ./*glob* or -- *glob* so names with dashes won't become options.", "Write ./" + w.Raw + ".");
            }
        }
    }
}
