using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>Check a command's exit code directly (if cmd; then) instead of testing $? afterwards. (ShellCheck SC2181).</summary>
public sealed class DO6010IndirectExitCode : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6010", "IndirectExitCode", Severity.Info, "Check a command's exit code directly (if cmd; then) instead of testing $? afterwards.", "SC2181");

    protected override bool MayApply(string t) => t.Contains("$?", StringComparison.Ordinal) || t.Contains("${?}", StringComparison.Ordinal);

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        foreach (var n in s.Nodes)
        {
            IEnumerable<ShWord> words = n switch
            {
                ShSimpleCommand { Name: "[" } c => c.Words.Skip(1),
                ShDoubleBracket db => db.Words,
                _ => Array.Empty<ShWord>(),
            };
            foreach (var w in words)
            {
                var parts = w.Parts.Count == 1 && w.Parts[0] is ShDoubleQuoted d ? d.Parts : w.Parts;
                if (parts.Count == 1 && parts[0] is ShParam { Name: "?" })
                {
                    Report(ctx, run, w, "Check exit code directly with e.g. 'if mycmd;', not indirectly with $?.", "Write if cmd; then … fi, or cmd || handle.");
                    break;
                }
            }
        }
    }
}
