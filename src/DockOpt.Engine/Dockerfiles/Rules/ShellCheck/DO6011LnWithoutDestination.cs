using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>ln with a single path has no destination. (ShellCheck SC2226).</summary>
public sealed class DO6011LnWithoutDestination : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6011", "LnWithoutDestination", Severity.Medium, "ln with a single path has no destination.", "SC2226");

    protected override bool MayApply(string t) => t.Contains("ln", StringComparison.Ordinal);

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        foreach (var c in s.All<ShSimpleCommand>())
        {
            if (c.Name != "ln") continue;
            var paths = 0;
            var target = false;
            for (var k = 1; k < c.Words.Count; k++)
            {
                var l = c.Words[k].Literal;
                if (l == null) { paths++; continue; }
                if (l is "-t" or "--target-directory" || l.StartsWith("--target-directory=")) { target = true; continue; }
                if (l.StartsWith('-') && l.Length > 1) { if (l.StartsWith("-t") && !l.StartsWith("--")) target = true; continue; }
                paths++;
            }
            if (paths == 1 && !target) Report(ctx, run, c, "This ln has no destination. Check the arguments, or specify '.' explicitly.", "Give the link name (or '.').");
        }
    }
}
