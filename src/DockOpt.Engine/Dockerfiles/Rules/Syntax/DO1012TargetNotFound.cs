namespace DockOpt.Engine.Dockerfiles.Rules.Syntax;

/// <summary>The stage named by -Target does not exist.</summary>
public sealed class DO1012TargetNotFound : Rule
{
    public override RuleInfo Info { get; } = new("DO1012", "TargetNotFound", Severity.High, "The -Target stage does not exist.");

    public override void Check(LintContext ctx)
    {
        if (ctx.Model.TargetError != null)
            Report(ctx, ctx.Model.TargetError, SourceRange.Of(1, 1, 1, 1), null, "Pass the name or index of an existing stage to -Target.");
    }
}
