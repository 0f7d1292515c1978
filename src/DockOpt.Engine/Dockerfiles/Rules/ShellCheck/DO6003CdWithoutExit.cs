using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>Use 'cd … || exit' so the script stops when cd fails. (ShellCheck SC2164).</summary>
public sealed class DO6003CdWithoutExit : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6003", "CdWithoutExit", Severity.Medium, "Use 'cd … || exit' so the script stops when cd fails.", "SC2164");

    protected override bool MayApply(string t) => t.Contains("cd", StringComparison.Ordinal);

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        if (s.HasErrexit) return;
        foreach (var c in s.All<ShSimpleCommand>())
        {
            if (c.Name != "cd") continue;
            if (c.Words.Count == 2 && c.Words[1].Literal is { } arg && System.Text.RegularExpressions.Regex.IsMatch(arg, @"^(\.\./?)+$")) continue;
            if (s.ParentOf(c) is not ShPipeline pl) continue;
            if (pl.Commands.Count == 1 && s.ParentOf(pl) is ShAndOr ao && !ReferenceEquals(ao.Items[^1], pl)) continue;
            if (pl.Commands.Count == 1 && ShQueries.IsCondition(s, c)) continue;
            Report(ctx, run, c, "Use 'cd ... || exit' or 'cd ... || return' in case cd fails.", "Append || exit, or use WORKDIR.");
        }
    }
}
