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
        var used = new List<string>();
        var undefined = new List<string>();
        var resolved = true;
        var sb = new StringBuilder();
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
            if (c == '$' && i + 1 < word.Length)
            {
                if (word[i + 1] == '{')
                {
                    var close = FindClose(word, i + 2);
                    if (close < 0) { sb.Append(word, i, word.Length - i); break; }
                    var inner = word.Substring(i + 2, close - i - 2);
                    var n = 0;
                    while (n < inner.Length && (char.IsLetterOrDigit(inner[n]) || inner[n] == '_')) n++;
                    var name = inner.Substring(0, n);
                    var op = inner.Substring(n);
                    used.Add(name);
                    var (found, value) = lookup(name);
                    var set = found && !string.IsNullOrEmpty(value);
                    if (op.StartsWith(":-") || op.StartsWith("-"))
                    {
                        var alt = op.StartsWith(":-") ? op.Substring(2) : op.Substring(1);
                        var useAlt = op.StartsWith(":-") ? !set && (found ? value != null : true) : !found;
                        if (found && value == null) { resolved = false; }
                        else if (useAlt)
                        {
                            var r = Process(alt, lookup, escape, true);
                            used.AddRange(r.Used); undefined.AddRange(r.Undefined); resolved &= r.Resolved;
                            sb.Append(r.Value);
                        }
                        else sb.Append(value);
                    }
                    else if (op.StartsWith(":+") || op.StartsWith("+"))
                    {
                        var alt = op.StartsWith(":+") ? op.Substring(2) : op.Substring(1);
                        var useAlt = op.StartsWith(":+") ? set : found;
                        if (found && value == null) resolved = false;
                        else if (useAlt)
                        {
                            var r = Process(alt, lookup, escape, true);
                            used.AddRange(r.Used); undefined.AddRange(r.Undefined); resolved &= r.Resolved;
                            sb.Append(r.Value);
                        }
                    }
                    else if (op.StartsWith(":?") || op.StartsWith("?"))
                    {
                        if (!found) { undefined.Add(name); resolved = false; }
                        else if (value == null) resolved = false;
                        else sb.Append(value);
                    }
                    else
                    {
                        if (op.Length > 0) resolved = false; // pattern forms (#, %, /): value not computed
                        if (!found) { undefined.Add(name); resolved = false; }
                        else if (value == null) resolved = false;
                        else if (op.Length == 0) sb.Append(value);
                    }
                    i = close + 1;
                    continue;
                }
                if (char.IsLetter(word[i + 1]) || word[i + 1] == '_')
                {
                    var j = i + 1;
                    while (j < word.Length && (char.IsLetterOrDigit(word[j]) || word[j] == '_')) j++;
                    var name = word.Substring(i + 1, j - i - 1);
                    used.Add(name);
                    var (found, value) = lookup(name);
                    if (!found) { undefined.Add(name); resolved = false; }
                    else if (value == null) resolved = false;
                    else sb.Append(value);
                    i = j;
                    continue;
                }
            }
            sb.Append(c);
            i++;
        }
        return new Result(sb.ToString(), resolved, used, undefined);
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
