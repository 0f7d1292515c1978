using System.Diagnostics;
using System.Net;
using System.Text;
using DockOpt.Engine.Dockerfiles;
using DockOpt.Engine.DockerApi;
using DockOpt.Engine.Registry;
using DockOpt.Engine.Security;
using DockOpt.Engine.Tests.Registry;

namespace DockOpt.Engine.Tests.IO;

/// <summary>
/// Issue 18 item 7: output from outside DockOpt quoted in an error message is capped in length and lines by one helper
/// (<see cref="MessageText"/>). A real engine, registry or trivy does not answer 10 MB of error text on demand, so each
/// case uses a STAND-IN named in the test's name: an HTTP listener for the engine and the registry, a script for trivy.
/// </summary>
public class ReliabilityMessageCapTests
{
    /// <summary>10 MB of text in 100-byte lines, the way a runaway peer (or a proxy's error page) would send it.</summary>
    static readonly string Hostile = BuildHostile();

    static string BuildHostile()
    {
        var sb = new StringBuilder(10_000_100);
        for (var i = 0; sb.Length < 10_000_000; i++) sb.Append("error line ").Append(i.ToString("D8")).Append(' ').Append('x', 79).Append('\n');
        return sb.ToString();
    }

    static void AssertCapped(string message, int max)
    {
        Assert.True(message.Length < max, $"{message.Length:N0} characters in the message");
        Assert.True(message.Count(c => c == '\n') <= MessageText.DefaultMaxLines, $"{message.Count(c => c == '\n')} lines in the message");
        Assert.Contains("error line 00000000", message);
        Assert.Matches(@"… \([\d,]+ more bytes, [\d,]+ more lines left out\)", message);
    }

    [Fact]
    public async Task EngineStandIn_TenMegabyteErrorBody_IsCappedInTheMessage()
    {
        using var standIn = new StandInListener(c => c.Request.Url!.AbsolutePath);
        standIn.Handle = (c, _) =>
        {
            if (c.Request.Url!.AbsolutePath.EndsWith("/_ping", StringComparison.Ordinal))
            {
                c.Response.Headers["Api-Version"] = "1.41";
                StandInListener.Write(c, 200, "OK", "text/plain");
                return true;
            }
            StandInListener.Write(c, 500, Hostile, "text/plain");
            return true;
        };
        using var engine = await DockerEngine.ConnectAsync(new EngineOptions { Engine = $"tcp://{standIn.Host}" }, CancellationToken.None);
        var e = await Assert.ThrowsAsync<DockOptException>(() => engine.SendCheckedAsync(HttpMethod.Get, "/images/json", null, CancellationToken.None));
        Assert.Equal(ErrorIds.EngineError, e.ErrorId);
        AssertCapped(e.Message, MessageText.DefaultMax + 200);
    }

    [Fact]
    public async Task EngineStandIn_TenMegabyteJsonMessage_IsCappedInTheMessage()
    {
        using var standIn = new StandInListener(c => c.Request.Url!.AbsolutePath);
        var json = System.Text.Json.JsonSerializer.Serialize(new { message = Hostile });
        standIn.Handle = (c, _) =>
        {
            if (c.Request.Url!.AbsolutePath.EndsWith("/_ping", StringComparison.Ordinal))
            {
                c.Response.Headers["Api-Version"] = "1.41";
                StandInListener.Write(c, 200, "OK", "text/plain");
                return true;
            }
            StandInListener.Write(c, 400, json, "application/json");
            return true;
        };
        using var engine = await DockerEngine.ConnectAsync(new EngineOptions { Engine = $"tcp://{standIn.Host}" }, CancellationToken.None);
        var e = await Assert.ThrowsAsync<DockOptException>(() => engine.SendCheckedAsync(HttpMethod.Post, "/containers/create", null, CancellationToken.None));
        Assert.Equal(ErrorIds.EngineBadRequest, e.ErrorId);
        AssertCapped(e.Message, MessageText.DefaultMax + 200);
    }

    [Fact]
    public async Task RegistryStandIn_TenMegabyteErrorBody_IsCappedInTheMessage()
    {
        using var standIn = new StandInListener(c => c.Request.Url!.AbsolutePath);
        standIn.Handle = (c, _) =>
        {
            if (c.Request.Url!.AbsolutePath == "/v2/") { StandInListener.Write(c, 200, "{}", "application/json"); return true; }
            StandInListener.Write(c, 400, Hostile, "text/plain");
            return true;
        };
        using var reg = new RegistryClient(new RegistryTarget(standIn.Host, "team/app"), RegistryCredential.Anonymous,
            new RetryPolicy { MaxAttempts = 1, MaxTime = TimeSpan.FromSeconds(10) }, NullSink.Instance);
        var e = await Assert.ThrowsAsync<DockOptException>(() => reg.GetManifestAsync("v1", CancellationToken.None));
        Assert.Equal(ErrorIds.RegistryError, e.ErrorId);
        Assert.True(e.Message.Length < 600, $"{e.Message.Length:N0} characters in the message");
        Assert.Contains("error line 00000000", e.Message);
        Assert.Matches(@"… \([\d,]+ more bytes, [\d,]+ more lines left out\)$", e.Message);
    }

    [Fact]
    public async Task TrivyStandIn_TenMegabyteStderr_IsCappedInTheMessage()
    {
        Precondition.Require(!OperatingSystem.IsWindows(), "the trivy stand-in is a POSIX shell script");
        var dir = Directory.CreateTempSubdirectory("dockopt-f-trivy-").FullName;
        try
        {
            var script = Path.Combine(dir, "trivy");
            var body = Path.Combine(dir, "stderr.txt");
            File.WriteAllText(body, Hostile);
            File.WriteAllText(script, $"#!/bin/sh\ncat '{body}' >&2\nexit 1\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var e = await Assert.ThrowsAsync<DockOptException>(() => TrivyReport.RunAsync(script, Path.Combine(dir, "image.tar"), "dockopt-f:standin", CancellationToken.None));
            Assert.Equal(ErrorIds.ScannerUnavailable, e.ErrorId);
            AssertCapped(e.Message, MessageText.DefaultMax + 200);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void TheTailOfALogKeepsItsLastLinesAndSaysWhatCameBefore()
    {
        var s = MessageText.SummariseTail(Hostile, 4000, 20);
        Assert.True(s.Length < 4100, $"{s.Length:N0} characters");
        Assert.StartsWith("… (", s);
        Assert.Matches(@"^… \([\d,]+ earlier bytes, [\d,]+ earlier lines left out\)\n", s);
        var last = Hostile.TrimEnd('\n')[(Hostile.TrimEnd('\n').LastIndexOf('\n') + 1)..];
        Assert.EndsWith(last, s.TrimEnd('\n'));
        Assert.True(s.Count(c => c == '\n') <= 21);
        Assert.Equal("short\nlog", MessageText.SummariseTail("short\nlog"));
    }

    [Fact]
    public void ALineCapAppliesBeforeTheLengthCap()
    {
        var text = string.Join('\n', Enumerable.Range(1, 100).Select(i => $"l{i}"));
        var s = MessageText.Summarise(text, 10_000, 5);
        Assert.StartsWith("l1\nl2\nl3\nl4\nl5 … (", s);
        Assert.EndsWith("more bytes, 95 more lines left out)", s);
        Assert.Equal(text, MessageText.Summarise(text, 10_000, 100));
    }
}
