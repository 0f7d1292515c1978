using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>
/// The file a . or source reads is named by a variable (or ~), so nothing about it can be checked. (ShellCheck SC1090).
/// A path that ends in a constant part with a slash ("$dir/env.sh") is one ShellCheck can name: that is SC1091 (DO6012).
/// </summary>
public sealed class DO6022NonConstantSource : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6022", "NonConstantSource", Severity.Medium, "ShellCheck can't follow a non-constant source.", "SC1090",
        EnabledByDefault: false); // hadolint excludes SC1090: off unless asked for (-IncludeRule SC1090)

    protected override bool MayApply(string t) => t.Contains("source", StringComparison.Ordinal) || t.Contains('.');

    /// <summary>Is the sourced word non-constant as ShellCheck 0.9.0 sees it: a leading ~, or an expansion with no constant "/…" after it.</summary>
    internal static bool IsNonConstant(ShWord w)
    {
        if (w.Literal is { } l) return l.StartsWith('~');
        var parts = w.Parts.SelectMany(p => p is ShDoubleQuoted d ? d.Parts : new List<ShPart> { p }).ToList();
        if (parts.Count >= 1 && parts[0] is ShParam { Name: "HOME", Braced: false } && parts.Skip(1).All(p => p is ShLiteral)) return false; // DO6012
        var last = parts.FindLastIndex(p => p is not ShLiteral);
        var tail = string.Concat(parts.Skip(last + 1).Select(p => ((ShLiteral)p).Text));
        return !tail.Contains('/');
    }

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        foreach (var c in s.All<ShSimpleCommand>())
            if (c.Name is "." or "source" && c.Words.Count >= 2 && IsNonConstant(c.Words[1]))
                Report(ctx, run, c.Words[1], "ShellCheck can't follow non-constant source. Use a directive to specify location.",
                    "Nothing to do unless the file's variables matter; add # shellcheck source=path (or disable=SC1090) to acknowledge.");
    }
}
