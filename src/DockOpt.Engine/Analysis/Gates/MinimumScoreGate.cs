using System.Globalization;

namespace DockOpt.Engine.Analysis.Gates;

/// <summary>Fails when Score (0..100) is below the minimum.</summary>
public sealed class MinimumScoreGate : AnalysisGate
{
    public override GateInfo Info { get; } = new("MinimumScore", "-MinimumScore", "minimumScore", null,
        "Fails when Score (0..100, see the recommendations) is below this.");

    public override bool IsSet(AnalysisGates g) => g.MinimumScore != null;

    public override void Read(string value, string file, bool fromDive, AnalysisGates into) =>
        into.MinimumScore = (int)GateValues.Number(value, file, Info.ConfigKey, 0, 100);

    public override string? Evaluate(ImageAnalysis a, AnalysisGates g) =>
        g.MinimumScore is { } ms && a.Score < ms
            ? string.Format(CultureInfo.InvariantCulture, "{0}: Score {1} is below the minimum {2}", a.Image, a.Score, ms)
            : null;
}
