using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using DockOpt.Engine.Dockerfiles.Rules;

namespace DockOpt.Engine.Dockerfiles.Shell;

/// <summary>Questions the ShellCheck rules ask of a parsed script.</summary>
public static class ShQueries
{
    /// <summary>
    /// Words that undergo splitting and globbing: the arguments of simple commands (not the command name) and
    /// redirection targets. Not for-lists, case words, assignment values or [[ ]] operands.
    /// </summary>
    public static IEnumerable<(ShSimpleCommand? Command, ShWord Word)> SplitWords(ShScript s)
    {
        foreach (var n in s.Nodes)
        {
            if (n is ShSimpleCommand c)
                for (var k = 1; k < c.Words.Count; k++) yield return (c, c.Words[k]);
            if (n is ShCommand cmd)
                foreach (var r in cmd.Redirects)
                    if (r.Target != null && !r.Op.StartsWith("<<", StringComparison.Ordinal)) yield return (cmd as ShSimpleCommand, r.Target);
        }
    }

    /// <summary>Parts of a word that stand outside double quotes.</summary>
    public static IEnumerable<ShPart> UnquotedParts(ShWord w) => w.Parts.Where(p => p is not (ShDoubleQuoted or ShSingleQuoted));

    /// <summary>Variables whose every assignment in the script is a literal without blanks or glob characters.</summary>
    public static IReadOnlySet<string> SafeVariables(ShScript s)
    {
        var safe = new HashSet<string>(StringComparer.Ordinal);
        var unsafeNames = new HashSet<string>(StringComparer.Ordinal);
        void Note(string name, string? value)
        {
            if (value != null && value.IndexOfAny(new[] { ' ', '\t', '\n', '*', '?', '[' }) < 0) safe.Add(name); else unsafeNames.Add(name);
        }
        foreach (var n in s.Nodes)
            switch (n)
            {
                case ShAssignment a:
                    if (a.Array != null) unsafeNames.Add(a.Name); else Note(a.Name, a.Value == null ? "" : a.Value.Literal);
                    break;
                case ShFor f:
                    if (f.Words == null) unsafeNames.Add(f.Variable);
                    else foreach (var w in f.Words) Note(f.Variable, w.Literal);
                    break;
                case ShSimpleCommand c when c.Name is "export" or "local" or "readonly" or "declare" or "typeset":
                    foreach (var w in c.Words.Skip(1))
                    {
                        var first = w.Parts.FirstOrDefault() as ShLiteral;
                        if (first == null) continue;
                        var eq = first.Text.IndexOf('=');
                        if (eq <= 0) continue;
                        var lit = w.Literal;
                        Note(first.Text[..eq], lit == null ? null : lit[(eq + 1)..]);
                    }
                    break;
                case ShSimpleCommand c when c.Name is "read" or "getopts" or "mapfile" or "readarray":
                    foreach (var w in c.Words.Skip(1)) if (w.Literal is { } l && !l.StartsWith('-')) unsafeNames.Add(l);
                    break;
                case ShParam p when p.Braced && p.Body.Length > p.Name.Length && (p.Body[p.Name.Length..].StartsWith(":=") || p.Body[p.Name.Length..].StartsWith("=")):
                    unsafeNames.Add(p.Name);
                    break;
            }
        safe.ExceptWith(unsafeNames);
        return safe;
    }

    /// <summary>Is the node inside a [[ ]], a for-list, a case word or an assignment value (no splitting there)?</summary>
    public static bool InNonSplittingContext(ShScript s, ShNode n)
    {
        foreach (var a in s.Ancestors(n))
        {
            if (a is ShSimpleCommand) return false;
            if (a is ShDoubleBracket or ShAssignment or ShFor or ShCase) return true;
            if (a is ShCommandSub) return false;
        }
        return false;
    }

    /// <summary>The simple command a word belongs to (its nearest enclosing one), or null.</summary>
    public static ShSimpleCommand? CommandOf(ShScript s, ShNode n) => s.Ancestors(n).OfType<ShSimpleCommand>().FirstOrDefault();

