using System.Text.RegularExpressions;

namespace DockOpt.Engine.Dockerfiles.Shell;

/// <summary>The shell dialect a script runs under (from SHELL, or /bin/sh by default).</summary>
public enum ShDialect { Sh, Bash }

/// <summary>
/// One parsed RUN script (shell form text, the script of an <c>sh -c</c> exec form, or a shell heredoc body): its AST,
/// every node in source order with its parent, and positions mapped to the physical Dockerfile line and column.
/// </summary>
public sealed class ShScript
{
    readonly List<ShNode> _nodes = new();

    public ShScript(MappedText source, ShDialect dialect)
    {
        Source = source;
        Dialect = dialect;
        Root = ShParser.Parse(source.Text, out var failed);
        Failed = failed;
        Visit(Root, null);
        Disabled = ReadDirectives(source.Text);
    }

    public MappedText Source { get; }
    public string Text => Source.Text;
    public ShDialect Dialect { get; }
    public ShSequence Root { get; }
    /// <summary>The parser could not read part of the script (rules still see what was read).</summary>
    public bool Failed { get; }
    /// <summary>SC codes disabled by <c># shellcheck disable=…</c> comments inside the script.</summary>
    public IReadOnlySet<string> Disabled { get; }

    /// <summary>Every node, in source (pre-)order.</summary>
    public IReadOnlyList<ShNode> Nodes => _nodes;
    public IEnumerable<T> All<T>() where T : ShNode => _nodes.OfType<T>();
    public ShNode? ParentOf(ShNode n) => n.Parent;

    /// <summary>Ancestors, nearest first.</summary>
    public IEnumerable<ShNode> Ancestors(ShNode n)
    {
        for (var p = ParentOf(n); p != null; p = ParentOf(p)) yield return p;
    }

    public SourceRange RangeOf(ShNode n) => Source.RangeOf(n.Start, n.End);
    public SourceRange RangeOf(int start, int end) => Source.RangeOf(start, end);

    /// <summary>Does the script run <c>set -e</c> (or <c>set -o errexit</c>) anywhere?</summary>
    public bool HasErrexit => _errexit ??= All<ShSimpleCommand>().Any(c => c.Name == "set" && c.Words.Skip(1).Select(w => w.Literal ?? "")
        .Any(a => (a.Length > 1 && a[0] == '-' && a[1] != '-' && a.Contains('e')) || a == "errexit"));
    bool? _errexit;

    /// <summary>Names the script assigns: assignments, for variables, read/getopts/export/local/declare arguments.</summary>
    public IReadOnlySet<string> AssignedNames => _assigned ??= CollectAssigned();
    HashSet<string>? _assigned;

    HashSet<string> CollectAssigned()
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in _nodes)
            switch (n)
            {
                case ShAssignment a: set.Add(a.Name); break;
                case ShFor f: set.Add(f.Variable); break;
                case ShSimpleCommand c when c.Name is "read" or "getopts" or "export" or "local" or "declare" or "typeset" or "readonly" or "mapfile" or "readarray" or "unset":
                    foreach (var w in c.Words.Skip(1))
                    {
                        var l = w.Literal ?? (w.Parts.FirstOrDefault() as ShLiteral)?.Text ?? "";
                        var eq = l.IndexOf('=');
                        var name = eq >= 0 ? l[..eq] : l;
                        if (Regex.IsMatch(name, "^[A-Za-z_][A-Za-z0-9_]*$")) set.Add(name);
                    }
                    break;
                case ShParam p when p.Braced && Regex.IsMatch(p.Body, @"^[A-Za-z_][A-Za-z0-9_]*:?="): set.Add(p.Name); break;
            }
        return set;
    }

    void Visit(ShNode? n, ShNode? parent)
    {
        if (n == null) return;
        n.Parent = parent;
        _nodes.Add(n);
        switch (n)
        {
            case ShSequence s: foreach (var x in s.Items) Visit(x, n); break;
            case ShAndOr a: foreach (var x in a.Items) Visit(x, n); break;
            case ShPipeline p: foreach (var x in p.Commands) Visit(x, n); break;
            case ShWord w: foreach (var x in w.Parts) Visit(x, n); break;
            case ShDoubleQuoted d: foreach (var x in d.Parts) Visit(x, n); break;
            case ShCommandSub cs: Visit(cs.Body, n); break;
            case ShAssignment asg:
                Visit(asg.Value, n);
                if (asg.Array != null) foreach (var x in asg.Array) Visit(x, n);
                break;
            case ShRedirect r: Visit(r.Target, n); break;
            case ShCommand c:
                switch (c)
                {
                    case ShSimpleCommand sc:
                        foreach (var x in sc.Assignments) Visit(x, n);
                        foreach (var x in sc.Words) Visit(x, n);
                        break;
                    case ShSubshell sub: Visit(sub.Body, n); break;
                    case ShGroup g: Visit(g.Body, n); break;
                    case ShIf i:
                        foreach (var (cond, body) in i.Branches) { Visit(cond, n); Visit(body, n); }
                        Visit(i.Else, n);
                        break;
                    case ShFor f:
                        if (f.Words != null) foreach (var x in f.Words) Visit(x, n);
                        Visit(f.Body, n);
                        break;
                    case ShWhile wh: Visit(wh.Condition, n); Visit(wh.Body, n); break;
                    case ShCase cs2:
                        Visit(cs2.Subject, n);
                        foreach (var (pats, body) in cs2.Items) { foreach (var x in pats) Visit(x, n); Visit(body, n); }
                        break;
                    case ShFunction fn: Visit(fn.Body, n); break;
                    case ShDoubleBracket db: foreach (var x in db.Words) Visit(x, n); break;
                }
                foreach (var r in c.Redirects) Visit(r, n);
                break;
        }
    }

    static readonly Regex DisableDirective = new(@"#\s*shellcheck\s+disable\s*=\s*(?<ids>[A-Za-z0-9,\s]+)", RegexOptions.Compiled);

    static readonly HashSet<string> NoDirectives = new(StringComparer.OrdinalIgnoreCase);

    static IReadOnlySet<string> ReadDirectives(string text)
    {
        if (!text.Contains("shellcheck", StringComparison.Ordinal)) return NoDirectives; // read-only to callers: one shared empty set
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match m in DisableDirective.Matches(text))
            foreach (var id in m.Groups["ids"].Value.Split(',', ' ', '\t', '\n'))
                if (id.Trim().Length > 0) set.Add(id.Trim().ToUpperInvariant() == "ALL" ? "all" : id.Trim().ToUpperInvariant());
        return set;
    }
}
