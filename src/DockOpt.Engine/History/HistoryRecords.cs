using DockOpt.Engine.Images;

namespace DockOpt.Engine.History;

/// <summary>Makes <see cref="HistoryRecord"/>s from builds and comparisons (the image name split by <see cref="ImageReference"/>).</summary>
public static class HistoryRecords
{
    /// <summary>The repository as docker prints it and the tag docker pulls (<c>latest</c> when none); nulls for an image ID.</summary>
    static (string? Repository, string? Tag) Split(string name)
    {
        if (string.IsNullOrEmpty(name) || name.StartsWith("sha256:", StringComparison.Ordinal)) return (null, null);
        if (!ImageReference.TryParse(name, out var r)) return (null, null);
        return (r!.FamiliarRepository, r.Tag ?? "latest");
    }

    /// <summary>The fields every kind of record has: when, what image (named and split), its size, layers and build time.</summary>
    static HistoryRecord Of(string kind, DateTime at, string image, string imageId, long size, int layerCount, double? seconds, string? engine)
    {
        var (repo, tag) = Split(image);
        return new HistoryRecord
        {
            Timestamp = (at == default ? DateTime.UtcNow : at).ToUniversalTime(),
            Kind = kind,
            Image = image,
            Repository = repo,
            Tag = tag,
            ImageId = imageId,
            Size = size,
            LayerCount = layerCount,
            DurationSeconds = seconds,
            Engine = engine,
            Host = Environment.MachineName,
        };
    }

    /// <summary>The record of one build (call after Invoke-DockOptBuild produced <paramref name="build"/>).</summary>
    public static HistoryRecord FromBuild(BuildResult build)
    {
        if (build == null) throw new ArgumentNullException(nameof(build));
        var r = Of(HistoryKind.Build, build.StartedAt, build.Name, build.ImageId, build.Size, build.LayerCount, build.DurationSeconds, build.Engine);
        r.Dockerfile = build.Dockerfile;
        r.ContextPath = build.ContextPath;
        r.Target = build.Target;
        r.StepCount = build.StepCount;
        r.CacheHits = build.CacheHits;
        r.CacheMisses = build.CacheMisses;
        r.ContextBytes = build.ContextBytes;
        r.GitCommit = build.GitCommit;
        r.GitBranch = build.GitBranch;
        return r;
    }

    /// <summary>The record of one comparison; <see cref="Image"/> is the difference image.</summary>
    public static HistoryRecord FromComparison(ImageComparison c)
    {
        if (c == null) throw new ArgumentNullException(nameof(c));
        var r = Of(HistoryKind.Comparison, c.ComparedAt, c.DifferenceImage, c.DifferenceImageId, c.DifferenceSize, c.DifferenceLayerCount,
            c.DifferenceBuildSeconds, c.Engine);
        r.ReferenceImage = c.ReferenceImage;
        r.ReferenceImageId = c.ReferenceImageId;
        r.ReferenceSize = c.ReferenceSize;
        r.ReferenceDurationSeconds = c.ReferenceBuildSeconds;
        r.SizeReduction = c.SizeReduction;
        r.ReductionPercent = c.ReductionPercent;
        r.MonthlySavings = c.MonthlySavings;
        r.YearlySavings = c.YearlySavings;
        return r;
    }
}
