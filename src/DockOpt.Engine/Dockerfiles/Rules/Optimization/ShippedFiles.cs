namespace DockOpt.Engine.Dockerfiles.Rules.Optimization;

/// <summary>
/// Walks the shipped stages and keeps the paths that COPY/ADD and downloads (<c>curl -o</c>, <c>wget -O</c>) created
/// so far, so rules can ask what a RUN touches that an earlier layer added.
/// </summary>
internal static class ShippedFiles
{
    /// <summary>Calls <paramref name="onRun"/> for each POSIX RUN of the shipped stages with the paths created before it.</summary>
    public static void Walk(LintContext ctx, Action<Instruction, List<ShellCommand>, IReadOnlyList<(string Path, Instruction By)>> onRun)
    {
        var model = ctx.Model;
        if (model.Final == null) return;
        var created = new List<(string Path, Instruction By)>();
        foreach (var st in model.Shipped.Order().Select(i => model.Stages[i]))
            foreach (var ins in st.Instructions)
            {
                if (ins.Keyword is "COPY" or "ADD") AddCopied(ctx, ins, created);
                else if (ins.Keyword == "RUN" && ctx.IsPosixShell(ins))
                {
                    var cmds = ctx.Commands(ins);
                    onRun(ins, cmds, created);
                    foreach (var c in cmds)
                        if (c.Program is "curl" or "wget") AddDownloads(ctx, ins, c, created);
                }
            }
    }

    static void AddCopied(LintContext ctx, Instruction ins, List<(string, Instruction)> created)
    {
        var (sources, dest, _) = CopyArguments.Of(ctx, ins);
        if (dest == null) return;
        var dir = dest.EndsWith('/') || sources.Count > 1;
        foreach (var s in sources)
        {
            var name = s.Value.TrimEnd('/');
            name = name.Contains('/') ? name.Substring(name.LastIndexOf('/') + 1) : name;
            created.Add((dir && name.Length > 0 && name != "." && !name.Contains('*') ? dest.TrimEnd('/') + "/" + name : dest.TrimEnd('/'), ins));
        }
        if (ins.Heredocs.Count > 0) created.Add((dest, ins));
    }

    static void AddDownloads(LintContext ctx, Instruction ins, ShellCommand c, List<(string, Instruction)> created)
    {
        var ws = c.Words;
        for (var k = 0; k + 1 < ws.Count; k++)
            if ((c.Program == "curl" && ws[k].Value is "-o" or "--output") || (c.Program == "wget" && ws[k].Value is "-O" or "--output-document"))
                if (ws[k + 1].Value != "-") created.Add((StagePaths.Absolute(ctx, ins, ws[k + 1].Value), ins));
    }
}
