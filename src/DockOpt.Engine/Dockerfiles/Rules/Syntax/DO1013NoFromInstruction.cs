namespace DockOpt.Engine.Dockerfiles.Rules.Syntax;

/// <summary>A Dockerfile with instructions but no FROM cannot be built.</summary>
public sealed class DO1013NoFromInstruction : Rule
{
    public override RuleInfo Info { get; } = new("DO1013", "NoFromInstruction", Severity.High, "The Dockerfile has no FROM instruction.");

    public override void Check(LintContext ctx)
    {
        var doc = ctx.Document;
        if (ctx.Model.Stages.Count == 0 && doc.Instructions.Count > 0)
            Report(ctx, "The Dockerfile has no FROM instruction.", doc.Instructions[0].Range, doc.Instructions[0], "Start the build with FROM <image>.");
    }
}
