namespace DockOpt.Engine.Dockerfiles.Rules.Shell;

/// <summary>wget without --progress (or -q) floods the build log (hadolint DL3047).</summary>
public sealed class DO3011WgetWithoutProgress : ShellRule
{
    public override RuleInfo Info { get; } = new("DO3011", "WgetWithoutProgress", Severity.Low, "wget without --progress (or -q) floods the build log.", "DL3047");

    protected override void Check(LintContext ctx, RunScript run, ShellCommand c)
    {
        if (c.Program != "wget") return;
        var quiet = c.Args.Any(a => a.Value.StartsWith("--progress") || a.Value is "-q" or "--quiet" or "-nv" or "--no-verbose"
            || (a.Value.StartsWith('-') && !a.Value.StartsWith("--") && a.Value.Contains('q')));
        if (!quiet)
            Report(ctx, "wget without --progress floods the build log.", ProgramRange(c), run.Run, "wget --progress=dot:giga … (or -q)");
    }
}
