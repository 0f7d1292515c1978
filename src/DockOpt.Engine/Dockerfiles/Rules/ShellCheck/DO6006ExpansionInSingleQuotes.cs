using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>Expressions do not expand in single quotes; use double quotes where expansion is meant. (ShellCheck SC2016).</summary>
public sealed class DO6006ExpansionInSingleQuotes : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6006", "ExpansionInSingleQuotes", Severity.Low, "Expressions do not expand in single quotes; use double quotes where expansion is meant.", "SC2016");

    protected override bool MayApply(string t) => t.Contains('\'');

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        foreach (var sq in s.All<ShSingleQuoted>())
        {
            if (!LooksExpandable(sq.Text)) continue;
            var c = ShQueries.CommandOf(s, sq);
            if (c != null && c.Words.TakeWhile(w => w.End <= sq.Start).Any(w => w.Literal is { } l && Exempt.Contains(l.Contains('/') ? l[(l.LastIndexOf('/') + 1)..] : l))) continue;
            if (c != null && c.Words.Count > 0 && c.Words[0].Start <= sq.Start && sq.End <= c.Words[0].End) continue;
            Report(ctx, run, sq, "Expressions don't expand in single quotes, use double quotes for that.", "Use double quotes if the shell should expand it.");
        }
    }

    /// <summary>Commands whose arguments are programs or templates for another interpreter.</summary>
    static readonly HashSet<string> Exempt = new(StringComparer.Ordinal)
    {
        "sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "awk", "gawk", "mawk", "nawk", "perl", "eval", "trap", "ssh", "su", "xargs",
        "jq", "yq", "python", "python3", "ruby", "node", "php", "git", "docker", "podman", "sudo", "run-parts", "alias", "unset", "dpkg-query", "rename", "rg",
    };

    static bool LooksExpandable(string t)
    {
        if (t.Contains('`')) return t.IndexOf('`') != t.LastIndexOf('`');
        for (var i = 0; i + 1 < t.Length; i++)
            if (t[i] == '$' && (ShQueries.IsIdentifierStart(t[i + 1]) || t[i + 1] == '(' || (t[i + 1] == '{' && i + 2 < t.Length && (ShQueries.IsIdentifierStart(t[i + 2]) || char.IsDigit(t[i + 2]) || t[i + 2] is '#' or '!' or '@' or '*')))) return true;
        return false;
    }
}
