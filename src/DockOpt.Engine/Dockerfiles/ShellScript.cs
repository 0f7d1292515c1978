using System.Text;

namespace DockOpt.Engine.Dockerfiles;

/// <summary>A light shell splitter: commands separated by &amp;&amp;, ||, ;, |, &amp; and newlines.</summary>
public static class ShellScript
{
    public static List<ShellCommand> Parse(MappedText src)
    {
        var s = src.Text;
        var result = new List<ShellCommand>();
        var cur = new ShellCommand { Source = src };
        var pendingSep = "";
        var i = 0;
        void Flush(string sep)
        {
            if (cur.Words.Count > 0)
            {
                cur.Before = pendingSep;
                cur.After = sep;
                result.Add(cur);
                pendingSep = sep;
            }
            else
            {
                if (sep.Length > 0) pendingSep = sep;
                return; // nothing was added: the empty command is reused
            }
            cur = new ShellCommand { Source = src };
        }
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '\\' && i + 1 < s.Length && s[i + 1] == '\n') { i += 2; continue; }
            if (c is ' ' or '\t' or '\r') { i++; continue; }
            if (c == '#' && (i == 0 || char.IsWhiteSpace(s[i - 1])))
            {
                while (i < s.Length && s[i] != '\n') i++;
                continue;
            }
            if (c == '\n') { Flush("\n"); i++; continue; }
            if (c == '&' && i + 1 < s.Length && s[i + 1] == '&') { Flush("&&"); i += 2; continue; }
            if (c == '|' && i + 1 < s.Length && s[i + 1] == '|') { Flush("||"); i += 2; continue; }
            if (c == '|') { Flush("|"); i++; continue; }
            if (c == ';') { Flush(";"); i++; continue; }
            if (c == '&' && (i + 1 >= s.Length || s[i + 1] != '>')) { Flush("&"); i++; continue; }
            if (c is '(' or ')' or '{' or '}' && (i + 1 >= s.Length || char.IsWhiteSpace(s[i + 1]) || c is '(' or ')'))
            {
                Flush(";"); i++; continue;
            }
            // A word.
            var start = i;
            var w = ReadWord(s, ref i);
            if (i == start) { i++; continue; }
            cur.Words.Add(w);
        }
        Flush("");
        return result;
    }

    /// <summary>
    /// One word from <paramref name="i"/>: its raw text and its value with quotes and escapes removed. A word without
    /// quotes, escapes or <c>$(</c> (most words) is its own value: one string, no builder.
    /// </summary>
    static Word ReadWord(string s, ref int i)
    {
        var start = i;
        StringBuilder? sb = null;
        char quote = '\0';
        var depth = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (quote == '\'') { if (c == '\'') quote = '\0'; else sb!.Append(c); i++; continue; }
            if (quote == '"')
            {
                if (c == '"') { quote = '\0'; i++; continue; }
                if (c == '\\' && i + 1 < s.Length) { sb!.Append(s[i + 1]); i += 2; continue; }
                sb!.Append(c); i++; continue;
            }
            if (depth > 0)
            {
                if (c == '(') depth++;
                else if (c == ')') depth--;
                sb?.Append(c); i++; continue;
            }
            if (c == '\\' && i + 1 < s.Length) { sb ??= Builder(s, start, i); if (s[i + 1] != '\n') sb.Append(s[i + 1]); i += 2; continue; }
            if (char.IsWhiteSpace(c) || c is ';' or '|' or ')' || (c == '&' && !(i > start && s[i - 1] == '>'))) break;
            if (c == '$' && i + 1 < s.Length && s[i + 1] == '(') { depth = 1; sb?.Append("$("); i += 2; continue; }
            if (c is '\'' or '"') { sb ??= Builder(s, start, i); quote = c; i++; continue; }
            sb?.Append(c); i++;
        }
        var raw = s.Substring(start, i - start);
        return new Word(start, i, raw, sb?.ToString() ?? raw);
    }

    static StringBuilder Builder(string s, int start, int end) => new StringBuilder(end - start + 16).Append(s, start, end - start);
}
