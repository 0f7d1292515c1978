namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>scratch and context are reserved stage names (hadolint DL3063).</summary>
public sealed class DO2002ReservedStageName : StageNameRule
{
    public override RuleInfo Info { get; } = new("DO2002", "ReservedStageName", Severity.Medium, "scratch and context are reserved stage names.", "DL3063", "ReservedStageName");

    protected override void Check(LintContext ctx, Stage stage, string name, SourceRange nameRange)
    {
        if (name.Equals("scratch", StringComparison.OrdinalIgnoreCase) || name.Equals("context", StringComparison.OrdinalIgnoreCase))
            Report(ctx, $"'{name}' is a reserved stage name.", nameRange, stage.From, "Rename the stage.");
    }
}
