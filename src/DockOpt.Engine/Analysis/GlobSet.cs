using System.Text.RegularExpressions;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis;

/// <summary>Path globs: <c>*</c> within a path segment, <c>**</c> across segments, <c>?</c> one character. A glob without
/// a leading <c>/</c> matches at any depth.</summary>
public sealed class GlobSet
{
    readonly Regex? _rx;
    GlobSet(Regex? rx) => _rx = rx;

    public static GlobSet Create(IEnumerable<string>? globs)
    {
        var parts = (globs ?? Array.Empty<string>()).Where(g => !string.IsNullOrWhiteSpace(g)).Select(ToRegex).ToList();
        return new GlobSet(parts.Count == 0 ? null : new Regex("^(?:" + string.Join("|", parts) + ")$", RegexOptions.CultureInvariant));
    }

    public bool IsMatch(string path) => _rx != null && _rx.IsMatch(path);

    static string ToRegex(string glob)
    {
        glob = glob.Trim();
        var sb = new System.Text.StringBuilder("/");
        if (glob.StartsWith('/')) glob = glob.TrimStart('/');
        else sb.Append("(?:.*/)?");
        glob = glob.TrimEnd('/');
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                sb.Append(".*");
                i++;
                if (i + 1 < glob.Length && glob[i + 1] == '/') i++;
            }
            else if (c == '*') sb.Append("[^/]*");
            else if (c == '?') sb.Append("[^/]");
            else sb.Append(Regex.Escape(c.ToString()));
        }
        // A directory glob also matches everything below it.
        sb.Append("(?:/.*)?");
        return sb.ToString();
    }
}
