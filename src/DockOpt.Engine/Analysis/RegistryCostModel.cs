using DockOpt.Engine.DockerApi;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis;

/// <summary>Prices of the registry cost estimate.</summary>
public sealed class RegistryCostModel
{
    public double StoragePricePerGBMonth { get; init; } = 0.10;
    public double TransferPricePerGB { get; init; } = 0.09;
    public int PullsPerMonth { get; init; } = 100;

    public double MonthlyCost(long bytes) => ImageComparison.MonthlyCost(bytes, StoragePricePerGBMonth, TransferPricePerGB, PullsPerMonth);
}
