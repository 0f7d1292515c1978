using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>Pass the file to the command instead of piping it through cat. (ShellCheck SC2002).</summary>
public sealed class DO6004UselessCat : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6004", "UselessCat", Severity.Info, "Pass the file to the command instead of piping it through cat.", "SC2002");

    protected override bool MayApply(string t) => t.Contains("cat", StringComparison.Ordinal) && t.Contains('|');

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        foreach (var pl in s.All<ShPipeline>())
            for (var k = 0; k < pl.Commands.Count - 1; k++)
                if (pl.Commands[k] is ShSimpleCommand { Name: "cat" } c && c.Words.Count == 2 && c.Redirects.Count == 0
                    && !(c.Words[1].Literal ?? "x").StartsWith('-'))
                    Report(ctx, run, c.Words[1], "Useless cat. Consider 'cmd < file | ..' or 'cmd file | ..' instead.", "Redirect the file into the next command.");
    }
}
