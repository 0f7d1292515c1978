namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>WORKDIR should be absolute after variable substitution, unless an absolute WORKDIR precedes it (hadolint DL3000).</summary>
public sealed class DO2000WorkdirRelativePath : Rule
{
    public override RuleInfo Info { get; } = new("DO2000", "WorkdirRelativePath", Severity.High, "WORKDIR should be absolute (after variable substitution).", "DL3000", "WorkdirRelativePath");

    public override void Check(LintContext ctx)
    {
        foreach (var ins in ctx.Document.Instructions.Where(i => i.Keyword == "WORKDIR"))
        {
            var args = ins.Arguments.Text;
            var r = ctx.Model.Expand(ins, args);
            var abs = r.Value.StartsWith('/') || WindowsPaths.IsDriveAbsolute(r.Value) || r.Value.StartsWith('\\');
            var st = ctx.Model.StageOf(ins);
            var hasAbsBefore = st != null && StagePaths.HasWorkdirBefore(ctx, st, ins);
            if (r.Resolved && !abs && !hasAbsBefore)
                Report(ctx, $"WORKDIR '{r.Value}' is relative and no absolute WORKDIR precedes it.", ins.Arguments.RangeOf(0, args.Length), ins, "Use an absolute path.");
        }
    }
}
