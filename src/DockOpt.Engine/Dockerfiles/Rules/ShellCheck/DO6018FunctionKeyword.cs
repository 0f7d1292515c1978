using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>The 'function' keyword is not POSIX; write name() { … }. (ShellCheck SC2112).</summary>
public sealed class DO6018FunctionKeyword : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6018", "FunctionKeyword", Severity.Medium, "The 'function' keyword is not POSIX; write name() { … }.", "SC2112");

    protected override bool MayApply(string t) => t.Contains("function", StringComparison.Ordinal);

    protected override bool ShOnly => true;

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        foreach (var f in s.All<ShFunction>())
            if (f.Keyword)
                Report(ctx, f.Parens ? "'function' keyword is non-standard. Delete it." : "'function' keyword is non-standard. Use 'foo()' instead of 'function foo'.",
                    s.RangeOf(f.Start, f.Start + 8), run.Run, "Write " + f.Name + "() { … }.", hadolint: f.Parens ? "SC2112" : "SC2113");
    }
}
