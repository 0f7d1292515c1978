namespace DockOpt.Engine.Dockerfiles.Rules.Shell;

/// <summary>One RUN (or ONBUILD RUN trigger) in a POSIX shell, with its commands and what the shell rules ask of it.</summary>
public sealed class RunScript
{
    RunScript(Instruction run, Stage? stage, LintContext ctx)
    {
        Run = run;
        Stage = stage;
        Commands = ctx.Commands(run);
        Shipped = ctx.IsShipped(run);
        Shell = ctx.ShellFor(run);
    }

    public Instruction Run { get; }
    /// <summary>The stage the RUN belongs to (null before the first FROM).</summary>
    public Stage? Stage { get; }
    public List<ShellCommand> Commands { get; }
    /// <summary>The commands joined with " ; " (for "is there a clean-up anywhere in this RUN" questions).</summary>
    public string AllText => _allText ??= string.Join(" ; ", Commands.Select(c => c.Text));
    string? _allText;
    /// <summary>The layer ships in the final image (or in a child image for ONBUILD).</summary>
    public bool Shipped { get; }
    /// <summary>The SHELL in effect, or null for the default /bin/sh -c.</summary>
    public string[]? Shell { get; }

    /// <summary>Every RUN and ONBUILD RUN of the file in order, outside a stage too; PowerShell and cmd RUNs excluded.</summary>
    public static IReadOnlyList<RunScript> All(LintContext ctx) => PerDocument.GetValue(ctx, c =>
        c.Document.Instructions.Select(i => i.Trigger ?? i).Where(i => i.Keyword == "RUN" && c.IsPosixShell(i))
            .Select(run => new RunScript(run, c.Model.StageOf(run), c)).ToList());

    /// <summary>Built once per lint run: every shell rule walks the same RUNs.</summary>
    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<LintContext, List<RunScript>> PerDocument = new();

    /// <summary>Does a <c>type=cache</c> or <c>tmpfs</c> mount of the RUN cover one of the targets?</summary>
    public bool HasCacheMount(params string[] targets) =>
        Run.FlagsNamed("mount").Any(f => f.Value != null && DockerfileParser.ParseMount(f.Value) is var m
            && m.TryGetValue("type", out var t) && (t is "cache" or "tmpfs")
            && targets.Any(x => (m.GetValueOrDefault("target") ?? m.GetValueOrDefault("dst") ?? m.GetValueOrDefault("destination") ?? "").TrimEnd('/').StartsWith(x, StringComparison.Ordinal)));

    /// <summary>An edit inserting text after a word (null for exec form, which -Fix does not rewrite).</summary>
    public TextEdit? InsertAfter(ShellCommand c, Word w, string text) =>
        Run.ExecForm != null ? null : new TextEdit(c.Source.EndOf(w.End).Line, c.Source.EndOf(w.End).Column, 0, text);
}
