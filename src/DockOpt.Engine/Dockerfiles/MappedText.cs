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

    /// <summary>
    /// Collects pieces (a line's text with its first column, or one synthetic character) and lays out the text and its
    /// position arrays once, at their final size: one logical line per instruction makes this the parser's busiest path.
    /// </summary>
    internal sealed class Builder
    {
        readonly List<(string Text, int Line, int FirstCol, bool Synthetic)> _parts = new(2);
        int _length;

        public void Append(string s, int line, int firstCol)
        {
            if (s.Length == 0) return;
            _parts.Add((s, line, firstCol, false));
            _length += s.Length;
        }

        public void AppendSynthetic(char c, int line, int col)
        {
            _parts.Add((c.ToString(), line, col, true));
            _length++;
        }

        public int Length => _length;

        public MappedText Build(SourcePosition endAnchor)
        {
            var lines = new int[_length];
            var cols = new int[_length];
            string text;
            if (_parts.Count == 1) text = _parts[0].Text;
            else
            {
                text = string.Create(_length, _parts, static (span, parts) =>
                {
                    var at = 0;
                    foreach (var p in parts) { p.Text.AsSpan().CopyTo(span[at..]); at += p.Text.Length; }
                });
            }
            var k = 0;
            foreach (var (t, line, first, synthetic) in _parts)
                for (var i = 0; i < t.Length; i++, k++)
                {
                    lines[k] = line;
                    cols[k] = synthetic ? first : first + i;
                }
            return new(text, lines, cols, endAnchor);
        }
    }
}
