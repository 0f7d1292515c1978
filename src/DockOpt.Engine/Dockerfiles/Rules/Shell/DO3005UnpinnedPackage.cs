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
        "-f", "--find-links", "--target", "-t", "--prefix", "--root", "--trusted-host", "--root-user-action", "--platform",
        "--python-version", "--implementation", "--abi", "--src", "--upgrade-strategy", "--progress-bar", "--log", "--cache-dir",
    };

    /// <summary>npm options whose next word is their value.</summary>
    static readonly HashSet<string> NpmOptionsWithValue = new(StringComparer.Ordinal) { "--loglevel", "--prefix", "--registry", "--cache", "--tag", "-w", "--workspace", "--userconfig" };

    /// <summary>A package archive or a path: installs exactly what it is.</summary>
    static bool IsLocalArchive(string p) => Optimization.Sources.IsArchive(p) || p.EndsWith(".whl") || p.EndsWith(".deb") || p.EndsWith(".rpm") || p.EndsWith(".apk");

    protected override void Check(LintContext ctx, RunScript run, ShellCommand c)
    {
        switch (c.Program)
        {
            case "apt-get" or "apt" or "aptitude" when c.Subcommand("install") is Word w:
                Unpinned(ctx, run, c, w, p => p.Contains('=') || p.EndsWith(".deb") || p.Contains('$') || p.Contains('/'), "=<version>", "DL3008");
                break;
            case "apk" when c.Subcommand("add") is Word w:
                Unpinned(ctx, run, c, w, p => p.IndexOfAny(new[] { '=', '~', '<', '>' }) > 0 || p.Contains('$') || p.EndsWith(".apk"), "=<version>", "DL3018");
                break;
            case "zypper" when c.Subcommand("install", "in") is Word w:
                // zypper pins with an operator: name=1.2, name>=1.2, name<1.2.
                Unpinned(ctx, run, c, w, p => p.IndexOfAny(new[] { '=', '<', '>' }) > 0 || p.Contains('$') || p.EndsWith(".rpm") || p.Contains('/'), "=<version>", "DL3037");
                break;
            case "yum" or "dnf" or "microdnf" when c.Subcommand("group", "groupinstall") != null:
                break; // groups have no versions
            case "yum" or "dnf" or "microdnf" when c.Subcommand("module") != null && c.Subcommand("install") is Word w:
                // a module is pinned by its stream: name:stream
                Unpinned(ctx, run, c, w, p => p.Contains(':') || p.Contains('$'), ":<stream>", c.Program == "yum" ? "DL3033" : "DL3041");
                break;
            case "yum" or "dnf" or "microdnf" when c.Subcommand("install", "in") is Word w:
                Unpinned(ctx, run, c, w, p => RpmVersioned.IsMatch(p) || p.Contains('$') || p.EndsWith(".rpm") || p.Contains('/'), "-<version>", c.Program == "yum" ? "DL3033" : "DL3041");
                break;
            case "npm" when c.Subcommand("install", "i", "add") is Word w:
                Npm(ctx, run, c, w);
                break;
            case "gem" when c.Subcommand("install", "i") is Word w && !c.HasOption('v', "--version"):
                Gem(ctx, run, c, w);
                break;
            case "go" when c.Subcommand("install", "get", "run") is Word w:
                Go(ctx, run, c, w);
                break;
            case "pipx" when c.Subcommand("install") is Word w:
                Pip(ctx, run, c, c.Words.IndexOf(w));
                break;
        }
        if (PackageCommands.IsPipInstall(c, out var pi)) Pip(ctx, run, c, pi);
    }

    void Unpinned(LintContext ctx, RunScript run, ShellCommand c, Word sub, Func<string, bool> pinned, string pin, string hadolint, string what = "Package")
    {
        foreach (var p in PackageCommands.Packages(c, sub).Where(p => !pinned(p.Value)))
            Report(ctx, $"{what} '{p.Value}' is not pinned.", c.RangeOfWord(p), run.Run, p.Value + pin, hadolint);
    }

    /// <summary>npm: name@version (@scope/name@version); a git URL needs #tag; tarballs and paths are what they are.</summary>
    void Npm(LintContext ctx, RunScript run, ShellCommand c, Word sub)
    {
        foreach (var p in WordsAfter(c, sub, NpmOptionsWithValue).Select(w => w))
        {
            var v = p.Value;
            var git = v.StartsWith("git+", StringComparison.Ordinal) || v.StartsWith("git://", StringComparison.Ordinal) || v.StartsWith("git@", StringComparison.Ordinal);
            var pinned = git ? v.Contains('#')
                : v.StartsWith('@') ? v.IndexOf('@', 1) > 0
                : v.Contains('@') || v.StartsWith('.') || v.StartsWith('/') || v.StartsWith('~') || v.Contains('$') || IsLocalArchive(v) || v.Contains("://");
            if (!pinned) Report(ctx, $"npm package '{v}' is not pinned.", c.RangeOfWord(p), run.Run, $"{v}@<version>", "DL3016");
        }
    }

    /// <summary>gem: name:version (or -v); arguments after a bare <c>--</c> go to the extension build.</summary>
    void Gem(LintContext ctx, RunScript run, ShellCommand c, Word sub)
    {
        var words = c.Words.SkipWhile(w => w.Start != sub.Start).Skip(1).TakeWhile(w => w.Value != "--").ToList();
        for (var i = 0; i < words.Count; i++)
        {
            var v = words[i].Value;
            if (v.StartsWith('-')) continue;
            if (v is "true" or "false" && i > 0 && words[i - 1].Value.StartsWith('-')) continue; // value of the option before it
            if (!v.Contains(':') && !v.Contains('$'))
                Report(ctx, $"gem '{v}' is not pinned.", c.RangeOfWord(words[i]), run.Run, $"{v}:<version>", "DL3028");
        }
    }

    /// <summary>go install / get / run of a module path: pinned by @version, and @latest is no pin; local paths are not modules.</summary>
    void Go(LintContext ctx, RunScript run, ShellCommand c, Word sub)
    {
        foreach (var p in c.Words.SkipWhile(w => w.Start != sub.Start).Skip(1))
        {
            var v = p.Value;
            if (v.StartsWith('-')) continue;
            var at = v.LastIndexOf('@');
            var local = v.StartsWith('.') || v.StartsWith('/') || v.Contains('$') || v.EndsWith(".go");
            if (!local && (at <= 0 || v.Substring(at + 1) is "latest" or ""))
                Report(ctx, $"go {sub.Value} of '{v}' without a fixed @version.", c.RangeOfWord(p), run.Run, $"{v.Split('@')[0]}@<version>", "DL3062");
            if (sub.Value == "run") break; // the words after the package are the program's arguments
        }
    }

    /// <summary>Non-option words after a subcommand, skipping the values of the given options.</summary>
    static IEnumerable<Word> WordsAfter(ShellCommand c, Word sub, ISet<string> optionsWithValue)
    {
        var skip = false;
        foreach (var w in c.Words.SkipWhile(w => w.Start != sub.Start).Skip(1))
        {
            if (skip) { skip = false; continue; }
            if (optionsWithValue.Contains(w.Value)) { skip = true; continue; }
            if (w.Value.StartsWith('-') || w.Value.Length == 0) continue;
            yield return w;
        }
    }

    /// <summary>pip: name==version (any specifier); a constraints file pins everything; VCS URLs need @ref.</summary>
    void Pip(LintContext ctx, RunScript run, ShellCommand c, int installIndex)
    {
        var args = c.Words.Skip(installIndex + 1).ToList();
        if (args.Any(a => a.Value is "-c" or "--constraint" || a.Value.StartsWith("--constraint=", StringComparison.Ordinal))) return;
        var skipNext = false;
        foreach (var a in args)
        {
            if (skipNext) { skipNext = false; continue; }
            var v = a.Value;
            if (PipOptionsWithValue.Contains(v)) { skipNext = true; continue; }
            if (v.StartsWith('-') || v == "." || v.Contains('$') || IsLocalArchive(v) || PipVersioned.IsMatch(v.Split('#')[0].Replace("://", "")) && !v.StartsWith("git+", StringComparison.Ordinal)) continue;
            if (v.StartsWith("git+", StringComparison.Ordinal) ? GitRefPinned(v) : v.Contains('/')) continue;
            Report(ctx, $"Python package '{v}' is not pinned.", c.RangeOfWord(a), run.Run, $"{v}==<version>", "DL3013");
        }
    }

    /// <summary>A VCS requirement (git+https://host/repo.git@v1.2#egg=x) pinned by an @ref after the repository path.</summary>
    static bool GitRefPinned(string v)
    {
        var path = v.Split('#')[0];
        var afterHost = path.IndexOf('/', path.IndexOf("://", StringComparison.Ordinal) + 3);
        return afterHost > 0 && path.IndexOf('@', afterHost) > 0;
    }
}
