using DockOpt.Engine.IO;
using System.Globalization;
using System.Text;
using System.Xml;

namespace DockOpt.Engine.Testing;

/// <summary>
/// Writes JUnit XML as Jenkins, Azure Pipelines and GitHub test reporters read it: a &lt;testsuites&gt; root, one
/// &lt;testsuite name tests failures errors skipped time timestamp&gt; per image, one &lt;testcase&gt; per check.
/// </summary>
public static class JUnitReport
{
    public static void Write(string path, IReadOnlyList<ImageTestResult> results, IReadOnlyList<ImageTestSummary> summaries) =>
        AtomicFile.Write(path, stream => Write(stream, results, summaries));

    public static void Write(Stream stream, IReadOnlyList<ImageTestResult> results, IReadOnlyList<ImageTestSummary> summaries)
    {
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) };
        using var w = XmlWriter.Create(stream, settings);
        static string Sec(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        w.WriteStartDocument();
        w.WriteStartElement("testsuites");
        w.WriteAttributeString("name", "Test-DockOptImage");
        w.WriteAttributeString("tests", results.Count.ToString(CultureInfo.InvariantCulture));
        w.WriteAttributeString("failures", results.Count(r => r.Outcome == ImageTestOutcome.Failed).ToString(CultureInfo.InvariantCulture));
        w.WriteAttributeString("errors", results.Count(r => r.Outcome == ImageTestOutcome.Error).ToString(CultureInfo.InvariantCulture));
        w.WriteAttributeString("skipped", results.Count(r => r.Outcome == ImageTestOutcome.Skipped).ToString(CultureInfo.InvariantCulture));
        w.WriteAttributeString("time", Sec(TimeSpan.FromTicks(summaries.Sum(s => s.Duration.Ticks))));
        var groups = results.GroupBy(r => r.Image).ToList();
        foreach (var g in groups)
        {
            var list = g.ToList();
            var summary = summaries.FirstOrDefault(s => s.Image == g.Key);
            w.WriteStartElement("testsuite");
            w.WriteAttributeString("name", g.Key);
            w.WriteAttributeString("tests", list.Count.ToString(CultureInfo.InvariantCulture));
            w.WriteAttributeString("failures", list.Count(r => r.Outcome == ImageTestOutcome.Failed).ToString(CultureInfo.InvariantCulture));
            w.WriteAttributeString("errors", list.Count(r => r.Outcome == ImageTestOutcome.Error).ToString(CultureInfo.InvariantCulture));
            w.WriteAttributeString("skipped", list.Count(r => r.Outcome == ImageTestOutcome.Skipped).ToString(CultureInfo.InvariantCulture));
            w.WriteAttributeString("time", Sec(summary?.Duration ?? TimeSpan.FromTicks(list.Sum(r => r.Duration.Ticks))));
            w.WriteAttributeString("timestamp", (summary?.StartedAt ?? list[0].Timestamp).ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture));
            if (summary != null && summary.ImageId.Length > 0)
            {
                w.WriteStartElement("properties");
                w.WriteStartElement("property");
                w.WriteAttributeString("name", "imageId");
                w.WriteAttributeString("value", summary.ImageId);
                w.WriteEndElement();
                w.WriteEndElement();
            }
            foreach (var r in list)
            {
                w.WriteStartElement("testcase");
                w.WriteAttributeString("classname", $"{g.Key}.{r.Category}");
                w.WriteAttributeString("name", r.Name);
                w.WriteAttributeString("time", Sec(r.Duration));
                var text = $"Expected: {r.Expected}\nActual: {r.Actual}\n{r.Message}" + (r.Detail != null ? "\n" + r.Detail : "");
                switch (r.Outcome)
                {
                    case ImageTestOutcome.Failed:
                        w.WriteStartElement("failure");
                        w.WriteAttributeString("message", Clean(r.Message.Length > 0 ? r.Message : $"expected {r.Expected}, got {r.Actual}"));
                        w.WriteAttributeString("type", r.Category);
                        w.WriteString(Clean(text));
                        w.WriteEndElement();
                        break;
                    case ImageTestOutcome.Error:
                        w.WriteStartElement("error");
                        w.WriteAttributeString("message", Clean(r.Message));
                        w.WriteAttributeString("type", r.Category);
                        w.WriteString(Clean(text));
                        w.WriteEndElement();
                        break;
                    case ImageTestOutcome.Skipped:
                        w.WriteStartElement("skipped");
                        w.WriteAttributeString("message", Clean(r.Message));
                        w.WriteEndElement();
                        break;
                    default:
                        if (r.Actual.Length > 0)
                        {
                            w.WriteStartElement("system-out");
                            w.WriteString(Clean($"Actual: {r.Actual}"));
                            w.WriteEndElement();
                        }
                        break;
                }
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }
        w.WriteEndElement();
        w.WriteEndDocument();
    }

    /// <summary>Drops characters XML 1.0 cannot carry (container logs may hold control characters).</summary>
    static string Clean(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
            if (c is '\t' or '\n' or '\r' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || char.IsSurrogate(c)) sb.Append(c);
        return sb.ToString();
    }
}
