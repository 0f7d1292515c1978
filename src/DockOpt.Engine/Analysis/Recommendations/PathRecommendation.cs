using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis.Recommendations;

/// <summary>A recommendation about files under certain paths (DOA011–DOA013): reported when at least <see cref="Threshold"/> bytes match.</summary>
public abstract class PathRecommendation : ImageRecommendation
{
    /// <summary>Whether a path (no leading '/') belongs to what the rule looks for.</summary>
    protected abstract bool Matches(string path);

    /// <summary>Bytes the matching files must reach for a finding (1 = any file).</summary>
    protected abstract long Threshold { get; }

    protected abstract int Deduction { get; }
    protected abstract string Fix { get; }

    public override IEnumerable<Recommendation> Check(RecommendationContext c)
    {
        long bytes = 0;
        var count = 0;
        var paths = new List<string>();
        var byLayer = new Dictionary<int, long>();
        foreach (var n in c.Files.Values)
        {
            if (n.Kind == LayerEntryKind.Directory || !Matches(n.Path)) continue;
            bytes += n.Kind == LayerEntryKind.RegularFile ? n.Size : 0;
            count++;
            byLayer[n.Layer] = byLayer.GetValueOrDefault(n.Layer) + n.Size;
            if (paths.Count < 20) paths.Add("/" + n.Path);
        }
        if (count == 0 || bytes < Threshold) yield break;
        yield return Finding($"{Info.Message} ({count} files, {ByteSize.Format(bytes)})", $"{count} files, {ByteSize.Format(bytes)}.",
            Fix, Deduction, savings: bytes, layer: RecommendationContext.HeaviestLayer(byLayer), paths: paths);
    }
}
