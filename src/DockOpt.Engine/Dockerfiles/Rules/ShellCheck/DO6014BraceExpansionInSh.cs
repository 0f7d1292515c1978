using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>Brace expansion {a,b} is a bash feature; /bin/sh leaves it literal. (ShellCheck SC3009).</summary>
public sealed class DO6014BraceExpansionInSh : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6014", "BraceExpansionInSh", Severity.Medium, "Brace expansion {a,b} is a bash feature; /bin/sh leaves it literal.", "SC3009");

    protected override bool MayApply(string t) => t.Contains('{');

    protected override bool ShOnly => true;

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        foreach (var w in s.All<ShWord>())
            foreach (var p in w.Parts)
                if (p is ShLiteral l && HasBraceExpansion(l.Raw))
                {
                    Report(ctx, run, l.Start + l.Raw.IndexOf('{'), w.End, "In POSIX sh, brace expansion is undefined.", "Spell the words out, or use SHELL [\"/bin/bash\", \"-c\"].");
                    break;
                }
    }

    static bool HasBraceExpansion(string raw)
    {
        var open = raw.IndexOf('{');
        if (open < 0 || (open > 0 && raw[open - 1] == '$')) return false;
        var close = raw.IndexOf('}', open);
        if (close < 0) return false;
        var inner = raw.Substring(open + 1, close - open - 1);
        return (inner.Contains(',') && !inner.Contains(' ')) || System.Text.RegularExpressions.Regex.IsMatch(inner, @"^(-?\d+\.\.-?\d+|[a-zA-Z]\.\.[a-zA-Z])$");
    }
}
