using System.Text;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.Building;

/// <summary>Go's <c>path.Clean</c> for slash-separated paths (lexical: removes ., .., double and trailing slashes).</summary>
public static class GoPath
{
    public static string Clean(string path)
    {
        if (path.Length == 0) return ".";
        var rooted = path[0] == '/';
        var parts = new List<string>();
        var dotdot = 0; // number of leading ".." kept (unrooted only)
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (part == "..")
            {
                if (parts.Count > dotdot) parts.RemoveAt(parts.Count - 1);
                else if (!rooted)
                {
                    parts.Add("..");
                    dotdot++;
                }
                continue;
            }
            parts.Add(part);
        }
        var joined = string.Join('/', parts);
        if (rooted) return "/" + joined;
        return joined.Length == 0 ? "." : joined;
    }

    /// <summary>Go's <c>path.Dir</c>.</summary>
    public static string Dir(string path)
    {
        var i = path.LastIndexOf('/');
        return Clean(i < 0 ? "" : path.Substring(0, i + 1));
    }
}

/// <summary>Reads a .dockerignore file the way the docker CLI does (moby/patternmatcher ignorefile.ReadAll).</summary>
public static class DockerIgnoreFile
{
    /// <summary>
    /// One pattern per line; a line starting with '#' is a comment (checked before trimming); blank lines are skipped;
    /// a leading '!' marks an exception; each pattern is cleaned (., .., duplicate and trailing slashes) and a
    /// leading '/' is dropped (patterns are relative to the context root).
    /// </summary>
    public static List<string> Parse(string text)
    {
        var result = new List<string>();
        if (text.Length > 0 && text[0] == '\uFEFF') text = text.Substring(1);
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.EndsWith('\r') ? rawLine.Substring(0, rawLine.Length - 1) : rawLine;
            if (line.StartsWith('#')) continue;
            var pattern = TrimGo(line);
            if (pattern.Length == 0) continue;
            var invert = pattern[0] == '!';
            if (invert) pattern = TrimGo(pattern.Substring(1));
            if (pattern.Length > 0)
            {
                pattern = GoPath.Clean(Path.DirectorySeparatorChar == '\\' ? pattern.Replace('\\', '/') : pattern);
                if (pattern.Length > 1 && pattern[0] == '/') pattern = pattern.Substring(1);
            }
            if (invert) pattern = "!" + pattern;
            result.Add(pattern);
        }
        return result;
    }

    public static List<string> Read(string path)
    {
        var bytes = Dockerfiles.SourceFile.ReadBytes(path, ".dockerignore");
        return Parse(new UTF8Encoding(false, false).GetString(bytes));
    }

    /// <summary>strings.TrimSpace: ASCII and Unicode white space.</summary>
    internal static string TrimGo(string s) => s.Trim();
}

/// <summary>
/// The docker CLI's .dockerignore matcher (moby/patternmatcher semantics): patterns apply in order, the last one that
/// matches decides; '!' patterns re-include; '*' and '?' never cross '/'; '**' matches any number of directories;
/// a pattern matching a directory excludes everything below it.
/// </summary>
public sealed class PatternMatcher
{
    readonly List<Pattern> _patterns = new();

    public PatternMatcher(IEnumerable<string> patterns)
    {
        foreach (var raw in patterns)
        {
            var p = raw.Trim();
            if (p.Length == 0) continue;
            p = GoPath.Clean(p);
            var exclusion = false;
            if (p[0] == '!')
            {
                if (p.Length == 1) throw new FormatException("illegal exclusion pattern: \"!\"");
                exclusion = true;
                p = p.Substring(1);
                HasExclusions = true;
            }
            if (!GlobSyntax.IsValid(p)) throw new FormatException($"syntax error in pattern: \"{raw}\"");
            _patterns.Add(new Pattern(p, exclusion));
        }
    }

    public IReadOnlyList<Pattern> Patterns => _patterns;

    /// <summary>Whether any pattern is an exception ('!').</summary>
    public bool HasExclusions { get; }

    /// <summary>
    /// MatchesUsingParentResults: whether <paramref name="file"/> is excluded, given the per-pattern results of its
    /// parent directory (null for a top-level entry, or when unknown: then every parent prefix is tried).
    /// </summary>
    public bool Matches(string file, bool[]? parentMatched, out bool[] matchInfo)
    {
        matchInfo = new bool[_patterns.Count];
        return Matches(file, parentMatched, matchInfo);
    }