    /// <summary>Is the command the condition of an if/while/until (directly, or as the last of a condition list)?</summary>
    public static bool IsCondition(ShScript s, ShCommand c)
    {
        var n = (ShNode)c;
        foreach (var a in s.Ancestors(c))
        {
            if (a is ShIf i) return i.Branches.Any(b => ReferenceEquals(b.Condition, n));
            if (a is ShWhile w) return ReferenceEquals(w.Condition, n);
            if (a is ShSequence or ShAndOr or ShPipeline) { n = a; continue; }
            return false;
        }
        return false;
    }

    /// <summary>
    /// The names a RUN finds set by Docker, which count as assigned: for a RUN, its stage's ENV and ARG names and the
    /// predefined proxy arguments (<see cref="RunShellScript.DockerVariables"/>). An ONBUILD trigger runs in the child
    /// image right after its FROM: it sees the ENV of the stage (kept in the image configuration) and the proxy arguments,
    /// not the stage's ARGs (build arguments never pass to an image built FROM it).
    /// </summary>
    /// <remarks>
    /// One set per stage (and one for the triggers of a stage): the names are those of the whole stage plus what its base
    /// stage leaves, the same for every RUN of the stage, and building a copy per RUN made a long file's lint quadratic.
    /// </remarks>
    public static IReadOnlySet<string> DockerVariables(LintContext ctx, RunShellScript run)
    {
        var byStage = PerStage.GetValue(ctx, _ => new Dictionary<(int, bool), IReadOnlySet<string>>());
        var trigger = run.Run.Parent != null;
        var key = (run.Run.StageIndex, trigger);
        if (!byStage.TryGetValue(key, out var set)) byStage[key] = set = trigger ? EnvOfStage(ctx, run.Run) : run.DockerVariables;
        return set;
    }

    static readonly ConditionalWeakTable<LintContext, Dictionary<(int Stage, bool Trigger), IReadOnlySet<string>>> PerStage = new();
    static readonly string[] ProxyArgs = { "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy" };

    static IReadOnlySet<string> EnvOfStage(LintContext ctx, Instruction trigger)
    {
        var set = new HashSet<string>(ProxyArgs, StringComparer.Ordinal);
        foreach (var i in ctx.Document.Instructions)
            if (i.Keyword == "ENV" && i.StageIndex == trigger.StageIndex)
                foreach (var kv in VariableExpander.KeyValues(i.Arguments.Text, true)) set.Add(kv.Key);
        var scope = ctx.Model.ScopeBefore(trigger.Parent ?? trigger); // ENV inherited from a base stage of the file
        foreach (var name in scope.Vars.Keys) if (!scope.Args.Contains(name)) set.Add(name);
        return set;
    }

