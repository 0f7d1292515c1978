namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>Only the last ENTRYPOINT of a stage takes effect (hadolint DL4004).</summary>
public sealed class DO2009MultipleEntrypoint : SingleInstructionRule
{
    public override RuleInfo Info { get; } = new("DO2009", "MultipleEntrypoint", Severity.High, "Only the last ENTRYPOINT of a stage takes effect.", "DL4004", "MultipleInstructionsDisallowed");
    protected override string Keyword => "ENTRYPOINT";
}
