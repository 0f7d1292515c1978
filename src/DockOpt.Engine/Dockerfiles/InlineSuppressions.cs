using System.Text.RegularExpressions;
using DockOpt.Engine.Dockerfiles.Rules;

namespace DockOpt.Engine.Dockerfiles;

/// <summary>
/// The ignores written in the file: <c># hadolint ignore=…</c> / <c># dockopt ignore=…</c> for the next instruction,
/// <c>global ignore=</c> for the file, <c>stage ignore=</c> above a FROM for its stage, and the BuildKit
/// <c># check=skip=…</c> directive (<c>skip=all</c> drops every rule that maps to a build check).
/// </summary>
internal sealed class InlineSuppressions
{
    /// <summary>Tool (hadolint or dockopt), optional scope (global or stage), and the comma-separated ids.</summary>
    static readonly Regex IgnorePragma = new(
        @"^#\s*(?<tool>hadolint|dockopt)\s+(?:(?<scope>global|stage)\s+)?ignore\s*=\s*(?<ids>[A-Za-z0-9_\-]+(?:\s*,\s*[A-Za-z0-9_\-]+)*)",
        RegexOptions.IgnoreCase | RegexOptions.Compiled);

    /// <summary>ShellCheck's own directive written above an instruction: <c># shellcheck disable=SC2086,SC2046</c>.</summary>
    static readonly Regex ShellCheckPragma = new(@"^#\s*shellcheck\s+disable\s*=\s*(?<ids>[A-Za-z0-9]+(?:\s*,\s*[A-Za-z0-9]+)*)", RegexOptions.IgnoreCase | RegexOptions.Compiled);

    readonly HashSet<string> _global = new(StringComparer.OrdinalIgnoreCase);
    readonly Dictionary<Instruction, HashSet<string>> _perInstruction = new();
    readonly Dictionary<int, HashSet<string>> _perStage = new();
    bool _checkSkipAll;

    /// <summary>No suppressions (for --disable-ignore-pragma).</summary>
    public InlineSuppressions() { }

    public InlineSuppressions(DockerfileDocument doc)
    {
        foreach (var c in doc.Comments)
            if (IgnorePragma.Match(c.Text) is { Success: true } m && m.Groups["scope"].Value.Equals("global", StringComparison.OrdinalIgnoreCase))
                _global.UnionWith(Ids(m.Groups["ids"].Value));
        foreach (var ins in doc.Instructions)
            foreach (var c in ins.CommentsOrEmpty)
            {
                if (ShellCheckPragma.Match(c.Text) is { Success: true } sc) Set(_perInstruction, ins).UnionWith(Ids(sc.Groups["ids"].Value));
                if (IgnorePragma.Match(c.Text) is not { Success: true } m) continue;
                var scope = m.Groups["scope"].Value.ToLowerInvariant();
                if (scope == "") Set(_perInstruction, ins).UnionWith(Ids(m.Groups["ids"].Value));
                else if (scope == "stage" && ins.Keyword == "FROM") Set(_perStage, ins.StageIndex).UnionWith(Ids(m.Groups["ids"].Value));
            }
        if (doc.Directives.TryGetValue("check", out var check))
            foreach (var part in check.Value.Split(';'))
            {
                var kv = part.Split('=', 2);
                if (kv.Length == 2 && kv[0].Trim().Equals("skip", StringComparison.OrdinalIgnoreCase))
                    foreach (var id in Ids(kv[1]))
                        if (id.Equals("all", StringComparison.OrdinalIgnoreCase)) _checkSkipAll = true; else _global.Add(id);
            }
    }

    /// <summary>Is the finding (known by any of <paramref name="ids"/>) suppressed in the file?</summary>
    public bool Suppresses(RawFinding f, IReadOnlyCollection<string> ids)
    {
        bool Hit(ISet<string> set) => ids.Any(set.Contains);
        if (Hit(_global) || (_checkSkipAll && f.Rule.BuildCheck.Length > 0)) return true;
        var owner = f.Instruction?.Parent ?? f.Instruction;
        if (owner != null && _perInstruction.TryGetValue(owner, out var pi) && Hit(pi)) return true;
        return f.StageIndex >= 0 && _perStage.TryGetValue(f.StageIndex, out var ps) && Hit(ps);
    }

    static HashSet<string> Set<TKey>(Dictionary<TKey, HashSet<string>> d, TKey key) where TKey : notnull
    {
        if (!d.TryGetValue(key, out var s)) d[key] = s = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        return s;
    }

    static IEnumerable<string> Ids(string list) => list.Split(',').Select(x => x.Trim()).Where(x => x.Length > 0);
}
