using DockOpt.Engine.Dockerfiles;

namespace DockOpt.Engine.Tests.Dockerfiles;

/// <summary>
/// MappedText keeps positions as runs instead of per-character arrays (issue 18 item 6): every position, end, slice and
/// trim must be exactly what per-character arrays give.
/// </summary>
public class MappedTextTests
{
    /// <summary>Per-character positions like the parser makes: continuation pieces on several lines, synthetic newlines, anchored runs.</summary>
    static (string Text, int[] Lines, int[] Cols) Sample(int seed)
    {
        var rng = new Random(seed);
        var text = new System.Text.StringBuilder();
        var lines = new List<int>();
        var cols = new List<int>();
        var line = 1 + rng.Next(5);
        for (var piece = 0; piece < 1 + rng.Next(6); piece++)
        {
            var kind = rng.Next(3);
            var len = 1 + rng.Next(12);
            var col = 1 + rng.Next(8);
            for (var k = 0; k < len; k++)
            {
                text.Append(rng.Next(5) == 0 ? ' ' : (char)('a' + rng.Next(26)));
                lines.Add(line);
                cols.Add(kind == 2 ? col : col + k); // kind 2: every character at one place (exec form, synthetic newline)
            }
            line += rng.Next(3);
        }
        return (text.ToString(), lines.ToArray(), cols.ToArray());
    }

    static SourcePosition NaivePosition(string t, int[] l, int[] c, SourcePosition end, int i) =>
        t.Length == 0 ? end : i >= t.Length ? NaiveEnd(t, l, c, end, t.Length) : new(l[i], c[i]);

    static SourcePosition NaiveEnd(string t, int[] l, int[] c, SourcePosition end, int e)
    {
        if (t.Length == 0 || e <= 0) return e <= 0 && t.Length > 0 ? new(l[0], c[0]) : end;
        var i = Math.Min(e, t.Length) - 1;
        return new(l[i], c[i] + 1);
    }

    [Fact]
    public void PositionsEndsSlicesAndTrimsMatchPerCharacterPositions()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var (t, l, c) = Sample(seed);
            var end = new SourcePosition(99, 7);
            var m = new MappedText(t, l, c, end);
            for (var i = 0; i <= t.Length + 1; i++)
            {
                Assert.Equal(NaivePosition(t, l, c, end, i), m.PositionAt(i));
                Assert.Equal(NaiveEnd(t, l, c, end, i), m.EndOf(i));
            }
            for (var s = 0; s <= t.Length; s += 1 + seed % 3)
                for (var n = 0; s + n <= t.Length; n += 1 + seed % 4)
                {
                    var slice = m.Slice(s, n);
                    Assert.Equal(t.Substring(s, n), slice.Text);
                    var sliceEnd = n == 0 ? m.PositionAt(s) : end;
                    for (var i = 0; i <= n; i++)
                    {
                        Assert.Equal(NaivePosition(slice.Text, l[s..(s + n)], c[s..(s + n)], sliceEnd, i), slice.PositionAt(i));
                        Assert.Equal(NaiveEnd(slice.Text, l[s..(s + n)], c[s..(s + n)], sliceEnd, i), slice.EndOf(i));
                    }
                }
            var trimmed = m.Trim();
            Assert.Equal(t.Trim(), trimmed.Text);
            var from = t.Length - t.TrimStart().Length;
            for (var i = 0; i < trimmed.Length; i++) Assert.Equal(new SourcePosition(l[from + i], c[from + i]), trimmed.PositionAt(i));
        }
    }

    [Fact]
    public void ContinuationLinesMapEachPieceToItsPhysicalLine()
    {
        var doc = DockerfileParser.Parse("FROM alpine\nRUN apk add \\\n      curl \\\n  && echo done\n");
        var run = doc.Instructions[1].Arguments;
        Assert.Equal(new SourcePosition(2, 5), run.PositionAt(0));                         // 'apk' on line 2, column 5
        Assert.Equal(new SourcePosition(3, 7), run.PositionAt(run.Text.IndexOf("curl")));  // 'curl' on line 3, column 7
        Assert.Equal(new SourcePosition(4, 3), run.PositionAt(run.Text.IndexOf("&&")));    // '&&' on line 4, column 3
        Assert.Equal(new SourcePosition(4, 15), run.EndOf(run.Length));
    }
}
