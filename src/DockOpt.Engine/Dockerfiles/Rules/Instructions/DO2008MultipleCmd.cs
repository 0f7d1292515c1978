namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>Only the last CMD of a stage takes effect (hadolint DL4003).</summary>
public sealed class DO2008MultipleCmd : SingleInstructionRule
{
    public override RuleInfo Info { get; } = new("DO2008", "MultipleCmd", Severity.Medium, "Only the last CMD of a stage takes effect.", "DL4003", "MultipleInstructionsDisallowed");
    protected override string Keyword => "CMD";
}
