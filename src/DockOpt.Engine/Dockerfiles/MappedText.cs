using System.Text;

namespace DockOpt.Engine.Dockerfiles;

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

    /// <summary>The position just after the text (for a logical line: after its last physical character).</summary>
    public SourcePosition EndAnchor => _endAnchor;
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
