namespace DockOpt.Engine.Dockerfiles.Shell;

/// <summary>A node of a parsed shell script; <see cref="Start"/>/<see cref="End"/> are offsets into the script text.</summary>
public abstract class ShNode
{
    public int Start { get; internal set; }
    public int End { get; internal set; }
    /// <summary>The enclosing node, set when a <see cref="ShScript"/> indexes its tree (null for the root).</summary>
    internal ShNode? Parent;
}

/// <summary>One part of a word.</summary>
public abstract class ShPart : ShNode { }

/// <summary>Unquoted literal text (escapes removed in <see cref="Text"/>; <see cref="Raw"/> as written).</summary>
public sealed class ShLiteral : ShPart
{
    public string Text { get; internal set; } = "";
    public string Raw { get; internal set; } = "";
}

/// <summary>'…'</summary>
public sealed class ShSingleQuoted : ShPart { public string Text { get; internal set; } = ""; }

/// <summary>"…" with its own parts.</summary>
public sealed class ShDoubleQuoted : ShPart { public List<ShPart> Parts { get; } = new(); }

/// <summary>$name, ${name…}, $1, $?, …: <see cref="Name"/> is the parameter, <see cref="Body"/> the text between the braces.</summary>
public sealed class ShParam : ShPart
{
    public string Name { get; internal set; } = "";
    public bool Braced { get; internal set; }
    public string Body { get; internal set; } = "";
    /// <summary>${#x}, ${x:-…} and other operators.</summary>
    public bool IsLength => Braced && Body.StartsWith('#') && Body.Length > 1;
    public bool HasOperator => Braced && Body.Length > Name.Length + (IsLength ? 1 : 0);
}

/// <summary>$(…) or `…`.</summary>
public sealed class ShCommandSub : ShPart
{
    public bool Backtick { get; internal set; }
    public ShSequence Body { get; internal set; } = new();
}

/// <summary>$((…)).</summary>
public sealed class ShArith : ShPart { public string Text { get; internal set; } = ""; }

/// <summary>A shell word: a run of parts with no unquoted blank.</summary>
public sealed class ShWord : ShNode
{
    public List<ShPart> Parts { get; } = new();
    /// <summary>The word as written.</summary>
    public string Raw { get; internal set; } = "";

    /// <summary>The literal value when the word has no expansion (quotes removed), else null.</summary>
    public string? Literal
    {
        get
        {
            if (Parts.Count == 1) // most words: no builder needed
                switch (Parts[0])
                {
                    case ShLiteral one: return one.Text;
                    case ShSingleQuoted sq: return sq.Text;
                }
            if (Parts.Count == 0) return "";
            var sb = new System.Text.StringBuilder();
            foreach (var p in Parts)
                switch (p)
                {
                    case ShLiteral l: sb.Append(l.Text); break;
                    case ShSingleQuoted s: sb.Append(s.Text); break;
                    case ShDoubleQuoted d when d.Parts.All(x => x is ShLiteral):
                        foreach (ShLiteral x in d.Parts) sb.Append(x.Text);
                        break;
                    default: return null;
                }
            return sb.ToString();
        }
    }

    /// <summary>Every part, depth first, with whether it stands inside double quotes.</summary>
    public IEnumerable<(ShPart Part, bool Quoted)> AllParts()
    {
        foreach (var p in Parts)
        {
            yield return (p, false);
            if (p is ShDoubleQuoted d)
                foreach (var q in d.Parts) yield return (q, true);
        }
    }
}

public sealed class ShAssignment : ShNode
{
    public string Name { get; internal set; } = "";
    public ShWord? Value { get; internal set; }
    /// <summary>name=( … ): an array.</summary>
    public List<ShWord>? Array { get; internal set; }
}

public sealed class ShRedirect : ShNode
{
    public string Op { get; internal set; } = "";
    public ShWord? Target { get; internal set; }
}

/// <summary>A command of any kind.</summary>
public abstract class ShCommand : ShNode
{
    public List<ShRedirect> Redirects { get; } = new();
}

public sealed class ShSimpleCommand : ShCommand
{
    public List<ShAssignment> Assignments { get; } = new();
    public List<ShWord> Words { get; } = new();
    /// <summary>The command name as a literal (null when it is an expansion or absent).</summary>
    public string? Name => Words.Count > 0 ? Words[0].Literal : null;
}

/// <summary>[! ] a | b | c</summary>
public sealed class ShPipeline : ShNode
{
    public bool Bang { get; internal set; }
    public List<ShCommand> Commands { get; } = new();
}

/// <summary>p1 &amp;&amp; p2 || p3: <see cref="Operators"/>[i] joins Items[i] and Items[i+1].</summary>
public sealed class ShAndOr : ShNode
{
    public List<ShPipeline> Items { get; } = new();
    public List<string> Operators { get; } = new();
    /// <summary>Offset of each operator in the text.</summary>
    public List<int> OperatorOffsets { get; } = new();
    public bool Background { get; internal set; }
}

/// <summary>A list of and-or lists separated by ; &amp; or newlines.</summary>
public sealed class ShSequence : ShNode
{
    public List<ShAndOr> Items { get; } = new();
}

public sealed class ShSubshell : ShCommand { public ShSequence Body { get; internal set; } = new(); }
public sealed class ShGroup : ShCommand { public ShSequence Body { get; internal set; } = new(); }

public sealed class ShIf : ShCommand
{
    /// <summary>(condition, body) for if and each elif.</summary>
    public List<(ShSequence Condition, ShSequence Body)> Branches { get; } = new();
    public ShSequence? Else { get; internal set; }
}

public sealed class ShFor : ShCommand
{
    public string Variable { get; internal set; } = "";
    public List<ShWord>? Words { get; internal set; }
    public ShSequence Body { get; internal set; } = new();
}

public sealed class ShWhile : ShCommand
{
    public bool Until { get; internal set; }
    public ShSequence Condition { get; internal set; } = new();
    public ShSequence Body { get; internal set; } = new();
}

public sealed class ShCase : ShCommand
{
    public ShWord Subject { get; internal set; } = new();
    public List<(List<ShWord> Patterns, ShSequence Body)> Items { get; } = new();
}

public sealed class ShFunction : ShCommand
{
    public string Name { get; internal set; } = "";
    /// <summary>Written with the <c>function</c> keyword.</summary>
    public bool Keyword { get; internal set; }
    public bool Parens { get; internal set; }
    public ShCommand Body { get; internal set; } = null!;
}

/// <summary>[[ … ]] (a bash test): its words.</summary>
public sealed class ShDoubleBracket : ShCommand { public List<ShWord> Words { get; } = new(); }

/// <summary>(( … )) arithmetic command.</summary>
public sealed class ShArithCommand : ShCommand { public string Text { get; internal set; } = ""; }
