namespace DockOpt.Engine.Dockerfiles;

/// <summary>
/// Text whose every character knows its physical line and column: a logical instruction line joined from
/// continuation lines, or a heredoc body. Positions of anything found inside map back exactly (hadolint #807).
/// </summary>
/// <remarks>
/// Positions are kept as runs (one per physical line piece), not per character: a whole Dockerfile of one-line
/// instructions is mostly single-run texts, so mapping costs no array at all (per-character arrays were a third of
/// what the parser kept alive).
/// </remarks>
public sealed class MappedText
{
    /// <summary>Characters from <see cref="Offset"/> on: the first at (Line, Col), each next one Step columns further (1, or 0 for characters that all stand at one place).</summary>
    readonly record struct Run(int Offset, int Line, int Col, int Step);

    static readonly Run[] NoRuns = Array.Empty<Run>();

    readonly Run _first;     // the run at offset 0 (unused for an empty text)
    readonly Run[]? _runs;   // every run, first included, when there is more than one
    readonly SourcePosition _endAnchor;

    /// <summary>Text with the line and column of every character.</summary>
    public MappedText(string text, int[] lines, int[] cols, SourcePosition endAnchor) : this(text, Compress(lines, cols, text.Length), endAnchor) { }

    MappedText(string text, Run[] runs, SourcePosition endAnchor)
    {
        Text = text;
        _endAnchor = endAnchor;
        if (runs.Length > 0) _first = runs[0];
        if (runs.Length > 1) _runs = runs;
    }

    MappedText(string text, Run first, SourcePosition endAnchor)
    {
        Text = text;
        _first = first;
        _endAnchor = endAnchor;
    }

    /// <summary>Text whose characters all map to one position (the strings of an exec form, at the start of the arguments).</summary>
    internal static MappedText Anchored(string text, SourcePosition at, SourcePosition endAnchor) =>
        new(text, new Run(0, at.Line, at.Column, 0), endAnchor);

    public string Text { get; }

    /// <summary>The position just after the text (for a logical line: after its last physical character).</summary>
    public SourcePosition EndAnchor => _endAnchor;
    public int Length => Text.Length;

    /// <summary>The run holding the character at <paramref name="index"/> (0 ≤ index &lt; Length).</summary>
    Run RunAt(int index)
    {
        var runs = _runs;
        if (runs == null) return _first;
        int lo = 0, hi = runs.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (runs[mid].Offset <= index) lo = mid; else hi = mid - 1;
        }
        return runs[lo];
    }

    public SourcePosition PositionAt(int index)
    {
        if (Text.Length == 0) return _endAnchor;
        if (index >= Text.Length) return EndOf(Text.Length);
        var r = RunAt(index);
        return new(r.Line, r.Col + (index - r.Offset) * r.Step);
    }

    /// <summary>Position just after the character before <paramref name="endIndex"/>.</summary>
    public SourcePosition EndOf(int endIndex)
    {
        if (Text.Length == 0 || endIndex <= 0) return endIndex <= 0 && Text.Length > 0 ? new(_first.Line, _first.Col) : _endAnchor;
        var i = Math.Min(endIndex, Text.Length) - 1;
        var r = RunAt(i);
        return new(r.Line, r.Col + (i - r.Offset) * r.Step + 1);
    }

    public SourceRange RangeOf(int start, int end) => new(PositionAt(start), EndOf(Math.Max(end, start)));

    public MappedText Slice(int start, int length)
    {
        start = Math.Clamp(start, 0, Text.Length);
        length = Math.Clamp(length, 0, Text.Length - start);
        if (start == 0 && length == Text.Length) return this; // immutable: the same text, positions and end
        var end = length == 0 ? PositionAt(start) : _endAnchor;
        var text = Text.Substring(start, length);
        if (length == 0) return new MappedText(text, NoRuns, end);
        if (_runs == null)
            return new MappedText(text, _first with { Offset = 0, Col = _first.Col + (start - _first.Offset) * _first.Step }, end);
        var list = new List<Run>();
        for (var k = 0; k < _runs.Length; k++)
        {
            var r = _runs[k];
            if (r.Offset >= start + length) break;
            var runEnd = k + 1 < _runs.Length ? _runs[k + 1].Offset : Text.Length;
            if (runEnd <= start) continue;
            var from = Math.Max(r.Offset, start);
            list.Add(new Run(from - start, r.Line, r.Col + (from - r.Offset) * r.Step, r.Step));
        }
        return new MappedText(text, list.ToArray(), end);
    }

    public MappedText Trim()
    {
        int s = 0, e = Text.Length;
        while (s < e && char.IsWhiteSpace(Text[s])) s++;
        while (e > s && char.IsWhiteSpace(Text[e - 1])) e--;
        return Slice(s, e - s);
    }

    public override string ToString() => Text;

    /// <summary>Runs from per-character positions.</summary>
    static Run[] Compress(int[] lines, int[] cols, int length)
    {
        var runs = new List<Run>();
        for (var k = 0; k < length;)
        {
            int line = lines[k], col = cols[k];
            var step = k + 1 < length && lines[k + 1] == line && cols[k + 1] == col ? 0 : 1;
            var j = k + 1;
            while (j < length && lines[j] == line && cols[j] == col + (j - k) * step) j++;
            runs.Add(new Run(k, line, col, step));
            k = j;
        }
        return runs.ToArray();
    }

    /// <summary>
    /// Collects pieces (a line's text with its first column, or one synthetic character) and lays out the text and its
    /// runs once: one logical line per instruction makes this the parser's busiest path.
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
            if (_parts.Count == 0) return new MappedText("", NoRuns, endAnchor);
            if (_parts.Count == 1)
            {
                var (t, line, first, synthetic) = _parts[0];
                return new MappedText(t, new Run(0, line, first, synthetic ? 0 : 1), endAnchor);
            }
            var text = string.Create(_length, _parts, static (span, parts) =>
            {
                var at = 0;
                foreach (var p in parts) { p.Text.AsSpan().CopyTo(span[at..]); at += p.Text.Length; }
            });
            var runs = new Run[_parts.Count];
            var offset = 0;
            for (var k = 0; k < _parts.Count; k++)
            {
                var (t, line, first, synthetic) = _parts[k];
                runs[k] = new Run(offset, line, first, synthetic ? 0 : 1);
                offset += t.Length;
            }
            return new MappedText(text, runs, endAnchor);
        }
    }
}
