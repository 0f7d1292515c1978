namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>The EXPOSE protocol should be lowercase (build check ExposeProtoCasing).</summary>
public sealed class DO2013ExposeProtoCasing : Rule
{
    public override RuleInfo Info { get; } = new("DO2013", "ExposeProtoCasing", Severity.Medium, "EXPOSE protocol should be lowercase.", "", "ExposeProtoCasing");

    public override void Check(LintContext ctx)
    {
        foreach (var (ins, port) in ExposedPort.All(ctx))
            if (port.IsValid && port.Protocol is { } p && p != p.ToLowerInvariant())
                Report(ctx, $"Protocol '{p}' should be lowercase.", port.Range, ins, $"Write {port.Value.ToLowerInvariant()}.");
    }
}
