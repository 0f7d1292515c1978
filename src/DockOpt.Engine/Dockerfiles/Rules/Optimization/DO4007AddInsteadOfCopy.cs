namespace DockOpt.Engine.Dockerfiles.Rules.Optimization;

/// <summary>Use COPY for local files; ADD only for remote sources or archives to unpack (hadolint DL3020).</summary>
public sealed class DO4007AddInsteadOfCopy : Rule
{
    public override RuleInfo Info { get; } = new("DO4007", "AddInsteadOfCopy", Severity.High, "Use COPY for local files; ADD only for remote sources or archives to unpack.", "DL3020");

    public override void Check(LintContext ctx)
    {
        foreach (var ins in ctx.Document.Instructions.Where(i => i.Keyword == "ADD" && i.Heredocs.Count == 0))
        {
            var sources = CopyArguments.Of(ctx, ins).Sources;
            if (sources.Count == 0 || ins.HasFlag("checksum") || ins.HasFlag("keep-git-dir") || ins.HasFlag("unpack")) continue;
            if (sources.Any(s => Sources.IsUrl(s.Value) || Sources.IsGit(s.Value) || Sources.IsArchive(s.Value) || s.Value.Contains('$'))) continue;
            var f = Report(ctx, "ADD of local files: COPY does the same without ADD's implicit unpacking and URL handling.", ins.KeywordRange, ins, "Use COPY.");
            f.Edits.Add(new TextEdit(ins.KeywordRange.Start.Line, ins.KeywordRange.Start.Column, 3, ins.KeywordText == "add" ? "copy" : "COPY"));
        }
    }
}
