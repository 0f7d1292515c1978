namespace DockOpt;

/// <summary>
/// Compare-DockOptImage's result: a reference image (typically the single-stage build) against a difference image
/// (typically the multi-stage build). Flat: every headline number is a scalar, so it exports to one CSV row.
/// </summary>
/// <remarks>
/// Registry costs are estimates per image per month: <c>SizeGB × StoragePricePerGBMonth + SizeGB × PullsPerMonth ×
/// TransferPricePerGB</c>, with decimal gigabytes (1 GB = 1,000,000,000 bytes, as docker and registry price lists
/// count them) and the COMPRESSED size, the bytes a registry stores and a pull transfers (<see cref="CostBasis"/> says
/// which): the manifest's layer sizes for a registry image (docker://), for a local image an estimate (each layer gzipped
/// at the default level, as docker push does). When a compressed size cannot be had (an archive), the uncompressed size is
/// used and CostBasis is Uncompressed.
/// </remarks>
public sealed class ImageComparison
{
    /// <summary>Name of the reference image (the tag given or found; the ID when untagged).</summary>
    public string ReferenceImage { get; set; } = "";
    public string ReferenceImageId { get; set; } = "";
    public string DifferenceImage { get; set; } = "";
    public string DifferenceImageId { get; set; } = "";

    /// <summary>Bytes, equal to <c>docker image inspect --format '{{.Size}}'</c>.</summary>
    public long ReferenceSize { get; set; }
    public long DifferenceSize { get; set; }

    /// <summary>ReferenceSize − DifferenceSize (negative when the difference image is larger).</summary>
    public long SizeReduction => ReferenceSize - DifferenceSize;

    /// <summary>
    /// Compressed bytes of the layers: the registry manifest's sizes (docker://) or, for a local image, an estimate of what
    /// docker push sends (gzip, default level); null when unknown.
    /// </summary>
    public long? ReferenceCompressedSize { get; set; }
    public long? DifferenceCompressedSize { get; set; }

    /// <summary>Compressed (the costs use compressed bytes) or Uncompressed (a compressed size was not known for both images).</summary>
    public string CostBasis { get; set; } = "Uncompressed";

    /// <summary>Where each image was read, transport-qualified (docker-daemon:…, docker://…, docker-archive:…, oci:…).</summary>
    public string ReferenceSource { get; set; } = "";
    public string DifferenceSource { get; set; } = "";

    /// <summary>SizeReduction as a percentage of ReferenceSize, two decimals (88.1 means 88.1 % smaller).</summary>
    public double ReductionPercent => ReferenceSize > 0 ? Math.Round(100.0 * SizeReduction / ReferenceSize, 2) : 0;

    public int ReferenceLayerCount { get; set; }
    public int DifferenceLayerCount { get; set; }

    /// <summary>Layers (by diff ID) present in both images, and their bytes.</summary>
    public int SharedLayerCount { get; set; }
    public long SharedSize { get; set; }

    /// <summary>Build durations, only when BuildResult objects were compared.</summary>
    public TimeSpan? ReferenceBuildDuration { get; set; }
    public double? ReferenceBuildSeconds => ReferenceBuildDuration is { } d ? Math.Round(d.TotalSeconds, 3) : null;
    public TimeSpan? DifferenceBuildDuration { get; set; }
    public double? DifferenceBuildSeconds => DifferenceBuildDuration is { } d ? Math.Round(d.TotalSeconds, 3) : null;

    public double StoragePricePerGBMonth { get; set; }
    public double TransferPricePerGB { get; set; }
    public int PullsPerMonth { get; set; }

    /// <summary>Estimated monthly registry cost (storage + transfer) of the reference image, in the price's currency.</summary>
    public double ReferenceMonthlyCost { get; set; }
    public double DifferenceMonthlyCost { get; set; }
    public double MonthlySavings { get; set; }
    public double YearlySavings { get; set; }

    /// <summary>Layer-level comparison; only with -Detailed.</summary>
    public LayerComparison[]? Layers { get; set; }

    /// <summary>With -Detailed: files added, removed and modified between the two final filesystems (content hash,
    /// mode, owner) with size deltas, then per-directory roll-ups (<see cref="FileChange.IsRollup"/>).</summary>
    public FileChange[]? Files { get; set; }

    /// <summary>With -Detailed: the number of file rows (not roll-ups) that differ.</summary>
    public int? FilesChanged => Files?.Count(f => !f.IsRollup);

    /// <summary>UTC.</summary>
    public DateTime ComparedAt { get; set; }
    public string Engine { get; set; } = "";

    public override string ToString() =>
        $"{ReferenceImage} ({ByteSize.Format(ReferenceSize)}) -> {DifferenceImage} ({ByteSize.Format(DifferenceSize)}): " +
        $"{(ReductionPercent >= 0 ? "-" : "+")}{Math.Abs(ReductionPercent).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)}%";

    /// <summary>The monthly cost model: decimal GB × storage price + decimal GB × pulls × transfer price.</summary>
    public static double MonthlyCost(long sizeBytes, double storagePricePerGBMonth, double transferPricePerGB, int pullsPerMonth)
    {
        var gb = sizeBytes / 1_000_000_000.0;
        return gb * storagePricePerGBMonth + gb * pullsPerMonth * transferPricePerGB;
    }
}

/// <summary>Where a layer occurs in a comparison.</summary>
public enum LayerPresence
{
    Shared,
    ReferenceOnly,
    DifferenceOnly,
}

/// <summary>One layer of a -Detailed comparison, identified by its uncompressed diff ID.</summary>
public sealed class LayerComparison
{
    public LayerPresence Presence { get; set; }
    public string DiffId { get; set; } = "";

    /// <summary>First 12 hex digits of the diff ID.</summary>
    public string ShortDiffId => DiffId.StartsWith("sha256:", StringComparison.Ordinal) && DiffId.Length >= 19 ? DiffId.Substring(7, 12) : DiffId;

    /// <summary>Bytes the layer adds (from the image history); 0 when the engine did not report it.</summary>
    public long Size { get; set; }

    /// <summary>0-based position in the reference image's layers, when present there.</summary>
    public int? ReferenceIndex { get; set; }
    public int? DifferenceIndex { get; set; }

    /// <summary>The instruction that created the layer (from the history of the image it was found in).</summary>
    public string CreatedBy { get; set; } = "";
    public string ReferenceImage { get; set; } = "";
    public string DifferenceImage { get; set; } = "";

    public override string ToString() => $"{Presence} {ShortDiffId} {ByteSize.Format(Size)}";
}
