namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>FROM --platform with a constant value defeats multi-platform builds (hadolint DL3029).</summary>
public sealed class DO2018FromPlatformConstant : Rule
{
    public override RuleInfo Info { get; } = new("DO2018", "FromPlatformConstant", Severity.Medium, "FROM --platform with a constant value defeats multi-platform builds.", "DL3029", "FromPlatformFlagConstDisallowed");

    public override void Check(LintContext ctx)
    {
        foreach (var from in ctx.Model.Stages.Select(s => s.From))
            if (from.FlagsNamed("platform").LastOrDefault() is { Value: { } pv } platform && !pv.Contains('$'))
                Report(ctx, $"FROM --platform={pv} pins a constant platform.", platform.Range, from, "Use $BUILDPLATFORM for build stages or drop the flag.");
    }
}
