using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>A sourced file is not checked: its variables and functions are unknown to the analysis. (ShellCheck SC1091).</summary>
public sealed class DO6012SourceNotFollowed : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6012", "SourceNotFollowed", Severity.Low, "A sourced file is not checked: its variables and functions are unknown to the analysis.", "SC1091");

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        foreach (var c in s.All<ShSimpleCommand>())
            if (c.Name is "." or "source" && c.Words.Count >= 2 && c.Words[1].Literal is { } file)
                Report(ctx, run, c.Words[1], "Not following: " + file + " was not specified as input (see shellcheck -x).", "Nothing to do unless the file's variables matter; add # shellcheck disable=SC1091 to acknowledge.");
    }
}
