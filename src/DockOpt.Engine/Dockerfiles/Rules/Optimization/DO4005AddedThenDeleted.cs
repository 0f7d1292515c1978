namespace DockOpt.Engine.Dockerfiles.Rules.Optimization;

/// <summary>Files added in one layer and deleted in a later one still ship in the image.</summary>
public sealed class DO4005AddedThenDeleted : Rule
{
    public override RuleInfo Info { get; } = new("DO4005", "AddedThenDeleted", Severity.Medium, "Files added in one layer and deleted in a later one still ship in the image.", "", "", true, true);

    public override void Check(LintContext ctx) => ShippedFiles.Walk(ctx, (ins, cmds, created) =>
    {
        foreach (var c in cmds)
        {
            if (c.Program != "rm") continue;
            foreach (var a in c.Args.Where(a => !a.Value.StartsWith('-')))
            {
                var t = StagePaths.Absolute(ctx, ins, a.Value);
                var hit = created.FirstOrDefault(cr => cr.By != ins && (StagePaths.Same(cr.Path, t) || StagePaths.Under(t, cr.Path)) && t != "/" && t.Length > 1);
                if (hit.By != null)
                    Report(ctx, $"'{a.Value}' was added by {hit.By.Keyword} on line {hit.By.Range.Start.Line}; deleting it in a later layer does not shrink the image.", c.RangeOfWord(a), ins,
                        hit.By.Keyword == "RUN" ? "Download, use and delete it in the same RUN." : "Use RUN --mount=type=bind,source=…,target=… (or a build stage) instead of COPY + rm.");
            }
        }
    });
}
