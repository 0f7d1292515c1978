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

    public static bool IsIdentifierStart(char c) => char.IsLetter(c) || c == '_';
}
