using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>read without -r treats backslashes as escapes and drops them. (ShellCheck SC2162).</summary>
public sealed class DO6021ReadWithoutRaw : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6021", "ReadWithoutRaw", Severity.Low, "read without -r will mangle backslashes.", "SC2162");

    protected override bool MayApply(string t) => t.Contains("read", StringComparison.Ordinal);

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        foreach (var c in s.All<ShSimpleCommand>())
        {
            if (c.Name != "read") continue;
            // any option word carrying r (-r, -rp, -pr …) counts, as in ShellCheck
            if (c.Words.Skip(1).Any(w => w.Literal is { Length: > 1 } l && l[0] == '-' && l != "--" && l.IndexOf('r', 1) > 0)) continue;
            Report(ctx, run, c.Words[0], "read without -r will mangle backslashes.", "Write read -r.");
        }
    }
}
