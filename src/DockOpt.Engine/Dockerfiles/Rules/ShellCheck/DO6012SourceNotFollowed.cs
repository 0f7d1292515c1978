using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>A sourced file is not checked: its variables and functions are unknown to the analysis. (ShellCheck SC1091).</summary>
public sealed class DO6012SourceNotFollowed : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6012", "SourceNotFollowed", Severity.Low, "A sourced file is not checked: its variables and functions are unknown to the analysis.", "SC1091");

    /// <summary>The path of a sourced file when it is constant (a literal, or under $HOME as ShellCheck resolves it), else null (SC1090).</summary>
    static string? SourcePath(ShWord w)
    {
        if (w.Literal is { } l) return l;
        var parts = w.Parts.Count == 1 && w.Parts[0] is ShDoubleQuoted d ? d.Parts : w.Parts;
        return parts.Count >= 1 && parts[0] is ShParam { Name: "HOME", Braced: false } && parts.Skip(1).All(p => p is ShLiteral) ? w.Raw.Trim('"') : null;
    }

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        foreach (var c in s.All<ShSimpleCommand>())
            if (c.Name is "." or "source" && c.Words.Count >= 2 && SourcePath(c.Words[1]) is { } file)
                Report(ctx, run, c.Words[1], "Not following: " + file + " was not specified as input (see shellcheck -x).", "Nothing to do unless the file's variables matter; add # shellcheck disable=SC1091 to acknowledge.");
    }
}
