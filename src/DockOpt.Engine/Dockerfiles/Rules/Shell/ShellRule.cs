namespace DockOpt.Engine.Dockerfiles.Rules.Shell;

/// <summary>Base of the rules over the shell commands of RUN (shell form, <c>sh -c</c> exec form and shell heredoc bodies).</summary>
public abstract class ShellRule : Rule
{
    public override void Check(LintContext ctx)
    {
        foreach (var run in RunScript.All(ctx)) Check(ctx, run);
    }

    /// <summary>Checks one RUN; by default each of its commands.</summary>
    protected virtual void Check(LintContext ctx, RunScript run)
    {
        foreach (var c in run.Commands) Check(ctx, run, c);
    }

    protected virtual void Check(LintContext ctx, RunScript run, ShellCommand c) { }

    /// <summary>Range of the command's program word (the whole command when it has none).</summary>
    protected static SourceRange ProgramRange(ShellCommand c) => c.ProgramIndex < c.Words.Count ? c.RangeOfWord(c.Words[c.ProgramIndex]) : c.Range;
}
