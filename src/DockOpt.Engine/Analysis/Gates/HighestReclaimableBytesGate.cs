using System.Globalization;

namespace DockOpt.Engine.Analysis.Gates;

/// <summary>Fails when ReclaimableBytes is above the highest allowed (dive: highestWastedBytes).</summary>
public sealed class HighestReclaimableBytesGate : AnalysisGate
{
    public override GateInfo Info { get; } = new("HighestReclaimableBytes", "-HighestReclaimableBytes", "highestReclaimableBytes", "highestWastedBytes",
        "Fails when ReclaimableBytes is above this (a size: 20MB = 20,000,000, 20MiB = 20,971,520, or bytes).");

    public override bool IsSet(AnalysisGates g) => g.HighestReclaimableBytes != null;

    public override void Read(string value, string file, bool fromDive, AnalysisGates into) =>
        into.HighestReclaimableBytes = AnalysisGates.Bytes(value, file, fromDive ? Info.DiveKey! : Info.ConfigKey);

    public override string? Evaluate(ImageAnalysis a, AnalysisGates g) =>
        g.HighestReclaimableBytes is { } hr && a.ReclaimableBytes > hr
            ? string.Format(CultureInfo.InvariantCulture, "{0}: ReclaimableBytes {1} ({2}) is above the highest allowed {3} ({4})", a.Image,
                a.ReclaimableBytes, ByteSize.Format(a.ReclaimableBytes), hr, ByteSize.Format(hr))
            : null;
}
