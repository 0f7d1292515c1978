using System.Text.RegularExpressions;

namespace DockOpt.Engine.Dockerfiles.Rules.Shell;

/// <summary>
/// A package installed without a version pin (opt-in policy). One rule for every package manager; each finding
/// names the manager's hadolint rule: DL3008 apt, DL3018 apk, DL3033 yum, DL3041 dnf, DL3037 zypper, DL3013 pip,
/// DL3016 npm, DL3028 gem, DL3062 go.
/// </summary>
public sealed class DO3005UnpinnedPackage : ShellRule
{
    public override RuleInfo Info { get; } = new("DO3005", "UnpinnedPackage", Severity.Low, "Package installed without a version pin (opt-in policy).", "DL3008", "", EnabledByDefault: false);

    /// <summary>A pip requirement with a version specifier or a direct reference.</summary>
    static readonly Regex PipVersioned = new(@"(==|>=|<=|~=|!=|===|<|>|@)", RegexOptions.Compiled);
    /// <summary>An rpm package name with a version: a dash followed by a digit.</summary>
    static readonly Regex RpmVersioned = new(@"-\d", RegexOptions.Compiled);

    /// <summary>pip options whose next word is their value, not a package.</summary>
    static readonly HashSet<string> PipOptionsWithValue = new(StringComparer.Ordinal)
    {
        "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url", "--extra-index-url",
        "-f", "--find-links", "--target", "-t", "--prefix", "--root",
    };

    protected override void Check(LintContext ctx, RunScript run, ShellCommand c)
    {
        switch (c.Program)
        {
            case "apt-get" or "apt" when c.Subcommand("install") is Word w:
                Unpinned(ctx, run, c, w, p => p.Contains('=') || p.EndsWith(".deb") || p.Contains('$') || p.Contains('/'), "=<version>", "DL3008");
                break;
            case "apk" when c.Subcommand("add") is Word w:
                Unpinned(ctx, run, c, w, p => p.Contains('=') || p.Contains('$') || p.EndsWith(".apk"), "=<version>", "DL3018");
                break;
            case "yum" or "dnf" or "microdnf" or "zypper" when c.Subcommand("install", "in") is Word w:
                Unpinned(ctx, run, c, w, p => RpmVersioned.IsMatch(p) || p.Contains('$') || p.EndsWith(".rpm") || p.Contains('/'), "-<version>",
                    c.Program switch { "yum" => "DL3033", "zypper" => "DL3037", _ => "DL3041" });
                break;
            case "npm" when c.Subcommand("install", "i", "add") is Word w:
                Unpinned(ctx, run, c, w, p => (p.StartsWith('@') ? p.IndexOf('@', 1) > 0 : p.Contains('@')) || p.Contains('/') || p.StartsWith('.') || p.Contains('$'), "@<version>", "DL3016", "npm package");
                break;
            case "gem" when c.Subcommand("install") is Word w && !c.HasOption('v', "--version"):
                Unpinned(ctx, run, c, w, p => p.Contains(':') || p.Contains('$'), ":<version>", "DL3028", "gem");
                break;
            case "go" when c.Subcommand("install") is Word w:
                foreach (var p in PackageCommands.Packages(c, w).Where(p => !p.Value.Contains('@') && !p.Value.StartsWith('.')))
                    Report(ctx, $"go install of '{p.Value}' without @version.", c.RangeOfWord(p), run.Run, $"{p.Value}@<version>", "DL3062");
                break;
        }
        if (PackageCommands.IsPipInstall(c, out var pi)) Pip(ctx, run, c, pi);
    }

    void Unpinned(LintContext ctx, RunScript run, ShellCommand c, Word sub, Func<string, bool> pinned, string pin, string hadolint, string what = "Package")
    {
        foreach (var p in PackageCommands.Packages(c, sub).Where(p => !pinned(p.Value)))
            Report(ctx, $"{what} '{p.Value}' is not pinned.", c.RangeOfWord(p), run.Run, p.Value + pin, hadolint);
    }

    void Pip(LintContext ctx, RunScript run, ShellCommand c, int installIndex)
    {
        var skipNext = false;
        foreach (var a in c.Words.Skip(installIndex + 1))
        {
            if (skipNext) { skipNext = false; continue; }
            if (PipOptionsWithValue.Contains(a.Value)) { skipNext = true; continue; }
            if (a.Value.StartsWith('-') || a.Value.Contains('/') || a.Value == "." || a.Value.Contains('$') || a.Value.EndsWith(".whl") || PipVersioned.IsMatch(a.Value)) continue;
            Report(ctx, $"Python package '{a.Value}' is not pinned.", c.RangeOfWord(a), run.Run, $"{a.Value}==<version>", "DL3013");
        }
    }
}
