using System.Text;
using DockOpt.Engine.Dockerfiles.Rules;

namespace DockOpt.Engine.Dockerfiles;

/// <summary>Applies safe rewrites (edits inside physical lines) and renders a line diff.</summary>
public static class DockerfileFixer
{
    public static string Apply(string text, IEnumerable<TextEdit> edits, out int applied)
    {
        var bom = text.Length > 0 && text[0] == '\uFEFF';
        var body = bom ? text.Substring(1) : text;
        var lines = SplitKeepingEnds(body);
        applied = 0;
        var ordered = edits.Select((e, i) => (e, i)).ToList();
        foreach (var group in ordered.GroupBy(x => x.e.Line))
        {
            var idx = group.Key - 1;
            if (idx < 0 || idx >= lines.Count) continue;
            var (content, end) = lines[idx];
            var taken = new List<(int Start, int End)>();
            // Right to left; inserts at one column keep their reported order.
            foreach (var (e, _) in group.OrderByDescending(x => x.e.Column).ThenByDescending(x => x.i))
            {
                var start = e.Column - 1;
                if (start < 0 || start + e.Length > content.Length) continue;
                if (taken.Any(t => e.Length > 0 ? start < t.End && start + e.Length > t.Start : start > t.Start && start < t.End)) continue;
                if (e.Length > 0 && taken.Any(t => t.Start >= start && t.Start < start + e.Length)) continue;
                content = content.Substring(0, start) + e.NewText + content.Substring(start + e.Length);
                taken.Add((start, start + e.Length));
                applied++;
            }
            lines[idx] = (content, end);
        }
        var sb = new StringBuilder();
        if (bom) sb.Append('\uFEFF');
        foreach (var (c, e) in lines) sb.Append(c).Append(e);
        return sb.ToString();
    }

    static List<(string Content, string End)> SplitKeepingEnds(string text)
    {
        var list = new List<(string, string)>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                var endLen = i > start && text[i - 1] == '\r' ? 2 : 1;
                list.Add((text.Substring(start, i + 1 - endLen - start), endLen == 2 ? "\r\n" : "\n"));
                start = i + 1;
            }
        }
        if (start < text.Length) list.Add((text.Substring(start), ""));
        return list;
    }

    /// <summary>A unified-style diff of changed lines (the rewrites never add or remove lines).</summary>
    public static string Diff(string path, string before, string after)
    {
        var a = before.Replace("\r\n", "\n").Split('\n');
        var b = after.Replace("\r\n", "\n").Split('\n');
        var sb = new StringBuilder();
        sb.Append("--- ").Append(path).Append('\n').Append("+++ ").Append(path).Append(" (fixed)\n");
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var x = i < a.Length ? a[i] : null;
            var y = i < b.Length ? b[i] : null;
            if (x == y) continue;
            sb.Append("@@ line ").Append(i + 1).Append(" @@\n");
            if (x != null) sb.Append('-').Append(x).Append('\n');
            if (y != null) sb.Append('+').Append(y).Append('\n');
        }
        return sb.ToString();
    }
}
