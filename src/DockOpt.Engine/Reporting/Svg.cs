using System.Text;
using static DockOpt.Engine.Reporting.ReportText;

namespace DockOpt.Engine.Reporting;

/// <summary>One bar of a horizontal bar chart; <see cref="Data"/> become data-* attributes of its rect.</summary>
public sealed record Bar(string Label, double Value, string ValueText, string Class, IReadOnlyDictionary<string, string> Data, string? Tooltip = null);

/// <summary>One point of a trend line; <see cref="Data"/> become data-* attributes of its circle.</summary>
public sealed record TrendPoint(DateTime At, double Value, string ValueText, IReadOnlyDictionary<string, string> Data);

/// <summary>Inline SVG charts: no script, no external resources; colours come from the page's CSS classes.</summary>
public static class Svg
{
    const int Width = 640;

    static string Attrs(IReadOnlyDictionary<string, string> data)
    {
        var sb = new StringBuilder();
        foreach (var (k, v) in data) sb.Append(" data-").Append(k).Append("=\"").Append(Html(v)).Append('"');
        return sb.ToString();
    }

    static string Trim(string s, int max) => s.Length <= max ? s : s.Substring(0, max - 1) + "…";

    /// <summary>Horizontal bars, one row each, label on the left and the value at the end of the bar.</summary>
    public static string HorizontalBars(IReadOnlyList<Bar> bars, string ariaLabel, int labelChars = 34)
    {
        const int row = 28, top = 6, labelW = 232, valueW = 92;
        var h = top * 2 + Math.Max(1, bars.Count) * row;
        var max = bars.Count == 0 ? 1 : Math.Max(bars.Max(b => b.Value), 1e-9);
        var area = Width - labelW - valueW;
        var sb = new StringBuilder();
        sb.Append($"<svg class=\"chart-svg\" viewBox=\"0 0 {Width} {h}\" width=\"100%\" role=\"img\" aria-label=\"{Html(ariaLabel)}\" preserveAspectRatio=\"xMinYMin meet\">");
        for (var i = 0; i < bars.Count; i++)
        {
            var b = bars[i];
            var y = top + i * row;
            var w = b.Value <= 0 ? 0 : Math.Max(2, area * b.Value / max);
            sb.Append($"<g class=\"row\"><title>{Html(b.Tooltip ?? b.Label)}: {Html(b.ValueText)}</title>");
            sb.Append($"<rect class=\"track\" x=\"{labelW}\" y=\"{y + 5}\" width=\"{area}\" height=\"{row - 10}\" rx=\"4\"/>");
            sb.Append($"<rect class=\"bar {b.Class}\" x=\"{labelW}\" y=\"{y + 5}\" width=\"{Num(w, "0.#")}\" height=\"{row - 10}\" rx=\"4\"{Attrs(b.Data)}/>");
            sb.Append($"<text class=\"label\" x=\"{labelW - 10}\" y=\"{y + row / 2 + 4}\" text-anchor=\"end\">{Html(Trim(b.Label, labelChars))}</text>");
            sb.Append($"<text class=\"value\" x=\"{Num(labelW + w + 8, "0.#")}\" y=\"{y + row / 2 + 4}\">{Html(b.ValueText)}</text></g>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>One bar split into segments (e.g. test outcomes), with a legend underneath.</summary>
    public static string StackedBar(IReadOnlyList<(string Label, int Count, string Class)> segments, string ariaLabel)
    {
        const int h = 64, barH = 26, pad = 2;
        var total = Math.Max(1, segments.Sum(s => s.Count));
        var sb = new StringBuilder();
        sb.Append($"<svg class=\"chart-svg\" viewBox=\"0 0 {Width} {h}\" width=\"100%\" role=\"img\" aria-label=\"{Html(ariaLabel)}\">");
        sb.Append($"<rect class=\"track\" x=\"0\" y=\"4\" width=\"{Width}\" height=\"{barH}\" rx=\"6\"/>");
        double x = 0;
        foreach (var s in segments)
        {
            var w = Width * (double)s.Count / total;
            sb.Append($"<rect class=\"bar {s.Class}\" x=\"{Num(x, "0.#")}\" y=\"4\" width=\"{Num(Math.Max(0, w - (w > pad ? pad : 0)), "0.#")}\" height=\"{barH}\" rx=\"4\" " +
                      $"data-outcome=\"{Html(s.Label)}\" data-count=\"{Data(s.Count)}\"><title>{Html(s.Label)}: {s.Count}</title></rect>");
            if (w > 28)
                sb.Append($"<text class=\"in-bar\" x=\"{Num(x + w / 2, "0.#")}\" y=\"22\" text-anchor=\"middle\">{s.Count}</text>");
            x += w;
        }
        double lx = 0;
        foreach (var s in segments)
        {
            sb.Append($"<rect class=\"bar {s.Class}\" x=\"{Num(lx, "0.#")}\" y=\"44\" width=\"12\" height=\"12\" rx=\"3\"/>");
            sb.Append($"<text class=\"label\" x=\"{Num(lx + 18, "0.#")}\" y=\"54\">{Html(s.Label)} {s.Count}</text>");
            lx += 40 + (s.Label.Length + s.Count.ToString(Inv).Length) * 7.5;
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>A trend chart: one line per series over time, with gridlines, axis labels and a legend.</summary>
    public static string Trend(IReadOnlyList<(string Series, IReadOnlyList<TrendPoint> Points)> series, Func<double, string> axisFormat, string ariaLabel)
    {
        const int h = 260, left = 76, right = 20, top = 14, bottom = 44;
        var all = series.SelectMany(s => s.Points).ToList();
        var sb = new StringBuilder();
        var legendRows = (series.Count + 1) / 2;
        var totalH = h + legendRows * 20;
        sb.Append($"<svg class=\"chart-svg\" viewBox=\"0 0 {Width} {totalH}\" width=\"100%\" role=\"img\" aria-label=\"{Html(ariaLabel)}\">");
        if (all.Count == 0) { sb.Append("</svg>"); return sb.ToString(); }
        var minT = all.Min(p => p.At).Ticks;
        var maxT = all.Max(p => p.At).Ticks;
        var maxV = all.Max(p => p.Value);
        var minV = 0.0;
        if (maxV <= 0) maxV = 1;
        maxV *= 1.08;
        double X(DateTime t) => maxT == minT ? left + (Width - left - right) / 2.0 : left + (Width - left - right) * (t.Ticks - minT) / (double)(maxT - minT);
        double Y(double v) => top + (h - top - bottom) * (1 - (v - minV) / (maxV - minV));
        for (var i = 0; i <= 4; i++)
        {
            var v = minV + (maxV - minV) * i / 4;
            var y = Y(v);
            sb.Append($"<line class=\"grid\" x1=\"{left}\" x2=\"{Width - right}\" y1=\"{Num(y, "0.#")}\" y2=\"{Num(y, "0.#")}\"/>");
            sb.Append($"<text class=\"axis\" x=\"{left - 8}\" y=\"{Num(y + 4, "0.#")}\" text-anchor=\"end\">{Html(axisFormat(v))}</text>");
        }
        var first = new DateTime(minT, DateTimeKind.Utc);
        var last = new DateTime(maxT, DateTimeKind.Utc);
        var fmt = (last - first).TotalDays >= 2 ? "yyyy-MM-dd" : "MM-dd HH:mm";
        sb.Append($"<text class=\"axis\" x=\"{left}\" y=\"{h - bottom + 18}\">{first.ToString(fmt, Inv)}</text>");
        if (maxT != minT)
            sb.Append($"<text class=\"axis\" x=\"{Width - right}\" y=\"{h - bottom + 18}\" text-anchor=\"end\">{last.ToString(fmt, Inv)}</text>");
        for (var s = 0; s < series.Count; s++)
        {
            var (name, points) = series[s];
            var cls = $"s{s % 6 + 1}";
            var ordered = points.OrderBy(p => p.At).ToList();
            sb.Append($"<g class=\"series {cls}\" data-series=\"{Html(name)}\">");
            if (ordered.Count > 1)
                sb.Append("<polyline class=\"line\" points=\"" + string.Join(" ", ordered.Select(p => $"{Num(X(p.At), "0.#")},{Num(Y(p.Value), "0.#")}")) + "\"/>");
            foreach (var p in ordered)
                sb.Append($"<circle class=\"dot\" cx=\"{Num(X(p.At), "0.#")}\" cy=\"{Num(Y(p.Value), "0.#")}\" r=\"4\"{Attrs(p.Data)}>" +
                          $"<title>{Html(name)} {p.At.ToString("u", Inv)}: {Html(p.ValueText)}</title></circle>");
            sb.Append("</g>");
            var lx = left + (s % 2) * ((Width - left) / 2);
            var ly = h - 8 + (s / 2) * 20;
            sb.Append($"<g class=\"legend {cls}\"><line class=\"line\" x1=\"{lx}\" x2=\"{lx + 18}\" y1=\"{ly - 4}\" y2=\"{ly - 4}\"/>" +
                      $"<text class=\"label\" x=\"{lx + 24}\" y=\"{ly}\">{Html(Trim(name, 40))}</text></g>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>A ring gauge for a 0–100 score.</summary>
    public static string Gauge(int score, string label)
    {
        const double r = 34, c = 2 * Math.PI * r;
        var s = Math.Clamp(score, 0, 100);
        var cls = s >= 80 ? "good" : s >= 50 ? "warn" : "bad";
        return $"<svg class=\"gauge\" viewBox=\"0 0 88 88\" width=\"88\" height=\"88\" role=\"img\" aria-label=\"{Html(label)} {s} of 100\">" +
               $"<circle class=\"track-ring\" cx=\"44\" cy=\"44\" r=\"{r}\"/>" +
               $"<circle class=\"ring {cls}\" cx=\"44\" cy=\"44\" r=\"{r}\" stroke-dasharray=\"{Num(c * s / 100, "0.##")} {Num(c, "0.##")}\" transform=\"rotate(-90 44 44)\" data-score=\"{Data(score)}\"/>" +
               $"<text class=\"gauge-value\" x=\"44\" y=\"50\" text-anchor=\"middle\">{s}</text></svg>";
    }
}
