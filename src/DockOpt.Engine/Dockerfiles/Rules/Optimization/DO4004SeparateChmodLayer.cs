namespace DockOpt.Engine.Dockerfiles.Rules.Optimization;

/// <summary>A RUN that only chmods/chowns files copied earlier stores them a second time; COPY --chmod/--chown does it in place.</summary>
public sealed class DO4004SeparateChmodLayer : Rule
{
    public override RuleInfo Info { get; } = new("DO4004", "SeparateChmodLayer", Severity.Low, "chmod/chown in its own RUN duplicates the files in a new layer; use COPY --chmod/--chown.", "", "", true, true);

    public override void Check(LintContext ctx) => ShippedFiles.Walk(ctx, (ins, cmds, created) =>
    {
        if (cmds.Count == 0 || !cmds.All(c => c.Program is "chmod" or "chown")) return;
        var targets = cmds.SelectMany(c => c.Args.Where(a => !a.Value.StartsWith('-')).Skip(1)).Select(a => StagePaths.Absolute(ctx, ins, a.Value)).ToList();
        var copied = targets.Count > 0 && targets.All(t => created.Any(cr => cr.By.Keyword is "COPY" or "ADD"
            && (StagePaths.Same(cr.Path, t) || StagePaths.Under(cr.Path, t) || StagePaths.Under(t, cr.Path))));
        if (!copied) return;
        var c0 = cmds[0];
        var mode = c0.Args.FirstOrDefault(a => !a.Value.StartsWith('-')).Value;
        var flag = (c0.Program == "chmod" ? "--chmod=" : "--chown=") + mode;
        Report(ctx, $"'{c0.Text}' in its own layer stores a second copy of the files copied earlier.", ins.Range, ins, $"Use COPY {flag} … on the COPY instead.");
    });
}
