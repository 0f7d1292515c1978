using System.Globalization;

namespace DockOpt.Engine.Analysis.Gates;

/// <summary>Fails when Efficiency (0..1) is below the lowest allowed.</summary>
public sealed class LowestEfficiencyGate : AnalysisGate
{
    public override GateInfo Info { get; } = new("LowestEfficiency", "-LowestEfficiency", "lowestEfficiency", "lowestEfficiency",
        "Fails when Efficiency (0..1) is below this.");

    public override bool IsSet(AnalysisGates g) => g.LowestEfficiency != null;

    public override void Read(string value, string file, bool fromDive, AnalysisGates into) =>
        into.LowestEfficiency = GateValues.Number(value, file, Info.ConfigKey, 0, 1);

    public override string? Evaluate(ImageAnalysis a, AnalysisGates g) =>
        g.LowestEfficiency is { } le && a.Efficiency < le
            ? string.Format(CultureInfo.InvariantCulture, "{0}: Efficiency {1:0.####} is below the lowest allowed {2:0.####}", a.Image, a.Efficiency, le)
            : null;
}
