namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>FROM --platform=$TARGETPLATFORM is the default (hadolint DL3065).</summary>
public sealed class DO2017RedundantTargetPlatform : Rule
{
    public override RuleInfo Info { get; } = new("DO2017", "RedundantTargetPlatform", Severity.Low, "FROM --platform=$TARGETPLATFORM is the default.", "DL3065", "RedundantTargetPlatform");

    public override void Check(LintContext ctx)
    {
        foreach (var from in ctx.Model.Stages.Select(s => s.From))
            if (from.FlagsNamed("platform").LastOrDefault() is { Value: "$TARGETPLATFORM" or "${TARGETPLATFORM}" } platform)
                Report(ctx, "--platform=$TARGETPLATFORM is the default and redundant.", platform.Range, from, "Remove the flag.");
    }
}
