using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>A sourced file is not checked: its variables and functions are unknown to the analysis. (ShellCheck SC1091).</summary>
public sealed class DO6012SourceNotFollowed : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6012", "SourceNotFollowed", Severity.Low, "A sourced file is not checked: its variables and functions are unknown to the analysis.", "SC1091",
        EnabledByDefault: false); // hadolint excludes SC1091: off unless asked for (-IncludeRule SC1091)

    protected override bool MayApply(string t) => t.Contains("source", StringComparison.Ordinal) || t.Contains('.');

    /// <summary>The path of a sourced file when ShellCheck can name it (a literal, a path under $HOME, or a constant end "…/file"), else null (SC1090).</summary>
    static string? SourcePath(ShWord w)
    {
        if (w.Literal is { } l) return l.StartsWith('~') ? null : l; // ~ is not resolved: SC1090 (DO6022)
        var parts = w.Parts.Count == 1 && w.Parts[0] is ShDoubleQuoted d ? d.Parts : w.Parts;
        if (parts.Count >= 1 && parts[0] is ShParam { Name: "HOME", Braced: false } && parts.Skip(1).All(p => p is ShLiteral)) return w.Raw.Trim('"');
        // "$dir/env.sh": ShellCheck names the constant end of the path (./env.sh) and reports it as not followed
        if (DO6022NonConstantSource.IsNonConstant(w)) return null;
        var raw = w.Raw.Trim('"');
        return "./" + raw[(raw.LastIndexOf('/') + 1)..];
    }

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        foreach (var c in s.All<ShSimpleCommand>())
            if (c.Name is "." or "source" && c.Words.Count >= 2 && SourcePath(c.Words[1]) is { } file)
                Report(ctx, run, c.Words[1], "Not following: " + file + " was not specified as input (see shellcheck -x).", "Nothing to do unless the file's variables matter; add # shellcheck disable=SC1091 to acknowledge.");
    }
}
