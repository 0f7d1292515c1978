namespace DockOpt.Engine.Dockerfiles.Rules.Shell;

/// <summary>pip install without --no-cache-dir, PIP_NO_CACHE_DIR or a cache mount ships the wheel cache (hadolint DL3042).</summary>
public sealed class DO3007PipNoCacheDir : ShellRule
{
    public override RuleInfo Info { get; } = new("DO3007", "PipNoCacheDir", Severity.Medium, "pip install without --no-cache-dir (or a cache mount) ships the wheel cache.", "DL3042", "", ShippedOnly: true);

    protected override void Check(LintContext ctx, RunScript run, ShellCommand c)
    {
        if (!run.Shipped || !PackageCommands.IsPipInstall(c, out var pi)) return;
        var piw = c.Words[pi];
        var noCacheEnv = ctx.Model.Variable(run.Run, "PIP_NO_CACHE_DIR") is (true, string v) && v.Length > 0 && v != "0" && !v.Equals("false", StringComparison.OrdinalIgnoreCase);
        if (c.HasArg("--no-cache-dir") || noCacheEnv || run.HasCacheMount("/root/.cache", "/root/.cache/pip", "/home")) return;
        var f = Report(ctx, "pip install keeps downloaded wheels in ~/.cache/pip in this shipped layer.", c.RangeOfWord(piw), run.Run,
            "pip install --no-cache-dir …, or RUN --mount=type=cache,target=/root/.cache/pip");
        if (run.InsertAfter(c, piw, " --no-cache-dir") is TextEdit e) f.Edits.Add(e);
    }
}
