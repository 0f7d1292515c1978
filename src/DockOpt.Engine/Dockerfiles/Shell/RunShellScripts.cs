using System.Runtime.CompilerServices;
using DockOpt.Engine.Dockerfiles.Rules;

namespace DockOpt.Engine.Dockerfiles.Shell;

/// <summary>One RUN's parsed shell script and what the ShellCheck rules ask of it.</summary>
public sealed class RunShellScript
{
    readonly RunShellScripts.Variables _variables;
    IReadOnlySet<string>? _vars;

    internal RunShellScript(Instruction run, ShScript script, RunShellScripts.Variables variables)
    {
        Run = run;
        Script = script;
        _variables = variables;
    }

    public Instruction Run { get; }
    public ShScript Script { get; }
    /// <summary>ENV and ARG names in scope for the RUN (they count as assigned).</summary>
    public IReadOnlySet<string> DockerVariables => _vars ??= _variables.Of(Run); // built only for a rule that asks (one set per RUN)
}

/// <summary>
/// The shell scripts of a document's RUN instructions: shell form, <c>sh -c</c>/<c>bash -c</c> exec form and a RUN made
/// only of a heredoc. PowerShell and cmd RUNs are skipped. The dialect follows SHELL (bash, zsh and ksh read as bash;
/// anything else as POSIX sh), or a heredoc's shebang.
/// </summary>
public static class RunShellScripts
{
    static readonly ConditionalWeakTable<LintContext, List<RunShellScript>> Cache = new();

    /// <summary>Every script, parsed once per lint context and kept (for a caller that walks them more than once).</summary>
    public static IReadOnlyList<RunShellScript> Of(LintContext ctx) => Cache.GetValue(ctx, c => Parse(c).ToList());

    /// <summary>Parses one script; a script the parser cannot handle at all yields no analysis rather than failing the lint.</summary>
    static RunShellScript? TryParse(Instruction ins, MappedText text, ShDialect dialect, Variables vars, Func<string, ShDialect, bool>? wanted)
    {
        if (wanted != null && !wanted(text.Text, dialect)) return null;
        try { return new RunShellScript(ins, new ShScript(text, dialect), vars); }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or InvalidOperationException) { return null; }
    }

    /// <summary>
    /// The scripts in document order, each parsed when the caller reaches it and not kept here. With
    /// <paramref name="wanted"/>, a script whose text and dialect it turns down is not parsed at all (no check could use it).
    /// </summary>
    public static IEnumerable<RunShellScript> Parse(LintContext ctx, Func<string, ShDialect, bool>? wanted = null)
    {
        var vars = new Variables(ctx);
        foreach (var i in ctx.Document.Instructions)
        {
            var ins = i.Trigger ?? i;
            if (ins.Keyword != "RUN" || !ctx.IsPosixShell(ins)) continue;
            var shell = ctx.ShellFor(ins);
            var dialect = shell != null && IsBash(shell[0]) ? ShDialect.Bash : ShDialect.Sh;
            if (ins.ExecForm != null)
            {
                var ef = ins.ExecForm;
                if (ef.Length >= 3 && IsShell(ef[0]) && ef[1] == "-c"
                    && TryParse(ins, Anchored(ef[2], ins.Arguments), IsBash(ef[0]) ? ShDialect.Bash : ShDialect.Sh, vars, wanted) is { } e)
                    yield return e;
                continue;
            }
            if (ins.HeredocCount > 0 && IsOnlyHeredocMarker(ins.Arguments.Text))
            {
                foreach (var h in ins.Heredocs)
                {
                    var body = h.Body.Text;
                    var d = dialect;
                    if (body.StartsWith("#!", StringComparison.Ordinal))
                    {
                        var interp = body.Split('\n')[0].Substring(2).Trim().Split(' ');
                        var prog = interp[0].EndsWith("/env", StringComparison.Ordinal) && interp.Length > 1 ? interp[1] : interp[0];
                        if (!IsShell(prog)) continue;
                        d = IsBash(prog) ? ShDialect.Bash : ShDialect.Sh;
                    }
                    if (TryParse(ins, h.Body, d, vars, wanted) is { } hs) yield return hs;
                }
                continue;
            }
            if (TryParse(ins, ins.Arguments, dialect, vars, wanted) is { } s) yield return s;
        }
    }

    static bool IsOnlyHeredocMarker(string arguments)
    {
        var text = arguments.TrimStart();
        return text.StartsWith("<<", StringComparison.Ordinal) && text.Trim().Split(' ').Length == 1;
    }

    /// <summary>ENV and ARG names per RUN, from names read once per section (per RUN it made linting quadratic).</summary>
    internal sealed class Variables(LintContext ctx)
    {
        Dictionary<int, HashSet<string>>? _fileWide;

        public IReadOnlySet<string> Of(Instruction ins) =>
            DockerVariables(ctx, ins, (_fileWide ??= FileWideVariables(ctx)).GetValueOrDefault(ins.StageIndex) ?? NoNames);
    }

    static readonly HashSet<string> NoNames = new();

    /// <summary>Docker's predefined proxy build arguments: set without an ARG (hadolint counts them as assigned too).</summary>
    static readonly string[] ProxyArgs = { "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy" };

    static HashSet<string> DockerVariables(LintContext ctx, Instruction ins, HashSet<string> sectionWide)
    {
        var set = new HashSet<string>(sectionWide, StringComparer.Ordinal);
        var scope = ctx.Model.ScopeBefore(ins);
        set.UnionWith(scope.Vars.Keys);
        set.UnionWith(scope.Args);
        set.UnionWith(ProxyArgs);
        // an ARG before the first FROM is for FROM lines only: a RUN sees it only when its stage declares it again
        return set;
    }

    /// <summary>ENV and ARG names anywhere in each section (stage, or -1 before the first FROM): a FROM starts afresh, as in hadolint.</summary>
    static Dictionary<int, HashSet<string>> FileWideVariables(LintContext ctx)
    {
        var byStage = new Dictionary<int, HashSet<string>>();
        foreach (var i in ctx.Document.Instructions)
            if (i.Keyword is "ENV" or "ARG")
            {
                if (!byStage.TryGetValue(i.StageIndex, out var set)) byStage[i.StageIndex] = set = new HashSet<string>(StringComparer.Ordinal);
                foreach (var w in DockerfileParser.Words(i.Arguments.Text))
                {
                    var v = w.Value;
                    var eq = v.IndexOf('=');
                    set.Add(eq >= 0 ? v[..eq] : v);
                }
            }
        return byStage;
    }

    static string Name(string p) => p.Contains('/') ? p[(p.LastIndexOf('/') + 1)..] : p;
    static bool IsShell(string p) => Name(p) is "sh" or "bash" or "ash" or "dash" or "zsh" or "ksh" or "mksh";
    static bool IsBash(string p) => Name(p) is "bash" or "zsh" or "ksh" or "mksh";

    /// <summary>Exec-form text: every character maps to the start of the arguments.</summary>
    static MappedText Anchored(string text, MappedText anchor) => MappedText.Anchored(text, anchor.PositionAt(0), anchor.EndOf(anchor.Length));
}
