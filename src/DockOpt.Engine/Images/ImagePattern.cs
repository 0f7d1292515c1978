using System.Text.RegularExpressions;

namespace DockOpt.Engine.Images;

/// <summary>
/// PowerShell wildcard patterns over image names (<c>app*</c>, <c>*:latest</c>, <c>sha256:ab*</c>). Patterns are not references,
/// so they are split by layout only (<see cref="ImageReference.SplitPattern"/>); real names go through <see cref="ImageReference"/>.
/// </summary>
public static class ImagePattern
{
    public static bool HasWildcard(string s) => s.IndexOfAny(new[] { '*', '?', '[' }) >= 0;

    /// <summary>PowerShell-style wildcard (<c>*</c>, <c>?</c>, <c>[abc]</c>), case-insensitive, whole string.</summary>
    public static Regex WildcardToRegex(string pattern)
    {
        var sb = new System.Text.StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*': sb.Append(".*"); break;
                case '?': sb.Append('.'); break;
                case '[':
                    var end = pattern.IndexOf(']', i + 1);
                    if (end > i + 1)
                    {
                        sb.Append('[').Append(pattern.Substring(i + 1, end - i - 1).Replace("\\", "\\\\")).Append(']');
                        i = end;
                    }
                    else sb.Append("\\[");
                    break;
                case '`' when i + 1 < pattern.Length:
                    sb.Append(Regex.Escape(pattern[++i].ToString()));
                    break;
                default: sb.Append(Regex.Escape(c.ToString())); break;
            }
        }
        sb.Append('$');
        return new Regex(sb.ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }

    /// <summary>
    /// Whether a pattern (with wildcards) selects an image: against each <c>repo:tag</c>, against the repository when the
    /// pattern names no tag, against the ID (with or without <c>sha256:</c>) and against each <c>repo@digest</c>.
    /// </summary>
    public static bool Matches(string pattern, string id, IEnumerable<string> repoTags, IEnumerable<string> repoDigests) =>
        Matches(WildcardToRegex(pattern), ImageReference.SplitPattern(pattern).Tag != null, id, repoTags, repoDigests);

    /// <summary><see cref="Matches(string,string,IEnumerable{string},IEnumerable{string})"/> with the pattern compiled once by the caller.</summary>
    public static bool Matches(Regex rx, bool patternHasTag, string id, IEnumerable<string> repoTags, IEnumerable<string> repoDigests)
    {
        foreach (var t in repoTags)
        {
            if (rx.IsMatch(t)) return true;
            if (!patternHasTag && rx.IsMatch(ImageReference.SplitPattern(t).Repository)) return true;
        }
        if (rx.IsMatch(id)) return true;
        if (id.StartsWith("sha256:", StringComparison.Ordinal) && rx.IsMatch(id.Substring(7))) return true;
        foreach (var d in repoDigests)
            if (rx.IsMatch(d)) return true;
        return false;
    }
}
