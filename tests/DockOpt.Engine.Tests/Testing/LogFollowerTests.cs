using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using DockOpt.Engine.Testing;

namespace DockOpt.Engine.Tests.Testing;

public class LogFollowerTests
{
    static byte[] Frame(byte stream, string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        var f = new byte[8 + payload.Length];
        f[0] = stream;
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(4), (uint)payload.Length);
        payload.CopyTo(f, 8);
        return f;
    }

    /// <summary>A stream that hands out at most <paramref name="chunk"/> bytes a read, as a socket does.</summary>
    sealed class Trickle(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
            base.ReadAsync(buffer.Slice(0, Math.Min(buffer.Length, chunk)), ct);
    }

    static async Task<LogFollower> Follow(string pattern, Stream s)
    {
        var f = LogFollower.Start(new Regex(pattern, RegexOptions.Multiline), _ => Task.FromResult(s), CancellationToken.None);
        for (var i = 0; i < 600 && !f.Ended; i++) await Task.Delay(50);
        Assert.True(f.Ended, "the follower read the stream to its end");
        return f;
    }

    [Fact]
    public async Task Ready_line_after_many_megabytes_matches()
    {
        var ms = new MemoryStream();
        var line = new string('x', 99) + "\n";
        var block = Frame(1, string.Concat(Enumerable.Repeat(line, 160)));
        for (var i = 0; i < 20 * 1024 * 1024 / block.Length; i++) ms.Write(block);
        ms.Write(Frame(2, "server READY on 8080\n"));
        ms.Position = 0;
        await using var f = await Follow("^server READY", ms);
        Assert.True(f.Matched);
        Assert.True(f.BytesRead > 20_000_000);
    }

    [Fact]
    public async Task A_line_split_across_frames_and_reads_still_matches_with_anchors()
    {
        var data = Frame(1, "noise\nlisten").Concat(Frame(1, "ing on port 80")).Concat(Frame(1, "80\nmore\n")).ToArray();
        await using var f = await Follow("^listening on port 8080$", new Trickle(data, 3));
        Assert.True(f.Matched);
    }

    [Fact]
    public async Task A_multibyte_character_split_across_frames_decodes()
    {
        var bytes = Encoding.UTF8.GetBytes("prêt\n");
        var head = new byte[8 + 3]; head[0] = 1; BinaryPrimitives.WriteUInt32BigEndian(head.AsSpan(4), 3); Array.Copy(bytes, 0, head, 8, 3);
        var tail = new byte[8 + bytes.Length - 3]; tail[0] = 1; BinaryPrimitives.WriteUInt32BigEndian(tail.AsSpan(4), (uint)(bytes.Length - 3)); Array.Copy(bytes, 3, tail, 8, bytes.Length - 3);
        await using var f = await Follow("^prêt$", new MemoryStream(head.Concat(tail).ToArray()));
        Assert.True(f.Matched);
    }

    [Fact]
    public async Task Anchored_pattern_does_not_match_mid_line_and_absent_pattern_stays_unmatched()
    {
        var ms = new MemoryStream();
        for (var i = 0; i < 200; i++) ms.Write(Frame(1, $"line {i} says ready too early\n"));
        ms.Position = 0;
        await using var f = await Follow("^ready", ms);
        Assert.False(f.Matched);
        Assert.Null(f.Failure);
    }

    [Fact]
    public async Task Tty_stream_without_frames_matches()
    {
        var text = string.Concat(Enumerable.Repeat("booting...\r\n", 50000)) + "READY\r\n";
        await using var f = await Follow("^READY", new Trickle(Encoding.UTF8.GetBytes(text), 4096));
        Assert.True(f.Matched);
    }
}
