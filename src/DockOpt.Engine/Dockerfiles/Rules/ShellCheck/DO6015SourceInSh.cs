using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>'source' is a bash builtin; /bin/sh knows only '.'. (ShellCheck SC3046).</summary>
public sealed class DO6015SourceInSh : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6015", "SourceInSh", Severity.Medium, "'source' is a bash builtin; /bin/sh knows only '.'.", "SC3046");

    protected override bool MayApply(string t) => t.Contains("source", StringComparison.Ordinal);

    protected override bool ShOnly => true;

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        foreach (var c in s.All<ShSimpleCommand>())
            if (c.Name == "source") Report(ctx, run, c.Words[0], "In POSIX sh, 'source' in place of '.' is undefined.", "Use . file.");
    }
}
