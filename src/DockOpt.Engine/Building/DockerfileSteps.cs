namespace DockOpt.Engine.Building;

/// <summary>
/// The instructions of a Dockerfile in order with their first line, as the classic builder numbers its steps
/// (Step N is the N-th instruction, counting ARGs before the first FROM): enough to point a failing step at its line.
/// </summary>
public static class DockerfileSteps
{
    public readonly record struct Instruction(int Line, string Keyword);

    public static IReadOnlyList<Instruction> Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var escape = '\\';
        var i = 0;
        // Parser directives: only at the very top, as '# name=value' comments.
        for (; i < lines.Length; i++)
        {
            var t = lines[i].Trim();
            if (!t.StartsWith('#')) break;
            var body = t.TrimStart('#').Trim();
            var eq = body.IndexOf('=');
            if (eq <= 0) break;
            var name = body.Substring(0, eq).Trim().ToLowerInvariant();
            var value = body.Substring(eq + 1).Trim();
            if (name == "escape" && value.Length == 1) escape = value[0];
            else if (name != "syntax" && name != "check") break;
        }
        var result = new List<Instruction>();
        for (i = 0; i < lines.Length; i++)
        {
            var t = lines[i].Trim();
            if (t.Length == 0 || t.StartsWith('#')) continue;
            var keyword = t.Split(new[] { ' ', '\t' }, 2)[0].ToUpperInvariant();
            result.Add(new Instruction(i + 1, keyword));
            var current = lines[i].TrimEnd();
            while (current.EndsWith(escape) && i + 1 < lines.Length)
            {
                i++;
                var next = lines[i].Trim();
                while ((next.Length == 0 || next.StartsWith('#')) && i + 1 < lines.Length)
                {
                    i++;
                    next = lines[i].Trim();
                }
                current = lines[i].TrimEnd();
            }
        }
        return result;
    }
}
