namespace DockOpt.Engine.Dockerfiles.Rules.Shell;

/// <summary>pip install without --no-cache-dir, PIP_NO_CACHE_DIR or a cache mount ships the wheel cache (hadolint DL3042).</summary>
public sealed class DO3007PipNoCacheDir : ShellRule
{
    public override RuleInfo Info { get; } = new("DO3007", "PipNoCacheDir", Severity.Medium, "pip install without --no-cache-dir (or a cache mount) ships the wheel cache.", "DL3042", "", ShippedOnly: true);

    protected override void Check(LintContext ctx, RunScript run, ShellCommand c)
    {
        if (!run.Shipped || !PackageCommands.IsPipInstall(c, out var pi)) return;
        var piw = c.Words[pi];
        if (c.HasArg("--no-cache-dir") || NoCacheByEnvironment(ctx, run, c) || run.HasCacheMount("/root/.cache", "/root/.cache/pip", "/home")) return;
        var f = Report(ctx, "pip install keeps downloaded wheels in ~/.cache/pip in this shipped layer.", c.RangeOfWord(piw), run.Run,
            "pip install --no-cache-dir …, or RUN --mount=type=cache,target=/root/.cache/pip");
        if (run.InsertAfter(c, piw, " --no-cache-dir") is TextEdit e) f.Edits.Add(e);
    }

    /// <summary>
    /// PIP_NO_CACHE_DIR set to a true value (1, true, yes, on — pip's own reading) for this pip: an assignment in front
    /// of the command, an <c>export</c> earlier in the RUN, or ENV/ARG before the RUN. <c>off</c>, <c>no</c>, <c>0</c> keep the cache.
    /// </summary>
    static bool NoCacheByEnvironment(LintContext ctx, RunScript run, ShellCommand pip)
    {
        const string name = "PIP_NO_CACHE_DIR=";
        var prefix = pip.Words.Take(pip.ProgramIndex).LastOrDefault(w => w.Value.StartsWith(name, StringComparison.Ordinal)).Value;
        var exported = run.Commands.TakeWhile(x => x != pip).Where(x => x.Program == "export")
            .SelectMany(x => x.Args).LastOrDefault(w => w.Value.StartsWith(name, StringComparison.Ordinal)).Value;
        var value = prefix?.Substring(name.Length) ?? exported?.Substring(name.Length)
            ?? (ctx.Model.Variable(run.Run, "PIP_NO_CACHE_DIR") is (true, string v) ? v : null);
        return value != null && value.ToLowerInvariant() is "1" or "true" or "yes" or "on";
    }
}
