namespace DockOpt.Engine.Dockerfiles.Rules;

/// <summary>Working directories and absolute paths inside a stage.</summary>
internal static class StagePaths
{
    /// <summary>
    /// Does an absolute WORKDIR precede the instruction in its stage or in the stages it builds on? Outside a stage
    /// (<paramref name="st"/> null): among the instructions before it that are outside a stage too.
    /// </summary>
    public static bool HasWorkdirBefore(LintContext ctx, Stage? st, Instruction ins)
    {
        if (st == null)
            return ctx.WorkdirsOf(-1).Any(i => i.Index < ins.Index && IsAbsoluteWorkdir(ctx, i));
        for (var s = st; s != null; s = s.BaseStage is int b ? ctx.Model.Stages[b] : null)
            if (ctx.WorkdirsOf(s.Index).Any(i => (s != st || i.Index < ins.Index) && IsAbsoluteWorkdir(ctx, i)))
                return true;
        return false;
    }

    /// <summary>A path of the instruction made absolute against the WORKDIRs before it (no trailing slash).</summary>
    public static string Absolute(LintContext ctx, Instruction ins, string path)
    {
        var v = ctx.Model.Expand(ins, path).Value;
        if (v.StartsWith('/')) return v.TrimEnd('/');
        var wd = "/";
        // The WORKDIRs before it in its stage, or outside a stage those before it that are outside a stage too.
        // (Only the WORKDIRs of the section are walked, so a RUN costs the number of WORKDIRs, not of instructions.)
        foreach (var w in ctx.WorkdirsOf(ctx.Model.StageOf(ins)?.Index ?? -1).TakeWhile(i => i.Index < ins.Index))
        {
            var p = ctx.Model.Expand(w, w.Arguments.Text).Value;
            wd = p.StartsWith('/') ? p : wd.TrimEnd('/') + "/" + p;
        }
        return (wd.TrimEnd('/') + "/" + v.TrimStart('.', '/')).TrimEnd('/');
    }

    /// <summary>
    /// Is the WORKDIR absolute: its expanded value, or a Windows path as written (<c>WORKDIR c:\app</c>: the backslash
    /// is the escape character of a Linux Dockerfile, so expansion would mangle it).
    /// </summary>
    public static bool IsAbsoluteWorkdir(LintContext ctx, Instruction workdir) =>
        IsAbsolute(ctx.Model.Expand(workdir, workdir.Arguments.Text).Value) || WindowsPaths.IsDriveAbsolute(workdir.Arguments.Text.Trim().Trim('"', '\''));

    /// <summary>A Linux absolute path or a Windows one (<c>C:\app</c>, <c>\app</c>).</summary>
    public static bool IsAbsolute(string path) => path.StartsWith('/') || path.StartsWith('\\') || WindowsPaths.IsDriveAbsolute(path);

    public static bool Same(string a, string b) => a.TrimEnd('/') == b.TrimEnd('/');
    public static bool Under(string child, string parent) => parent.Length > 1 && child.StartsWith(parent.TrimEnd('/') + "/", StringComparison.Ordinal);
}
