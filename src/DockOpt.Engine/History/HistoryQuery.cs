using System.Text.RegularExpressions;

namespace DockOpt.Engine.History;

/// <summary>Filters history records and summarizes them per image.</summary>
public sealed class HistoryQuery
{
    /// <summary>Image names or IDs (wildcards * and ?): match the record's image, repository, image ID (prefix) or a comparison's reference image.</summary>
    public IReadOnlyList<string>? Image { get; init; }

    /// <summary>Tags (wildcards).</summary>
    public IReadOnlyList<string>? Tag { get; init; }

    /// <summary>Build or Comparison.</summary>
    public IReadOnlyList<string>? Kind { get; init; }

    /// <summary>Records at or after this time (compared in UTC).</summary>
    public DateTime? Since { get; init; }

    public bool Matches(HistoryRecord r)
    {
        if (Since is { } since && r.Timestamp < since.ToUniversalTime()) return false;
        if (Kind is { Count: > 0 } && !Kind.Any(k => string.Equals(k, r.Kind, StringComparison.OrdinalIgnoreCase))) return false;
        if (Tag is { Count: > 0 } && !Tag.Any(t => Like(r.Tag, t))) return false;
        if (Image is { Count: > 0 } && !Image.Any(p => MatchesImage(r, p))) return false;
        return true;
    }

    static bool MatchesImage(HistoryRecord r, string pattern)
    {
        if (Like(r.Image, pattern) || Like(r.Repository, pattern) || Like(r.ReferenceImage, pattern)) return true;
        // "app" means app:latest for the image; an ID prefix matches the image ID.
        if (!pattern.Contains(':') && !HasWildcard(pattern) && Like(r.Image, pattern + ":latest")) return true;
        var hex = pattern.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase) ? pattern.Substring(7) : pattern;
        if (hex.Length >= 4 && hex.All(Uri.IsHexDigit))
            return IdStartsWith(r.ImageId, hex) || IdStartsWith(r.ReferenceImageId, hex);
        return false;
    }

    static bool IdStartsWith(string? id, string hex)
    {
        if (string.IsNullOrEmpty(id)) return false;
        var h = id.StartsWith("sha256:", StringComparison.Ordinal) ? id.Substring(7) : id;
        return h.StartsWith(hex, StringComparison.OrdinalIgnoreCase);
    }

    static bool HasWildcard(string s) => s.IndexOfAny(new[] { '*', '?' }) >= 0;

    static bool Like(string? value, string pattern)
    {
        if (value == null) return false;
        if (!HasWildcard(pattern)) return string.Equals(value, pattern, StringComparison.OrdinalIgnoreCase);
        var rx = "^" + Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".") + "$";
        return Regex.IsMatch(value, rx, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }

    /// <summary>
    /// Per image and kind, in order of first appearance: counts, first/last times, size and duration statistics, and
    /// the change of the last record against the one before it (records ordered by timestamp, then file order).
    /// </summary>
    public static List<HistorySummary> Summarize(IEnumerable<HistoryRecord> records)
    {
        var groups = records
            .Select((r, i) => (r, i))
            .GroupBy(x => (Image: x.r.Image, Kind: x.r.Kind))
            .Select(g => g.OrderBy(x => x.r.Timestamp).ThenBy(x => x.i).Select(x => x.r).ToList())
            .ToList();
        var result = new List<HistorySummary>(groups.Count);
        foreach (var list in groups)
        {
            var last = list[^1];
            var prev = list.Count > 1 ? list[^2] : null;
            var s = new HistorySummary
            {
                Image = last.Image,
                Kind = last.Kind,
                Count = list.Count,
                First = list[0].Timestamp,
                Last = last.Timestamp,
                MinSize = list.Min(r => r.Size),
                MaxSize = list.Max(r => r.Size),
                MeanSize = (long)Math.Round(list.Average(r => (double)r.Size)),
                LastSize = last.Size,
                LastImageId = last.ImageId,
            };
            if (prev != null) s.PreviousSize = prev.Size;
            var timed = list.Where(r => r.DurationSeconds.HasValue).ToList();
            s.DurationCount = timed.Count;
            if (timed.Count > 0)
            {
                s.MinDurationSeconds = timed.Min(r => r.DurationSeconds!.Value);
                s.MaxDurationSeconds = timed.Max(r => r.DurationSeconds!.Value);
                s.MeanDurationSeconds = Math.Round(timed.Average(r => r.DurationSeconds!.Value), 3);
                s.LastDurationSeconds = timed[^1].DurationSeconds;
                if (timed.Count > 1) s.PreviousDurationSeconds = timed[^2].DurationSeconds;
            }
            result.Add(s);
        }
        return result;
    }
}
