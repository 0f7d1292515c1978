using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DockOpt.Engine.DockerApi;

namespace DockOpt.Engine.Tests.DockerApi;

/// <summary>
/// Issue 18 items 4 and 5 against engine STAND-INS (raw sockets on 127.0.0.1, not an engine): an engine that answers
/// /_ping and then stalls, one that drops the connection mid-answer, and one that answers garbage.
/// </summary>
public class EngineFaultTests
{
    /// <summary>A stand-in: answers /_ping like an engine, then hands every other request to <paramref name="other"/>.</summary>
    sealed class StandIn : IDisposable
    {
        readonly TcpListener _l = new(IPAddress.Loopback, 0);
        readonly List<TcpClient> _held = new();
        public StandIn(Func<NetworkStream, string, Task> other)
        {
            _l.Start();
            _ = Task.Run(async () =>
            {
                while (true)
                {
                    TcpClient c;
                    try { c = await _l.AcceptTcpClientAsync(); } catch { return; }
                    lock (_held) _held.Add(c);
                    _ = Task.Run(async () =>
                    {
                        var s = c.GetStream();
                        var buf = new byte[65536];
                        while (true)
                        {
                            var head = new StringBuilder();
                            while (!head.ToString().Contains("\r\n\r\n"))
                            {
                                int n;
                                try { n = await s.ReadAsync(buf); } catch { return; }
                                if (n == 0) return;
                                head.Append(Encoding.ASCII.GetString(buf, 0, n));
                            }
                            var line = head.ToString().Split("\r\n")[0];
                            if (line.Contains("/_ping"))
                            {
                                await s.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\nOK"));
                                continue;
                            }
                            await other(s, line);
                            return;
                        }
                    });
                }
            });
        }
        public string Uri => $"tcp://127.0.0.1:{((IPEndPoint)_l.LocalEndpoint).Port}";
        public void Dispose()
        {
            _l.Stop();
            lock (_held) foreach (var c in _held) c.Dispose();
        }
    }

    static Task<DockerEngine> Connect(StandIn s, TimeSpan request, TimeSpan idle) =>
        DockerEngine.ConnectAsync(new EngineOptions { Engine = s.Uri, RequestTimeout = request, IdleTimeout = idle }, CancellationToken.None);