    /// <summary>
    /// <see cref="Matches(string, bool[], out bool[])"/> into a caller's array of <see cref="Patterns"/>.Count results
    /// (a walk reuses one for the files and keeps a copy only for the directories it enters).
    /// </summary>
    public bool Matches(string file, bool[]? parentMatched, bool[] matchInfo)
    {
        var matched = false;
        Array.Clear(matchInfo); // a pattern skipped below leaves its slot false
        for (var i = 0; i < _patterns.Count; i++)
        {
            var pattern = _patterns[i];
            var match = parentMatched != null && parentMatched[i];
            if (!match)
            {
                if (pattern.Exclusion != matched) continue;
                match = pattern.Match(file);
                if (!match && parentMatched == null)
                {
                    var parent = GoPath.Dir(file);
                    if (parent != ".")
                    {
                        var dirs = parent.Split('/');
                        for (var k = 0; k < dirs.Length && !match; k++)
                            match = pattern.Match(string.Join('/', dirs, 0, k + 1));
                    }
                }
            }
            matchInfo[i] = match;
            if (match) matched = !pattern.Exclusion;
        }
        return matched;
    }

    /// <summary>MatchesOrParentMatches: the file or any of its parent directories.</summary>
    public bool MatchesOrParentMatches(string file) => Matches(file, null, out _);

    /// <summary>
    /// The deprecated single-parent <c>patternmatcher.Matches(file, patterns)</c> the CLI still uses to decide whether
    /// the Dockerfile and .dockerignore must be re-included. Kept because parity with the CLI needs its quirks.
    /// </summary>
    public static bool LegacyMatches(string file, IEnumerable<string> patterns)
    {
        var pm = new PatternMatcher(patterns);
        file = GoPath.Clean(file);
        if (file == ".") return false;
        var matched = false;
        var parentPath = GoPath.Dir(file);
        var parentDirs = parentPath.Split('/');
        foreach (var pattern in pm._patterns)
        {
            if (pattern.Exclusion != matched) continue;
            var match = pattern.Match(file);
            if (!match && parentPath != "." && pattern.Dirs.Length <= parentDirs.Length)
                match = pattern.Match(string.Join('/', parentDirs, 0, pattern.Dirs.Length));
            if (match) matched = !pattern.Exclusion;
        }
        return matched;
    }

    /// <summary>One cleaned pattern.</summary>
    public sealed class Pattern
    {
        enum Kind { Exact, Prefix, Suffix, Regex }

        readonly Kind _kind;
        readonly Regex? _regex;

        // Necessary conditions checked before the regex (most paths fail them), and whether they are also sufficient.
        readonly string _literalPrefix = "", _literalSuffix = "";
        readonly bool _suffixDecides;

        internal Pattern(string cleaned, bool exclusion)
        {
            Text = cleaned;
            Exclusion = exclusion;
            Dirs = cleaned.Split('/');
            (_kind, _regex) = Compile(cleaned);
            if (_kind == Kind.Regex) (_literalPrefix, _literalSuffix, _suffixDecides) = Literals(cleaned);
        }

        static readonly char[] Meta = { '*', '?', '[', ']', '\\' };

        /// <summary>
        /// The literal text before the first and after the last wildcard (a match must start and end with them), and
        /// whether the pattern is <c>**/*LITERAL</c>, whose regex <c>^(.*/)?[^/]*LITERAL\z</c> matches exactly the paths
        /// that end with LITERAL (its head matches any string).
        /// </summary>
        static (string Prefix, string Suffix, bool SuffixDecides) Literals(string p)
        {
            var first = p.IndexOfAny(Meta);
            var last = p.LastIndexOfAny(Meta);
            if (first < 0) return ("", "", false);
            var suffixStart = p[last] == '\\' ? last + 2 : last + 1; // an escaped character is not taken as literal here
            var suffix = suffixStart < p.Length ? p.Substring(suffixStart) : "";
            var decides = p.StartsWith("**/*", StringComparison.Ordinal) && p.Length >= 4 && p.IndexOfAny(Meta, 4) < 0;
            return (p.Substring(0, first), suffix, decides);
        }

