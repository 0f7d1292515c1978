namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>Stage names must be unique (hadolint DL3024).</summary>
public sealed class DO2001DuplicateStageName : StageNameRule
{
    public override RuleInfo Info { get; } = new("DO2001", "DuplicateStageName", Severity.High, "Stage names must be unique.", "DL3024", "DuplicateStageName");

    protected override void Check(LintContext ctx, Stage stage, string name, SourceRange nameRange)
    {
        if (ctx.Model.Stages.Any(s => s.Index < stage.Index && string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)))
            Report(ctx, $"Stage name '{name}' is already used by an earlier stage.", nameRange, stage.From, "Give each stage a unique name.");
    }
}
