using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>Use a ( subshell ) instead of cd-ing back with cd .. (ShellCheck SC2103).</summary>
public sealed class DO6008CdBack : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6008", "CdBack", Severity.Low, "Use a ( subshell ) instead of cd-ing back with cd ..", "SC2103");

    protected override bool MayApply(string t) => t.Contains("cd", StringComparison.Ordinal);

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        foreach (var seq in s.All<ShSequence>())
        {
            var sawCd = false;
            foreach (var ao in seq.Items)
            {
                if (ao.Items.Count != 1 || ao.Items[0].Commands.Count != 1 || ao.Items[0].Commands[0] is not ShSimpleCommand { Name: "cd" } c) continue;
                var arg = c.Words.Count == 2 ? c.Words[1].Literal : null;
                if (arg == ".." && sawCd) Report(ctx, run, c, "Use a ( subshell ) to avoid having to cd back.", "Run the commands in ( cd dir && … ) or use WORKDIR.");
                else if (arg != ".." && c.Words.Count == 2) sawCd = true;
            }
        }
    }
}
