using System.Text;

namespace DockOpt.Engine.Dockerfiles;

/// <summary>
/// Dockerfile word processing (BuildKit shell/lex.go semantics, the subset that matters for linting): quote removal,
/// escapes, <c>$v</c>, <c>${v}</c>, <c>${v:-w}</c>, <c>${v-w}</c>, <c>${v:+w}</c>, <c>${v+w}</c>, <c>${v:?w}</c>, <c>${v?w}</c>.
/// </summary>
public static class VariableExpander
{
    /// <summary>Result of processing a word: the value, whether every variable was known, and the names used.</summary>
    public sealed record Result(string Value, bool Resolved, List<string> Used, List<string> Undefined);

    /// <param name="lookup">Returns (found, value); a found variable may still have an unknown value (null).</param>
    public static Result Process(string word, Func<string, (bool Found, string? Value)> lookup, char escape = '\\', bool removeQuotes = true)
    {
        var x = new Expansion();
        var sb = x.Text;
        var i = 0;
        char quote = '\0';
        while (i < word.Length)
        {
            var c = word[i];
            if (quote == '\'')
            {
                if (c == '\'') { quote = '\0'; if (!removeQuotes) sb.Append(c); }
                else sb.Append(c);
                i++;
                continue;
            }
            if (c == escape && i + 1 < word.Length)
            {
                if (!removeQuotes) sb.Append(c);
                sb.Append(word[i + 1]);
                i += 2;
                continue;
            }
            if (c == '"') { quote = quote == '"' ? '\0' : '"'; if (!removeQuotes) sb.Append(c); i++; continue; }
            if (c == '\'' && quote == '\0') { quote = '\''; if (!removeQuotes) sb.Append(c); i++; continue; }
            if (c == '$' && i + 1 < word.Length && word[i + 1] == '{')
            {
                var close = FindClose(word, i + 2);
                if (close < 0) { sb.Append(word, i, word.Length - i); break; }
                ExpandBraced(word.Substring(i + 2, close - i - 2), lookup, escape, x);
                i = close + 1;
                continue;
            }
            if (c == '$' && i + 1 < word.Length && (char.IsLetter(word[i + 1]) || word[i + 1] == '_'))
            {
                var j = i + 1;
                while (j < word.Length && (char.IsLetterOrDigit(word[j]) || word[j] == '_')) j++;
                var name = word.Substring(i + 1, j - i - 1);
                x.Used.Add(name);
                var (found, value) = lookup(name);
                x.AppendVariable(name, found, value);
                i = j;
                continue;
            }
            sb.Append(c);
            i++;
        }
        return new Result(sb.ToString(), x.Resolved, x.Used, x.Undefined);
    }

    /// <summary>The text, used and undefined names, and resolution state of one expansion in progress.</summary>
    sealed class Expansion
    {
        public StringBuilder Text { get; } = new();
        public List<string> Used { get; } = new();
        public List<string> Undefined { get; } = new();
        public bool Resolved { get; set; } = true;

        /// <summary>Appends a nested expansion (the word of <c>${v:-word}</c>).</summary>
        public void Append(Result r)
        {
            Used.AddRange(r.Used);
            Undefined.AddRange(r.Undefined);
            Resolved &= r.Resolved;
            Text.Append(r.Value);
        }

        /// <summary>Appends a variable's value; an undefined name or an unknown value leaves the result unresolved.</summary>
        public void AppendVariable(string name, bool found, string? value)
        {
            if (!found) { Undefined.Add(name); Resolved = false; }
            else if (value == null) Resolved = false;
            else Text.Append(value);
        }
    }

    /// <summary>
    /// One <c>${…}</c>: <c>${v}</c>, the default forms <c>${v:-w}</c> / <c>${v-w}</c>, the alternative forms
    /// <c>${v:+w}</c> / <c>${v+w}</c>, the required forms <c>${v:?m}</c> / <c>${v?m}</c>; pattern forms (#, %, /) are
    /// never computed and leave the result unresolved.
    /// </summary>
    static void ExpandBraced(string inner, Func<string, (bool Found, string? Value)> lookup, char escape, Expansion x)
    {
        var n = 0;
        while (n < inner.Length && (char.IsLetterOrDigit(inner[n]) || inner[n] == '_')) n++;
        var name = inner.Substring(0, n);
        var op = inner.Substring(n);
        x.Used.Add(name);
        var (found, value) = lookup(name);
        var set = found && !string.IsNullOrEmpty(value);
        if (op.StartsWith(":-") || op.StartsWith("-"))
        {
            var colon = op.StartsWith(":-");
            var useAlt = colon ? !set && (found ? value != null : true) : !found;
            if (found && value == null) x.Resolved = false;
            else if (useAlt) x.Append(Process(op.Substring(colon ? 2 : 1), lookup, escape, true));
            else x.Text.Append(value);
        }
        else if (op.StartsWith(":+") || op.StartsWith("+"))
        {
            var colon = op.StartsWith(":+");
            var useAlt = colon ? set : found;
            if (found && value == null) x.Resolved = false;
            else if (useAlt) x.Append(Process(op.Substring(colon ? 2 : 1), lookup, escape, true));
        }
        else if (op.StartsWith(":?") || op.StartsWith("?"))
            x.AppendVariable(name, found, value);
        else
        {
            if (op.Length > 0) x.Resolved = false; // pattern forms (#, %, /): value not computed
            if (op.Length == 0) x.AppendVariable(name, found, value);
            else if (!found) { x.Undefined.Add(name); x.Resolved = false; }
        }
    }

    static int FindClose(string s, int from)
    {
        var depth = 1;
        for (var k = from; k < s.Length; k++)
        {
            if (s[k] == '{') depth++;
            else if (s[k] == '}' && --depth == 0) return k;
        }
        return -1;
    }

    /// <summary>Splits <c>k=v k2="v 2"</c> (or the legacy <c>k v</c>) into raw pairs; values keep their quotes.</summary>
    public static List<(string Key, string RawValue, bool HasEquals, Word Word)> KeyValues(string args, bool legacyAllowed)
    {
        var words = DockerfileParser.Words(args).ToList();
        var list = new List<(string, string, bool, Word)>();
        if (words.Count == 0) return list;
        if (legacyAllowed && !words[0].Raw.Contains('='))
        {
            var rest = args.Substring(words[0].End).Trim();
            list.Add((words[0].Value, rest, false, words[0]));
            return list;
        }
        foreach (var w in words)
        {
            var eq = w.Raw.IndexOf('=');
            if (eq < 0) list.Add((w.Value, "", false, w));
            else list.Add((w.Raw.Substring(0, eq).Trim('"'), w.Raw.Substring(eq + 1), true, w));
        }
        return list;
    }
}
