using System.Text;

namespace DockOpt.Engine.Dockerfiles;

/// <summary>One simple command of a shell script, its words mapped to physical positions.</summary>
public sealed class ShellCommand
{
    public List<Word> Words { get; } = new();
    public MappedText Source { get; init; } = null!;
    /// <summary>Separator before this command ("", "&amp;&amp;", "||", ";", "|", "\n").</summary>
    public string Before { get; set; } = "";
    public string After { get; set; } = "";
    public bool InPipeline => Before == "|" || After == "|";

    /// <summary>Index of the program word after assignments and wrappers (sudo, env, nice…).</summary>
    public int ProgramIndex
    {
        get
        {
            var i = 0;
            while (i < Words.Count)
            {
                var v = Words[i].Value;
                if (v.Contains('=') && !v.StartsWith('-') && !v.StartsWith('=') && char.IsLetter(v[0]) && v.IndexOf('=') > 0 && v.Substring(0, v.IndexOf('=')).All(c => char.IsLetterOrDigit(c) || c == '_')) { i++; continue; }
                if (v is "sudo" or "env" or "nice" or "nohup" or "time" or "exec" or "command" or "gosu") { i++; while (i < Words.Count && Words[i].Value.StartsWith('-')) i++; continue; }
                if (v is "then" or "do" or "else" or "elif" or "if" or "while" or "until" or "!") { i++; continue; } // shell keywords before a command
                break;
            }
            return i;
        }
    }

    /// <summary>Program name (basename), or "".</summary>
    public string Program
    {
        get
        {
            var i = ProgramIndex;
            if (i >= Words.Count) return "";
            var v = Words[i].Value;
            var slash = v.LastIndexOf('/');
            return slash >= 0 ? v.Substring(slash + 1) : v;
        }
    }

    public IEnumerable<Word> Args => Words.Skip(ProgramIndex + 1);
    public bool HasWord(string w) => Words.Any(x => x.Value == w);
    public bool HasArg(params string[] any) => Args.Any(x => any.Contains(x.Value));
    /// <summary>Short or long option present (handles combined short options such as -qy).</summary>
    public bool HasOption(char shortOpt, params string[] longOpts) =>
        Args.Any(x => longOpts.Contains(x.Value) || longOpts.Any(l => x.Value.StartsWith(l + "=", StringComparison.Ordinal))
            || (shortOpt != '\0' && x.Value.Length > 1 && x.Value[0] == '-' && x.Value[1] != '-' && x.Value.IndexOf(shortOpt, 1) > 0));

    /// <summary>The first non-option argument after the program (a subcommand such as install).</summary>
    public Word? Subcommand(params string[] names)
    {
        foreach (var w in Args)
            if (names.Contains(w.Value)) return w;
        return null;
    }

    public SourceRange Range => Words.Count == 0 ? Source.RangeOf(0, 0) : Source.RangeOf(Words[0].Start, Words[^1].End);
    public SourceRange RangeOfWord(Word w) => Source.RangeOf(w.Start, w.End);
    public string Text => Words.Count == 0 ? "" : Source.Text.Substring(Words[0].Start, Words[^1].End - Words[0].Start);
    public override string ToString() => Text;
}

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
            else if (sep.Length > 0) pendingSep = sep;
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
            var sb = new StringBuilder();
            char quote = '\0';
            var depth = 0;
            while (i < s.Length)
            {
                c = s[i];
                if (quote == '\'') { if (c == '\'') quote = '\0'; else sb.Append(c); i++; continue; }
                if (quote == '"')
                {
                    if (c == '"') { quote = '\0'; i++; continue; }
                    if (c == '\\' && i + 1 < s.Length) { sb.Append(s[i + 1]); i += 2; continue; }
                    sb.Append(c); i++; continue;
                }
                if (depth > 0)
                {
                    if (c == '(') depth++;
                    else if (c == ')') depth--;
                    sb.Append(c); i++; continue;
                }
                if (c == '\\' && i + 1 < s.Length) { if (s[i + 1] != '\n') sb.Append(s[i + 1]); i += 2; continue; }
                if (char.IsWhiteSpace(c) || c is ';' or '|' or ')' || (c == '&' && !(i > start && s[i - 1] == '>'))) break;
                if (c == '$' && i + 1 < s.Length && s[i + 1] == '(') { depth = 1; sb.Append("$("); i += 2; continue; }
                if (c is '\'' or '"') { quote = c; i++; continue; }
                sb.Append(c); i++;
            }
            if (i == start) { i++; continue; }
            cur.Words.Add(new Word(start, i, s.Substring(start, i - start), sb.ToString()));
        }
        Flush("");
        return result;
    }
}
