namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>Stage names should be lowercase (build check StageNameCasing).</summary>
public sealed class DO2003StageNameCasing : StageNameRule
{
    public override RuleInfo Info { get; } = new("DO2003", "StageNameCasing", Severity.Medium, "Stage names should be lowercase.", "", "StageNameCasing");

    protected override void Check(LintContext ctx, Stage stage, string name, SourceRange nameRange)
    {
        if (name != name.ToLowerInvariant())
            Report(ctx, $"Stage name '{name}' should be lowercase.", nameRange, stage.From, $"Use '{name.ToLowerInvariant()}'.");
    }
}
