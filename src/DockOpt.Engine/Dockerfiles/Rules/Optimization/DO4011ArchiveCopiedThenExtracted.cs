namespace DockOpt.Engine.Dockerfiles.Rules.Optimization;

/// <summary>An archive COPYed and then extracted by RUN ships the archive in its own layer (hadolint DL3010).</summary>
public sealed class DO4011ArchiveCopiedThenExtracted : Rule
{
    public override RuleInfo Info { get; } = new("DO4011", "ArchiveCopiedThenExtracted", Severity.Low, "An archive is COPYed and then extracted by RUN: the archive ships in its own layer.", "DL3010");

    public override void Check(LintContext ctx)
    {
        foreach (var st in ctx.Model.Stages)
        {
            var archives = new List<(string Path, Instruction By)>();
            foreach (var ins in st.Instructions)
            {
                if (ins.Keyword == "COPY" && !ins.HasFlag("from")) AddArchives(ctx, ins, archives);
                else if (ins.Keyword == "RUN" && archives.Count > 0 && ctx.IsPosixShell(ins)) CheckExtracts(ctx, ins, archives);
            }
        }
    }

    static void AddArchives(LintContext ctx, Instruction ins, List<(string Path, Instruction By)> archives)
    {
        var (sources, dest, _) = CopyArguments.Of(ctx, ins);
        if (dest == null) return;
        foreach (var src in sources.Where(x => Sources.IsTarArchive(x.Value)))
        {
            var name = src.Value.Contains('/') ? src.Value.Substring(src.Value.LastIndexOf('/') + 1) : src.Value;
            archives.Add((StagePaths.Absolute(ctx, ins, dest.EndsWith('/') ? dest.TrimEnd('/') + "/" + name : dest), ins));
        }
    }

    void CheckExtracts(LintContext ctx, Instruction ins, List<(string Path, Instruction By)> archives)
    {
        foreach (var c in ctx.Commands(ins).Where(c => c.Program == "tar" && c.Args.Any(a => a.Value.StartsWith('-') ? a.Value.Contains('x') : a.Value.StartsWith('x'))))
            foreach (var a in c.Args)
            {
                var hit = archives.FirstOrDefault(x => x.Path == StagePaths.Absolute(ctx, ins, a.Value));
                if (hit.By != null)
                    Report(ctx, $"'{a.Value}' is copied by the COPY on line {hit.By.Range.Start.Line} and extracted here: the archive stays in the image.", c.RangeOfWord(a), ins,
                        $"ADD {a.Value.Substring(a.Value.LastIndexOf('/') + 1)} <dir>/ (extracts it), or RUN --mount=type=bind,source=<archive>,target=/tmp/a tar -xf /tmp/a.");
            }
    }
}
