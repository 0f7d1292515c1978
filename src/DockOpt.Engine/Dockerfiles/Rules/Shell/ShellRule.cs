namespace DockOpt.Engine.Dockerfiles.Rules.Shell;

/// <summary>Base of the rules over the shell commands of RUN (shell form, <c>sh -c</c> exec form and shell heredoc bodies).</summary>
public abstract class ShellRule : Rule
{
    public override void Check(LintContext ctx)
    {
        foreach (var run in RunScript.All(ctx)) Check(ctx, run);
    }

    /// <summary>
    /// Checks one RUN. The linter calls this for every shell rule on one RUN before it moves to the next, so a RUN's
    /// commands are read while they are in the processor's cache (a pass per rule over every RUN of a big file missed it).
    /// </summary>
    internal void CheckRun(LintContext ctx, RunScript run) => Check(ctx, run);

    /// <summary>Checks one RUN; by default each of its commands.</summary>
    protected virtual void Check(LintContext ctx, RunScript run)
    {
        foreach (var c in run.Commands) Check(ctx, run, c);
    }

    protected virtual void Check(LintContext ctx, RunScript run, ShellCommand c) { }

    /// <summary>Range of the command's program word (the whole command when it has none).</summary>
    protected static SourceRange ProgramRange(ShellCommand c) => c.ProgramIndex < c.Words.Count ? c.RangeOfWord(c.Words[c.ProgramIndex]) : c.Range;
}
