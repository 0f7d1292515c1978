namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>EXPOSE takes port[/protocol] in 0-65535, with no host mapping or IP (hadolint DL3011).</summary>
public sealed class DO2012InvalidPort : Rule
{
    public override RuleInfo Info { get; } = new("DO2012", "InvalidPort", Severity.High, "EXPOSE takes port[/protocol] with 0-65535, no host mapping or IP.", "DL3011", "ExposeInvalidFormat");

    public override void Check(LintContext ctx)
    {
        foreach (var (ins, port) in ExposedPort.All(ctx))
        {
            if (port.MapsHost)
                Report(ctx, $"EXPOSE '{port.Value}' maps a host port or IP; EXPOSE only documents the container port.", port.Range, ins, "Publish host ports with docker run -p.");
            else if (!port.IsValid)
                Report(ctx, $"EXPOSE '{port.Value}' is not a valid port[/tcp|udp] in 0-65535.", port.Range, ins);
        }
    }
}
