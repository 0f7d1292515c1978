namespace DockOpt.Engine.Dockerfiles.Rules;

/// <summary>Working directories and absolute paths inside a stage.</summary>
internal static class StagePaths
{
    /// <summary>Does an absolute WORKDIR precede the instruction in its stage or in the stages it builds on?</summary>
    public static bool HasWorkdirBefore(LintContext ctx, Stage st, Instruction ins)
    {
        for (var s = st; s != null; s = s.BaseStage is int b ? ctx.Model.Stages[b] : null)
            if (s.Instructions.Any(i => i.Keyword == "WORKDIR" && (s != st || i.Index < ins.Index) && ctx.Model.Expand(i, i.Arguments.Text).Value.StartsWith('/')))
                return true;
        return false;
    }

    /// <summary>A path of the instruction made absolute against the WORKDIRs before it (no trailing slash).</summary>
    public static string Absolute(LintContext ctx, Instruction ins, string path)
    {
        var v = ctx.Model.Expand(ins, path).Value;
        if (v.StartsWith('/')) return v.TrimEnd('/');
        var wd = "/";
        var st = ctx.Model.StageOf(ins);
        if (st != null)
            foreach (var w in st.Instructions.Where(i => i.Keyword == "WORKDIR" && i.Index < ins.Index))
            {
                var p = ctx.Model.Expand(w, w.Arguments.Text).Value;
                wd = p.StartsWith('/') ? p : wd.TrimEnd('/') + "/" + p;
            }
        return (wd.TrimEnd('/') + "/" + v.TrimStart('.', '/')).TrimEnd('/');
    }

    public static bool Same(string a, string b) => a.TrimEnd('/') == b.TrimEnd('/');
    public static bool Under(string child, string parent) => parent.Length > 1 && child.StartsWith(parent.TrimEnd('/') + "/", StringComparison.Ordinal);
}
