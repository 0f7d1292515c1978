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
        foreach (var group in edits.GroupBy(e => e.Line))
        {
            var idx = group.Key - 1;
            if (idx < 0 || idx >= lines.Count) continue;
            var (content, end) = lines[idx];
            var taken = new List<(int Start, int End)>();
            foreach (var e in group.OrderByDescending(e => e.Column).ThenByDescending(e => e.Length))
            {
                var start = e.Column - 1;
                if (start < 0 || start + e.Length > content.Length) continue;
                if (taken.Any(t => start < t.End && start + Math.Max(e.Length, 1) > t.Start && !(e.Length == 0 && t.End - t.Start == 0 && start != t.Start))) continue;
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
