namespace DockOpt.Engine.Dockerfiles.Rules.Optimization;

/// <summary>ADD of a URL without --checksum: the download is not verified and the layer never caches.</summary>
public sealed class DO4008AddRemoteWithoutChecksum : Rule
{
    public override RuleInfo Info { get; } = new("DO4008", "AddRemoteWithoutChecksum", Severity.Medium, "ADD of a URL without --checksum: the download is not verified and the layer never caches.");

    public override void Check(LintContext ctx)
    {
        foreach (var ins in ctx.Document.Instructions.Where(i => i.Keyword == "ADD" && !i.HasFlag("checksum")))
            foreach (var u in CopyArguments.Of(ctx, ins).Sources.Where(s => Sources.IsUrl(s.Value) && !Sources.IsGit(s.Value)))
                Report(ctx, $"ADD {u.Value} downloads without verification.", ins.ExecForm == null ? ins.Arguments.RangeOf(u.Word.Start, u.Word.End) : ins.Arguments.RangeOf(0, ins.Arguments.Length), ins,
                    "Add --checksum=sha256:<digest>, or download with curl in a build stage and verify it.");
    }
}
