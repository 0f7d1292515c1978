namespace DockOpt.Engine.Dockerfiles.Rules.Security;

/// <summary>
/// An SPDX license expression: known license ids (or LicenseRef-…/DocumentRef-…), an optional '+', joined by AND, OR
/// and WITH (an exception id), with parentheses. The ids are the SPDX License List shipped in SpdxIds.txt.
/// </summary>
internal static class SpdxExpression
{
    static readonly Lazy<HashSet<string>> Ids = new(() =>
    {
        using var stream = typeof(SpdxExpression).Assembly.GetManifestResourceStream("DockOpt.Engine.SpdxIds.txt")
            ?? throw new InvalidOperationException("The SPDX id list is not embedded in the engine.");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.ReadLine() is { } line)
            if (line.Length > 0 && !line.StartsWith('#')) set.Add(line.Trim());
        return set;
    });

    public static bool IsValid(string expression)
    {
        var tokens = expression.Replace("(", " ( ").Replace(")", " ) ").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var depth = 0;
        var expectId = true;
        foreach (var t in tokens)
        {
            if (t == "(" && expectId) { depth++; continue; }
            if (t == ")" && !expectId && depth > 0) { depth--; continue; }
            if (expectId)
            {
                if (!IsId(t)) return false;
                expectId = false;
            }
            else if (t is "AND" or "OR" or "WITH" or "and" or "or" or "with") expectId = true;
            else return false;
        }
        return !expectId && depth == 0;
    }

    static bool IsId(string t) =>
        t.StartsWith("LicenseRef-", StringComparison.Ordinal) || t.StartsWith("DocumentRef-", StringComparison.Ordinal) || Ids.Value.Contains(t.TrimEnd('+'));
}
