using System.Text.RegularExpressions;

namespace DockOpt.Engine.Dockerfiles.Rules;

/// <summary><c>$NAME</c> and <c>${NAME…}</c> references in instruction arguments.</summary>
internal static class VariableReferences
{
    /// <summary>Group 1 is the variable name.</summary>
    public static readonly Regex Pattern = new(@"\$\{?([A-Za-z_][A-Za-z0-9_]*)", RegexOptions.Compiled);

    /// <summary>Range of the first reference to <paramref name="name"/> in the arguments (all of them when absent).</summary>
    public static SourceRange RangeOf(Instruction ins, string name)
    {
        var t = ins.Arguments.Text;
        var i = t.IndexOf("${" + name, StringComparison.Ordinal);
        if (i < 0) i = t.IndexOf("$" + name, StringComparison.Ordinal);
        if (i < 0) return ins.Arguments.RangeOf(0, t.Length);
        var end = i + 1 + name.Length + (t[i + 1] == '{' ? 1 : 0);
        if (t[i + 1] == '{') { var c = t.IndexOf('}', i); if (c > 0) end = c + 1; }
        return ins.Arguments.RangeOf(i, end);
    }
}