        /// <summary>The cleaned pattern without its '!'.</summary>
        public string Text { get; }
        public bool Exclusion { get; }
        internal string[] Dirs { get; }

        public override string ToString() => (Exclusion ? "!" : "") + Text;

        public bool Match(string path) => _kind switch
        {
            Kind.Exact => path == Text,
            Kind.Prefix => path.StartsWith(Text.Substring(0, Text.Length - 2), StringComparison.Ordinal),
            Kind.Suffix => MatchSuffix(path),
            _ => MatchRegex(path),
        };

        bool MatchRegex(string path)
        {
            if (!path.StartsWith(_literalPrefix, StringComparison.Ordinal) || !path.EndsWith(_literalSuffix, StringComparison.Ordinal)) return false;
            return _suffixDecides || _regex!.IsMatch(path);
        }

        bool MatchSuffix(string path)
        {
            var suffix = Text.Substring(2);
            if (path.EndsWith(suffix, StringComparison.Ordinal)) return true;
            return suffix.Length > 0 && suffix[0] == '/' && path == suffix.Substring(1);
        }

        static (Kind, Regex?) Compile(string pattern)
        {
            var sb = new StringBuilder("^");
            var kind = Kind.Exact;
            var runes = pattern.EnumerateRunes().Select(r => r.ToString()).ToList();
            var pos = 0;
            string? Peek() => pos < runes.Count ? runes[pos] : null;
            string Next() => runes[pos++];
            for (var i = 0; Peek() != null; i++)
            {
                var ch = Next();
                if (ch == "*")
                {
                    if (Peek() == "*")
                    {
                        Next();
                        if (Peek() == "/") Next();
                        if (Peek() == null)
                        {
                            if (kind == Kind.Exact) kind = Kind.Prefix;
                            else
                            {
                                sb.Append(".*");
                                kind = Kind.Regex;
                            }
                        }
                        else
                        {
                            sb.Append("(.*/)?");
                            kind = Kind.Regex;
                        }
                        if (i == 0) kind = Kind.Suffix;
                    }
                    else
                    {
                        sb.Append("[^/]*");
                        kind = Kind.Regex;
                    }
                }
                else if (ch == "?")
                {
                    sb.Append("[^/]");
                    kind = Kind.Regex;
                }
                else if (ch.Length == 1 && ".+()|{}$".Contains(ch[0]))
                {
                    sb.Append('\\').Append(ch);
                }
                else if (ch == "\\")
                {
                    if (Peek() != null)
                    {
                        sb.Append('\\').Append(Next());
                        kind = Kind.Regex;
                    }
                    else sb.Append('\\');
                }
                else if (ch == "[" || ch == "]")
                {
                    sb.Append(ch);
                    kind = Kind.Regex;
                }
                else sb.Append(ch);
            }
            if (kind != Kind.Regex) return (kind, null);
            sb.Append("\\z"); // Go's '$': the very end (.NET's '$' also matches before a final newline)
            try
            {
                return (kind, new Regex(sb.ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline));
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"syntax error in pattern: \"{pattern}\": {e.Message}");
            }
        }
    }
}

/// <summary>The syntax check Go's filepath.Match applies to a pattern (unclosed '[', bad ranges, trailing '\').</summary>
static class GlobSyntax
{
    public static bool IsValid(string p)
    {
        var i = 0;
        while (i < p.Length)
        {
            var c = p[i];
            if (c == '\\')
            {
                if (i + 1 >= p.Length) return false;
                i += 2;
                continue;
            }
            if (c != '[')
            {
                i++;
                continue;
            }
            i++;
            if (i < p.Length && p[i] == '^') i++;
            var n = 0;
            while (true)
            {
                if (i < p.Length && p[i] == ']' && n > 0)
                {
                    i++;
                    break;
                }
                if (!Esc(p, ref i)) return false;
                if (i < p.Length && p[i] == '-')
                {
                    i++;
                    if (!Esc(p, ref i)) return false;
                }
                n++;
            }
        }
        return true;
    }

    static bool Esc(string p, ref int i)
    {
        if (i >= p.Length || p[i] == '-' || p[i] == ']') return false;
        if (p[i] == '\\')
        {
            i++;
            if (i >= p.Length) return false;
        }
        i += char.IsHighSurrogate(p[i]) && i + 1 < p.Length ? 2 : 1;
        return i < p.Length;
    }
}
