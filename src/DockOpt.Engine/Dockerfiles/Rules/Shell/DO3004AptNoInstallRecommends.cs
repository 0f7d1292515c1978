namespace DockOpt.Engine.Dockerfiles.Rules.Shell;

/// <summary>apt-get install without --no-install-recommends installs unneeded packages (hadolint DL3015).</summary>
public sealed class DO3004AptNoInstallRecommends : ShellRule
{
    public override RuleInfo Info { get; } = new("DO3004", "AptNoInstallRecommends", Severity.Low, "apt-get install without --no-install-recommends installs unneeded packages.", "DL3015");

    protected override void Check(LintContext ctx, RunScript run, ShellCommand c)
    {
        if (c.Program is not ("apt-get" or "apt") || c.Subcommand("install") is not Word iw) return;
        if (c.HasArg("--no-install-recommends") || c.Args.Any(a => a.Value.Contains("Install-Recommends=false", StringComparison.OrdinalIgnoreCase) || a.Value.Contains("Install-Recommends=0"))) return;
        var f = Report(ctx, "apt-get install without --no-install-recommends pulls in recommended packages.", c.RangeOfWord(iw), run.Run, "apt-get install --no-install-recommends …");
        if (run.InsertAfter(c, iw, " --no-install-recommends") is TextEdit e) f.Edits.Add(e);
    }
}
