using System.Globalization;

namespace DockOpt.Engine.Analysis.Gates;

/// <summary>Fails when UserWastedPercent (0..100) is above the highest allowed (dive gives a ratio 0..1).</summary>
public sealed class HighestUserWastedPercentGate : AnalysisGate
{
    public override GateInfo Info { get; } = new("HighestUserWastedPercent", "-HighestUserWastedPercent", "highestUserWastedPercent", "highestUserWastedPercent",
        "Fails when UserWastedPercent (0..100) is above this; in .dive-ci it is dive's ratio (0..1).");

    public override bool IsSet(AnalysisGates g) => g.HighestUserWastedPercent != null;

    public override void Read(string value, string file, bool fromDive, AnalysisGates into) =>
        into.HighestUserWastedPercent = fromDive
            ? GateValues.Number(value, file, Info.DiveKey!, 0, 1) * 100
            : GateValues.Number(value, file, Info.ConfigKey, 0, 100);

    public override string? Evaluate(ImageAnalysis a, AnalysisGates g) =>
        g.HighestUserWastedPercent is { } hu && a.UserWastedPercent > hu
            ? string.Format(CultureInfo.InvariantCulture, "{0}: UserWastedPercent {1:0.##} is above the highest allowed {2:0.##}", a.Image, a.UserWastedPercent, hu)
            : null;
}
