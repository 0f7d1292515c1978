using System.Globalization;
using System.Net;
using System.Text;

namespace DockOpt.Engine.Reporting;

/// <summary>Number and text formatting shared by the HTML and markdown renderers (invariant culture throughout).</summary>
public static class ReportText
{
    public static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Bytes(long bytes) => ByteSize.Format(bytes);

    public static string Num(double d, string format = "0.##") => d.ToString(format, Inv);

    /// <summary>A number as a data-* attribute value: integers as integers, doubles round-trippable.</summary>
    public static string Data(long n) => n.ToString(Inv);
    public static string Data(int n) => n.ToString(Inv);
    public static string Data(double d) => d.ToString("R", Inv);

    public static string Seconds(double s) => s < 60 ? $"{Num(s, "0.0")} s" : $"{(int)(s / 60)} m {Num(s % 60, "0")} s";

    public static string Html(string? s) => WebUtility.HtmlEncode(s ?? "");

    /// <summary>Text for one markdown table cell: no line breaks, pipes and backslashes escaped, HTML tags neutralised.</summary>
    public static string Md(string? s, int max = 160)
    {
        if (string.IsNullOrEmpty(s)) return "";
        var t = s.Replace("\r\n", " ").Replace('\r', ' ').Replace('\n', ' ').Trim();
        if (t.Length > max) t = t.Substring(0, max - 1) + "…";
        var sb = new StringBuilder(t.Length + 8);
        foreach (var c in t)
        {
            switch (c)
            {
                case '|': sb.Append("\\|"); break;
                case '\\': sb.Append("\\\\"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '`': sb.Append("\\`"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Inline code in markdown, safe whatever backticks the text holds.</summary>
    public static string MdCode(string? s, int max = 120)
    {
        if (string.IsNullOrEmpty(s)) return "";
        var t = s.Replace("\r", " ").Replace('\n', ' ').Trim();
        if (t.Length > max) t = t.Substring(0, max - 1) + "…";
        t = t.Replace("|", "\\|");
        var fence = t.Contains('`') ? "`` " : "`";
        var close = t.Contains('`') ? " ``" : "`";
        return fence + t + close;
    }

    public static string Short(string? id) =>
        string.IsNullOrEmpty(id) ? "" : id.StartsWith("sha256:", StringComparison.Ordinal) && id.Length >= 19 ? id.Substring(7, 12) : id;

    public static string Signed(double percent) => (percent > 0 ? "−" : percent < 0 ? "+" : "") + Num(Math.Abs(percent), "0.#") + " %";
}
