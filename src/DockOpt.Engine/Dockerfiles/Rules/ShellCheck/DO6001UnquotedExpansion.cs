using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>Double quote variable expansions to prevent globbing and word splitting. (ShellCheck SC2086).</summary>
public sealed class DO6001UnquotedExpansion : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6001", "UnquotedExpansion", Severity.Low, "Double quote variable expansions to prevent globbing and word splitting.", "SC2086");

    protected override bool MayApply(string t) => t.Contains('$');

    static readonly HashSet<string> NoSplit = new(StringComparer.Ordinal)
    {
        "RANDOM", "SECONDS", "UID", "EUID", "PPID", "LINENO", "SHLVL", "COLUMNS", "LINES", "OPTIND", "BASHPID",
    };

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        var safe = ShQueries.SafeVariables(s);
        // numbers the shell sets itself never split (shellcheck 0.9.0 does not report them)
        foreach (var (_, w) in ShQueries.SplitWords(s))
            foreach (var p in ShQueries.UnquotedParts(w))
                if (p is ShParam v && v.Name.Length > 0 && v.Name is not ("?" or "#" or "$" or "!" or "-" or "@" or "*") && !v.IsLength
                    && !(safe.Contains(v.Name) && !v.HasOperator) && !(NoSplit.Contains(v.Name) && !v.HasOperator) && !ShQueries.InNonSplittingContext(s, w))
                    Report(ctx, run, v, "Double quote to prevent globbing and word splitting.", "Write \"$" + (v.Braced ? "{" + v.Body + "}" : v.Name) + "\".");
    }
}
