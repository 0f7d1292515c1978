using System.Text;

namespace DockOpt.Engine.Dockerfiles;

/// <summary>A 1-based physical position in the file.</summary>
public readonly record struct SourcePosition(int Line, int Column);

/// <summary>A range of the file: Start inclusive, End = position just after the last character.</summary>
public readonly record struct SourceRange(SourcePosition Start, SourcePosition End)
{
    public static SourceRange Of(int line, int col, int endLine, int endCol) => new(new(line, col), new(endLine, endCol));
}

/// <summary>
/// Text whose every character knows its physical line and column: a logical instruction line joined from
/// continuation lines, or a heredoc body. Positions of anything found inside map back exactly (hadolint #807).
/// </summary>
public sealed class MappedText
{
    readonly int[] _lines;
    readonly int[] _cols;
    readonly SourcePosition _endAnchor;

    public MappedText(string text, int[] lines, int[] cols, SourcePosition endAnchor)
    {
        Text = text;
        _lines = lines;
        _cols = cols;
        _endAnchor = endAnchor;
    }

    public string Text { get; }
    public int Length => Text.Length;

    public SourcePosition PositionAt(int index)
    {
        if (Text.Length == 0) return _endAnchor;
        if (index >= Text.Length) return EndOf(Text.Length);
        return new(_lines[index], _cols[index]);
    }

    /// <summary>Position just after the character before <paramref name="endIndex"/>.</summary>
    public SourcePosition EndOf(int endIndex)
    {
        if (Text.Length == 0 || endIndex <= 0) return endIndex <= 0 && Text.Length > 0 ? new(_lines[0], _cols[0]) : _endAnchor;
        var i = Math.Min(endIndex, Text.Length) - 1;
        return new(_lines[i], _cols[i] + 1);
    }

    public SourceRange RangeOf(int start, int end) => new(PositionAt(start), EndOf(Math.Max(end, start + (end > start ? 0 : 0))));

    public MappedText Slice(int start, int length)
    {
        start = Math.Clamp(start, 0, Text.Length);
        length = Math.Clamp(length, 0, Text.Length - start);
        return new MappedText(Text.Substring(start, length), _lines[start..(start + length)], _cols[start..(start + length)],
            length == 0 ? PositionAt(start) : _endAnchor);
    }

    public MappedText Trim()
    {
        int s = 0, e = Text.Length;
        while (s < e && char.IsWhiteSpace(Text[s])) s++;
        while (e > s && char.IsWhiteSpace(Text[e - 1])) e--;
        return Slice(s, e - s);
    }

    public override string ToString() => Text;

    internal sealed class Builder
    {
        readonly StringBuilder _sb = new();
        readonly List<int> _lines = new();
        readonly List<int> _cols = new();

        public void Append(string s, int line, int firstCol)
        {
            for (var i = 0; i < s.Length; i++)
            {
                _sb.Append(s[i]);
                _lines.Add(line);
                _cols.Add(firstCol + i);
            }
        }

        public void AppendSynthetic(char c, int line, int col)
        {
            _sb.Append(c);
            _lines.Add(line);
            _cols.Add(col);
        }

        public int Length => _sb.Length;
        public MappedText Build(SourcePosition endAnchor) => new(_sb.ToString(), _lines.ToArray(), _cols.ToArray(), endAnchor);
    }
}

/// <summary>A <c>--name[=value]</c> flag of an instruction.</summary>
public sealed class InstructionFlag
{
    public string Name { get; init; } = "";
    public string? Value { get; init; }
    public SourceRange Range { get; init; }
    public override string ToString() => Value == null ? "--" + Name : $"--{Name}={Value}";
}

/// <summary>A heredoc attached to RUN/COPY/ADD.</summary>
public sealed class Heredoc
{
    public string Delimiter { get; init; } = "";
    /// <summary>Quoted delimiter (<c>&lt;&lt;"EOF"</c>): no build-time expansion.</summary>
    public bool Quoted { get; init; }
    /// <summary><c>&lt;&lt;-EOF</c>: leading tabs stripped.</summary>
    public bool StripTabs { get; init; }
    /// <summary>Body, lines joined with \n, each character mapped to its physical position.</summary>
    public MappedText Body { get; init; } = null!;
    public SourceRange MarkerRange { get; init; }
    /// <summary>From the marker to the end of the terminator line.</summary>
    public SourceRange Range { get; init; }
    public bool Terminated { get; init; }
}

/// <summary>One comment line.</summary>
public sealed record CommentLine(int Line, int Column, string Text);

/// <summary>One instruction with exact physical positions.</summary>
public sealed class Instruction
{
    /// <summary>Upper-case keyword, e.g. RUN.</summary>
    public string Keyword { get; init; } = "";
    /// <summary>Keyword as written.</summary>
    public string KeywordText { get; init; } = "";
    public SourceRange KeywordRange { get; init; }
    /// <summary>From the keyword to the end of the last continuation or heredoc terminator.</summary>
    public SourceRange Range { get; internal set; }
    public List<InstructionFlag> Flags { get; } = new();
    /// <summary>The arguments after the flags (continuations joined, comment lines removed).</summary>
    public MappedText Arguments { get; internal set; } = null!;
    public List<Heredoc> Heredocs { get; } = new();
    /// <summary>Exec (JSON) form arguments, or null for shell form.</summary>
    public string[]? ExecForm { get; internal set; }
    /// <summary>Arguments start with '[' but are not valid JSON (falls back to shell form).</summary>
    public bool InvalidJson { get; internal set; }
    /// <summary>Comment lines directly preceding this instruction (pragmas).</summary>
    public List<CommentLine> Comments { get; } = new();
    /// <summary>ONBUILD trigger.</summary>
    public Instruction? Trigger { get; internal set; }
    /// <summary>The ONBUILD instruction this trigger belongs to.</summary>
    public Instruction? Parent { get; internal set; }
    /// <summary>Index of the stage (-1 before the first FROM).</summary>
    public int StageIndex { get; internal set; } = -1;
    /// <summary>Index of this instruction in the file.</summary>
    public int Index { get; internal set; }
    public bool IsKnown { get; internal set; }

    public string? Flag(string name) => Flags.LastOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase))?.Value;
    public bool HasFlag(string name) => Flags.Any(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
    public IEnumerable<InstructionFlag> FlagsNamed(string name) => Flags.Where(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
    public override string ToString() => $"{KeywordText} {Arguments}";
}

/// <summary>A finding produced while parsing (the parse goes on).</summary>
public sealed record ParseIssue(string RuleId, string Message, SourceRange Range, Instruction? Instruction = null, string Fix = "");

/// <summary>The result of parsing one Dockerfile.</summary>
public sealed class DockerfileDocument
{
    public string Text { get; init; } = "";
    public string[] Lines { get; init; } = Array.Empty<string>();
    public char EscapeChar { get; init; } = '\\';
    /// <summary>Parser directives (lower-case keys).</summary>
    public Dictionary<string, (string Value, int Line)> Directives { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<Instruction> Instructions { get; } = new();
    public List<CommentLine> Comments { get; } = new();
    public List<ParseIssue> Issues { get; } = new();
}
