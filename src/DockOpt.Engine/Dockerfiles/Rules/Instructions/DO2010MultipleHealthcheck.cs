namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>Only the last HEALTHCHECK of a stage takes effect (hadolint DL3012).</summary>
public sealed class DO2010MultipleHealthcheck : SingleInstructionRule
{
    public override RuleInfo Info { get; } = new("DO2010", "MultipleHealthcheck", Severity.High, "Only the last HEALTHCHECK of a stage takes effect.", "DL3012", "MultipleInstructionsDisallowed");
    protected override string Keyword => "HEALTHCHECK";
}
