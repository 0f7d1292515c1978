namespace DockOpt.Engine.Dockerfiles.Rules;

/// <summary>The sources and destination of COPY and ADD, as the rules read them.</summary>
internal static class CopyArguments
{
    /// <summary>Sources (expanded) and destination of COPY/ADD, heredoc markers excluded; Dest is null when there is none.</summary>
    public static (List<(string Value, Word Word)> Sources, string? Dest, SourceRange DestRange) Of(LintContext ctx, Instruction ins)
    {
        var list = new List<(string, Word)>();
        if (ins.ExecForm != null)
        {
            var r = ins.Arguments.RangeOf(0, ins.Arguments.Length);
            var vals = ins.ExecForm.Select(v => ctx.Model.Expand(ins, v).Value).ToList();
            if (vals.Count < 2) return (list, null, r);
            return (vals.Take(vals.Count - 1).Select(v => (v, new Word(0, ins.Arguments.Length, v, v))).ToList(), vals[^1], r);
        }
        var words = DockerfileParser.Words(ins.Arguments.Text).ToList();
        if (words.Count == 0) return (list, null, default);
        foreach (var w in words.Take(words.Count - 1))
        {
            if (w.Raw.StartsWith("<<", StringComparison.Ordinal)) continue;
            list.Add((ctx.Model.Expand(ins, w.Raw).Value, w));
        }
        var d = words[^1];
        if (words.Count == 1 && ins.Heredocs.Count == 0) return (list, null, default);
        return (list, ctx.Model.Expand(ins, d.Raw).Value, ins.Arguments.RangeOf(d.Start, d.End));
    }

    /// <summary>Is the destination relative (not /…, not C:\…, not \…, not a variable)?</summary>
    public static bool IsRelative(string dest) =>
        !dest.StartsWith('/') && !WindowsPaths.IsDriveAbsolute(dest) && !dest.StartsWith('\\') && !dest.StartsWith('$');
}
