using System.Text.RegularExpressions;
using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>echo -n, -e, -E (and -s) are not POSIX: /bin/sh's echo may print them. (ShellCheck SC3037).</summary>
public sealed class DO6023EchoFlagsInSh : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6023", "EchoFlagsInSh", Severity.Medium, "In POSIX sh, echo flags are undefined.", "SC3037");

    protected override bool ShOnly => true;

    static readonly Regex Flags = new("^-[eEsn]+$", RegexOptions.Compiled);

    protected override bool MayApply(string t) => t.Contains("echo", StringComparison.Ordinal) && t.Contains('-');

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        foreach (var c in s.All<ShSimpleCommand>())
            if (c.Name == "echo" && c.Words.Count >= 2 && c.Words[1].Literal is { } flag && Flags.IsMatch(flag))
                Report(ctx, run, c.Words[1], "In POSIX sh, echo flags are undefined.", "Use printf (printf '%s' … for -n, printf '%b' … for -e), or SHELL [\"/bin/bash\", \"-c\"].");
    }
}
