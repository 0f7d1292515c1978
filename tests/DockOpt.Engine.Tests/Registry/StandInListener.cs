using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DockOpt.Engine.Tests.Registry;

/// <summary>
/// A minimal HTTP listener on 127.0.0.1 for the registry/ECR/AWS stand-in tests: records each request as
/// <see cref="Describe"/> renders it and answers through <see cref="Handle"/> (false or no handler: 404; a throwing handler: 500).
/// </summary>
sealed class StandInListener : IDisposable
{
    readonly HttpListener _l = new();
    public readonly List<string> Seen = new();
    /// <summary>Answers a request (the second argument counts requests from 1); returns false to answer 404.</summary>
    public Func<HttpListenerContext, int, bool> Handle = (_, _) => false;
    int _n;

    public StandInListener(Func<HttpListenerContext, string> describe)
    {
        Port = LoopbackHttp.Start(_l);
        _ = Task.Run(async () =>
        {
            while (_l.IsListening)
            {
                HttpListenerContext c;
                try { c = await _l.GetContextAsync(); } catch { return; }
                lock (Seen) Seen.Add(describe(c));
                try { if (!Handle(c, Interlocked.Increment(ref _n))) c.Response.StatusCode = 404; }
                catch (Exception e) { Write(c, 500, e.Message); }
                finally { c.Response.Close(); }
            }
        });
    }

    public int Port { get; }
    public string Host => $"127.0.0.1:{Port}";
    public void Dispose() => LoopbackHttp.Shutdown(_l);

    public static void Write(HttpListenerContext c, int status, string body, string? contentType = null)
    {
        c.Response.StatusCode = status;
        if (contentType != null) c.Response.ContentType = contentType;
        c.Response.OutputStream.Write(Encoding.UTF8.GetBytes(body));
    }

    /// <summary>A loopback port that was free a moment ago (nothing listens on it after this returns).</summary>
    public static int FreePort() => LoopbackHttp.FreePort();
}