    [Fact]
    public async Task StalledEngine_BoundedRequest_EndsWithEngineTimeout()
    {
        using var standIn = new StandIn((_, _) => Task.Delay(Timeout.Infinite));
        using var engine = await Connect(standIn, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        var sw = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<DockOptException>(() => engine.SendCheckedAsync(HttpMethod.Get, "/images/json", null, CancellationToken.None));
        Assert.Equal(ErrorIds.EngineTimeout, ex.ErrorId);
        Assert.InRange(sw.Elapsed.TotalSeconds, 0.8, 10);
        Assert.Contains("GET /images/json", ex.Message);
        Assert.Contains(EngineTimeouts.RequestVariable, ex.RecommendedAction);
    }

    [Fact]
    public async Task StalledEngine_TypedClient_EndsWithEngineTimeout()
    {
        using var standIn = new StandIn((_, _) => Task.Delay(Timeout.Infinite));
        using var engine = await Connect(standIn, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        var sw = Stopwatch.StartNew();
        var raw = await Record.ExceptionAsync(() => engine.Client.Images.InspectImageAsync("x", CancellationToken.None));
        Assert.InRange(sw.Elapsed.TotalSeconds, 0.8, 10);
        var fault = EngineFaults.Translate(raw!, talksToEngine: true);
        Assert.Equal(ErrorIds.EngineTimeout, fault!.ErrorId);
    }

    [Fact]
    public async Task StalledEngine_LongRunning_IdleTimeoutAfterProgressStops()
    {
        // a build-like answer: headers and two progress lines 0.6 s apart, then silence
        using var standIn = new StandIn(async (s, _) =>
        {
            await s.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));
            for (var i = 0; i < 4; i++)
            {
                var line = Encoding.ASCII.GetBytes($"{{\"stream\":\"step {i}\\n\"}}\r\n");
                await s.WriteAsync(Encoding.ASCII.GetBytes($"{line.Length:x}\r\n"));
                await s.WriteAsync(line);
                await s.WriteAsync(Encoding.ASCII.GetBytes("\r\n"));
                await Task.Delay(600);
            }
            await Task.Delay(Timeout.Infinite);
        });
        // idle limit 1.5 s: the 4 × 0.6 s of progress (2.4 s in all) must NOT time out; the silence after must
        using var engine = await Connect(standIn, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1.5));
        var sw = Stopwatch.StartNew();
        using var resp = await engine.SendAsync(HttpMethod.Post, "/build?t=x", null, CancellationToken.None);
        using var reader = new StreamReader(await resp.Content.ReadAsStreamAsync());
        var lines = new List<string>();
        var ex = await Assert.ThrowsAsync<DockOptException>(async () =>
        {
            while (await reader.ReadLineAsync() is { } l) lines.Add(l);
        });
        Assert.Equal(ErrorIds.EngineTimeout, ex.ErrorId);
        Assert.Equal(4, lines.Count);
        Assert.InRange(sw.Elapsed.TotalSeconds, 2.4, 10);
        Assert.Contains(EngineTimeouts.IdleVariable, ex.RecommendedAction);
    }

    [Fact]
    public async Task EngineKilledMidAnswer_IsEngineConnectionLost()
    {
        using var standIn = new StandIn(async (s, _) =>
        {
            await s.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3\r\nab"));
            s.Socket.Close(); // the engine dies in the middle of a chunk
        });
        using var engine = await Connect(standIn, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        using var resp = await engine.SendAsync(HttpMethod.Post, "/build", null, CancellationToken.None);
        var ex = await Assert.ThrowsAsync<DockOptException>(async () =>
        {
            using var s = await resp.Content.ReadAsStreamAsync();
            await s.CopyToAsync(Stream.Null);
        });
        Assert.Equal(ErrorIds.EngineConnectionLost, ex.ErrorId);
        Assert.Contains("POST /build", ex.Message);
    }

    [Fact]
    public async Task GarbageJsonFromTypedClient_IsEngineResponseInvalid()
    {
        using var standIn = new StandIn(async (s, _) =>
        {
            var body = Encoding.ASCII.GetBytes("{\"Id\": \"sha256:12 <html>not json");
            await s.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n"));
            await s.WriteAsync(body);
        });
        using var engine = await Connect(standIn, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        var raw = await Record.ExceptionAsync(() => engine.Client.Images.InspectImageAsync("x", CancellationToken.None));
        Assert.IsNotType<DockOptException>(raw);
        var fault = EngineFaults.Translate(raw!, talksToEngine: false); // recognised by origin even outside an engine cmdlet
        Assert.Equal(ErrorIds.EngineResponseInvalid, fault!.ErrorId);
        Assert.NotNull(fault.RecommendedAction);
    }

    [Theory]
    [InlineData("/v1.41/build?t=a", true)]
    [InlineData("/v1.41/images/reg:5000/app:1/push?tag=1", true)]
    [InlineData("/v1.41/images/get?names=x", true)]
    [InlineData("/v1.41/containers/abc/logs?follow=1", true)]
    [InlineData("/v1.41/containers/abc/wait", true)]
    [InlineData("/v1.41/exec/abc/start", true)]
    [InlineData("/v1.41/images/x/json", false)]
    [InlineData("/v1.41/images/json", false)]
    [InlineData("/v1.41/containers/create?name=x", false)]
    [InlineData("/v1.41/images/x/tag?repo=y", false)]
    [InlineData("/v1.41/containers/abc/stop?t=10", false)]
    public void LongRunningRequests_AreTheStreamingOnes(string path, bool longRunning) =>
        Assert.Equal(longRunning, EngineTimeouts.IsLongRunning(path));

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("2m", 120)]
    [InlineData("1h30m", 5400)]
    [InlineData("45", 45)]
    [InlineData("0.5", 0.5)]
    [InlineData("00:01:30", 90)]
    [InlineData("1500ms", 1.5)]
    public void Durations_FollowTheConvention(string text, double seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), EngineTimeouts.FromEnvironment("X", TimeSpan.Zero, _ => text));
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-5")]
    [InlineData("0")]
    [InlineData("1e308")]
    public void BadTimeoutVariable_IsEngineTimeoutInvalid(string text)
    {
        var ex = Assert.Throws<DockOptException>(() => EngineTimeouts.FromEnvironment(EngineTimeouts.RequestVariable, TimeSpan.Zero, _ => text));
        Assert.Equal(ErrorIds.EngineTimeoutInvalid, ex.ErrorId);
    }

    [Fact]
    public void UnforeseenException_BecomesUnexpectedError_NamingTheType()
    {
        var fault = EngineFaults.Translate(new IndexOutOfRangeException("boom"), talksToEngine: true);
        Assert.Equal(ErrorIds.UnexpectedError, fault!.ErrorId);
        Assert.Contains("IndexOutOfRangeException", fault.Message);
        Assert.Null(EngineFaults.Translate(new OperationCanceledException(), talksToEngine: true, userCancelled: true));
    }
}

/// <summary>Issue 18 item 7: a missing socket says so (not "Cannot assign requested address").</summary>
public class MissingSocketTests
{
    [Theory]
    [InlineData("/nonexistent-h12/docker.sock", "the folder '/nonexistent-h12' does not exist")]
    [InlineData("/tmp/dockopt-h12-no-such.sock", "there is no socket at '/tmp/dockopt-h12-no-such.sock'")]
    [InlineData("/tmp", "'/tmp' is a folder, not a socket")]
    public async Task MissingSocket_IsEngineUnreachable_SayingWhy(string path, string expected)
    {
        var ex = await Assert.ThrowsAsync<DockOptException>(() =>
            DockerEngine.ConnectAsync(new EngineOptions { Engine = "unix://" + path }, CancellationToken.None));
        Assert.Equal(ErrorIds.EngineUnreachable, ex.ErrorId);
        Assert.Contains(expected, ex.Message);
        Assert.DoesNotContain("Cannot assign requested address", ex.Message);
    }
}
