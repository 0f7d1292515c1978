using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>$RANDOM, $UID, $HOSTNAME, $BASH_SOURCE and the other variables bash sets are empty under POSIX sh. (ShellCheck SC3028).</summary>
public sealed class DO6025BashVariableInSh : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6025", "BashVariableInSh", Severity.Medium, "In POSIX sh, this bash variable is undefined.", "SC3028");

    protected override bool ShOnly => true;

    /// <summary>The variables shellcheck 0.9.0 reports under sh (checked one by one with the shellcheck binary).</summary>
    internal static readonly HashSet<string> BashOnly = new(StringComparer.Ordinal)
    {
        "RANDOM", "SECONDS", "UID", "EUID", "HOSTNAME", "HOSTTYPE", "OSTYPE", "MACHTYPE", "SHLVL", "DIRSTACK", "GROUPS", "PIPESTATUS",
        "BASHPID", "BASH_SOURCE", "BASH_LINENO", "BASH_ARGV", "BASH_SUBSHELL", "BASH_REMATCH", "FUNCNAME", "EPOCHSECONDS",
    };

    protected override bool MayApply(string t) => t.Contains('$');

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        foreach (var p in s.All<ShParam>())
            if (BashOnly.Contains(p.Name) && !s.AssignedNames.Contains(p.Name) && !ShQueries.DockerVariables(ctx, run).Contains(p.Name))
                Report(ctx, run, p, $"In POSIX sh, {p.Name} is undefined.", Fix);
        foreach (var a in s.All<ShArith>()) // $((RANDOM % 10)): names in arithmetic need no $
            foreach (System.Text.RegularExpressions.Match m in Identifier.Matches(a.Text))
                if (BashOnly.Contains(m.Value) && !s.AssignedNames.Contains(m.Value) && !ShQueries.DockerVariables(ctx, run).Contains(m.Value))
                    Report(ctx, run, a.Start + 3 + m.Index, a.Start + 3 + m.Index + m.Length, $"In POSIX sh, {m.Value} is undefined.", Fix);
    }

    const string Fix = "Use SHELL [\"/bin/bash\", \"-c\"], or a POSIX way to get the value.";
    static readonly System.Text.RegularExpressions.Regex Identifier = new(@"(?<![A-Za-z0-9_$])[A-Za-z_][A-Za-z0-9_]*", System.Text.RegularExpressions.RegexOptions.Compiled);
}