    /// <summary>
    /// Names the script writes as ShellCheck counts them: plain assignments (not the prefix of a command, <c>FOO=1 make</c>),
    /// for variables, the names given to read, getopts, export, local, declare, typeset, readonly, mapfile and readarray
    /// (with or without a value; <c>unset</c> is no write), <c>${x=…}</c> / <c>${x:=…}</c> and assignments in arithmetic.
    /// </summary>
    public static IReadOnlySet<string> WrittenNames(ShScript s)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in s.Nodes)
            switch (n)
            {
                case ShSimpleCommand c:
                    if (c.Words.Count == 0) foreach (var a in c.Assignments) set.Add(a.Name);
                    if (c.Name is "read" or "getopts" or "export" or "local" or "declare" or "typeset" or "readonly" or "mapfile" or "readarray")
                        foreach (var w in c.Words.Skip(1))
                        {
                            var l = w.Literal ?? (w.Parts.FirstOrDefault() as ShLiteral)?.Text ?? "";
                            var eq = l.IndexOf('=');
                            var name = eq >= 0 ? l[..eq] : l;
                            if (IsVariableName(name)) set.Add(name);
                        }
                    break;
                case ShFor f: set.Add(f.Variable); break;
                case ShParam p when p.Braced && AssigningParam.IsMatch(p.Body): set.Add(p.Name); break;
                case ShArith a: foreach (Match m in ArithAssignment.Matches(a.Text)) set.Add(m.Groups[1].Value); break;
                case ShArithCommand ac: foreach (Match m in ArithAssignment.Matches(ac.Text)) set.Add(m.Groups[1].Value); break;
            }
        return set;
    }

    static readonly Regex AssigningParam = new(@"^[A-Za-z_][A-Za-z0-9_]*:?=", RegexOptions.Compiled);
    static readonly Regex ArithAssignment = new(@"(?<![A-Za-z0-9_$])([A-Za-z_][A-Za-z0-9_]*)\s*(?:[-+*/%&|^]|<<|>>)?=(?!=)", RegexOptions.Compiled);
    static readonly Regex ArithName = new(@"(?<![A-Za-z0-9_])(\$\{?)?([A-Za-z_][A-Za-z0-9_]*)", RegexOptions.Compiled);

    /// <summary>A variable read by the script: where (offsets in the script) and whether it is guarded by a default or a test (${x:-…}, ${x-…}, ${x:?…}, ${x:+…}).</summary>
    public readonly record struct VariableReference(string Name, int Start, int End, bool Guarded);

    /// <summary>
    /// Every read of a named variable, in source order: <c>$x</c> and <c>${x…}</c> (not <c>${x=…}</c>, which writes it),
    /// and the names inside <c>$((…))</c> and <c>((…))</c>, which need no <c>$</c>.
    /// </summary>
    public static IReadOnlyList<VariableReference> References(ShScript s) => ReferenceCache.GetValue(s, CollectReferences);

    static readonly ConditionalWeakTable<ShScript, List<VariableReference>> ReferenceCache = new(); // read by SC2154 and SC2153

    static List<VariableReference> CollectReferences(ShScript s)
    {
        var list = new List<VariableReference>();
        foreach (var n in s.Nodes)
            switch (n)
            {
                case ShParam p when p.Name.Length > 0 && IsVariableName(p.Name) && !(p.Braced && AssigningParam.IsMatch(p.Body)):
                    list.Add(new VariableReference(p.Name, p.Start, p.End, p.Braced && IsGuard(p)));
                    break;
                case ShArith a: AddArithmetic(list, a.Text, a.Start + 3); break;
                case ShArithCommand ac: AddArithmetic(list, ac.Text, ac.Start); break;
            }
        list.Sort((x, y) => x.Start.CompareTo(y.Start));
        return list;
    }

    static void AddArithmetic(List<VariableReference> list, string text, int offset)
    {
        foreach (Match m in ArithName.Matches(text))
        {
            var name = m.Groups[2];
            var after = name.Index + name.Length;
            if (after < text.Length && text[after] == '=' && (after + 1 >= text.Length || text[after + 1] != '=')) continue; // x=1 writes
            list.Add(new VariableReference(name.Value, offset + m.Index, offset + after, false));
        }
    }

    /// <summary>${x:-…}, ${x-…}, ${x:?…}, ${x?…}, ${x:+…}, ${x+…} (after an optional [index]).</summary>
    static bool IsGuard(ShParam p)
    {
        var body = p.Body.AsSpan();
        if (body.Length > 0 && body[0] is '#' or '!') body = body[1..];
        if (!body.StartsWith(p.Name, StringComparison.Ordinal)) return false;
        body = body[p.Name.Length..];
        if (body.Length > 0 && body[0] == '[')
        {
            var close = body.LastIndexOf(']');
            if (close < 0) return false;
            body = body[(close + 1)..];
        }
        if (body.Length > 0 && body[0] == ':') body = body[1..];
        return body.Length > 0 && body[0] is '-' or '?' or '+';
    }

    public static bool IsVariableName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_')) return false;
        foreach (var c in name) if (!(char.IsAsciiLetterOrDigit(c) || c == '_')) return false;
        return true;
    }

    public static bool IsIdentifierStart(char c) => char.IsLetter(c) || c == '_';
}
