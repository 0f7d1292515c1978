using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace DockOpt.Engine.DockerApi;

/// <summary>
/// <c>ssh://[user@]host[:port]</c> endpoints as the docker CLI reaches them: one <c>ssh … -- host docker system dial-stdio</c>
/// process per connection, HTTP spoken over its stdin and stdout. The process is killed when the connection is disposed;
/// its stderr is kept for the error message (host key verification failed, permission denied, docker not found…).
/// </summary>
public static class SshDialer
{
    /// <summary>The ssh client to run; DOCKOPT_SSH overrides it (a path).</summary>
    public const string SshVariable = "DOCKOPT_SSH";

    /// <summary>The remote command, as the docker CLI runs it.</summary>
    public static readonly string[] RemoteCommand = { "docker", "system", "dial-stdio" };

    /// <summary>
    /// The ssh arguments for an endpoint: <c>-o BatchMode=yes</c> (no prompt can hang a command), <c>-o ConnectTimeout</c>,
    /// <c>-l user</c>, <c>-p port</c>, then <c>-- host docker system dial-stdio</c>.
    /// </summary>
    public static IReadOnlyList<string> Arguments(Uri uri, TimeSpan connectTimeout)
    {
        var args = Options(uri, connectTimeout);
        args.Add("--");
        args.Add(uri.IdnHost);
        args.AddRange(RemoteCommand);
        return args;
    }

    /// <summary>
    /// The ssh arguments that forward stdin and stdout to <c>127.0.0.1:<paramref name="port"/></c> on the engine's host
    /// (<c>-W</c>): how a port the remote engine published on its loopback is reached from here.
    /// </summary>
    public static IReadOnlyList<string> ForwardArguments(Uri uri, int port, TimeSpan connectTimeout)
    {
        var args = Options(uri, connectTimeout);
        args.Add("-W");
        args.Add("127.0.0.1:" + port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        args.Add("--");
        args.Add(uri.IdnHost);
        return args;
    }

    static List<string> Options(Uri uri, TimeSpan connectTimeout)
    {
        Validate(uri);
        var args = new List<string> { "-o", "BatchMode=yes", "-o", $"ConnectTimeout={Math.Max(1, (int)Math.Ceiling(connectTimeout.TotalSeconds))}", "-T" };
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            args.Add("-l");
            args.Add(Uri.UnescapeDataString(uri.UserInfo.Split(':')[0]));
        }
        if (!uri.IsDefaultPort && uri.Port > 0)
        {
            args.Add("-p");
            args.Add(uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return args;
    }

    /// <summary>What the docker CLI refuses too: a password in the URL, a path, a query, no host.</summary>
    public static void Validate(Uri uri)
    {
        string? problem = null;
        if (string.IsNullOrEmpty(uri.Host)) problem = "it names no host";
        else if (uri.UserInfo.Contains(':')) problem = "it holds a password; ssh:// endpoints authenticate with keys (ssh-agent, ~/.ssh/config)";
        else if (uri.AbsolutePath is not ("" or "/")) problem = $"it has a path ('{uri.AbsolutePath}'); ssh:// endpoints take none";
        else if (!string.IsNullOrEmpty(uri.Query)) problem = "it has a query; ssh:// endpoints take none";
        if (problem != null)
        {
            var shown = uri.UserInfo.Contains(':')
                ? uri.OriginalString.Replace(uri.UserInfo + "@", uri.UserInfo.Split(':')[0] + ":***@", StringComparison.Ordinal)
                : uri.OriginalString; // never echo a password
            throw new DockOptException(ErrorIds.InvalidEngineEndpoint, DockOptErrorCategory.InvalidArgument,
                $"The Docker engine endpoint '{shown}' is not valid: {problem}.", shown,
                "Use ssh://user@host or ssh://user@host:port.");
        }
    }

    static string SshProgram() => Environment.GetEnvironmentVariable(SshVariable) is { Length: > 0 } p ? p : "ssh";

    /// <summary>Starts one dial-stdio process and returns the duplex stream over its pipes.</summary>
    public static Stream Connect(EngineEndpoint ep, TimeSpan connectTimeout) => Start(ep, Arguments(ep.Uri, connectTimeout));

    /// <summary>Starts one <c>ssh -W 127.0.0.1:port</c> process: a duplex stream to a port on the engine's host.</summary>
    public static Stream Forward(EngineEndpoint ep, int port, TimeSpan connectTimeout) => Start(ep, ForwardArguments(ep.Uri, port, connectTimeout));

    static Stream Start(EngineEndpoint ep, IReadOnlyList<string> arguments)
    {
        var psi = new ProcessStartInfo(SshProgram())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new Win32Exception("the process did not start");
        }
        catch (Win32Exception e)
        {
            throw new DockOptException(ErrorIds.EngineSshFailed, DockOptErrorCategory.ConnectionError,
                $"Cannot reach the Docker engine at {ep} (from {ep.Source}): the ssh client '{psi.FileName}' could not be started ({e.Message}).",
                ep.ToString(), $"Install the OpenSSH client (apt-get install openssh-client), or set {SshVariable} to its path.", e);
        }
        return new SshProcessStream(p, ep);
    }
}

/// <summary>ssh ended before or while HTTP was spoken over it: its exit code and what it wrote on stderr.</summary>
public sealed class SshTransportException : IOException
{
    public SshTransportException(string endpoint, int exitCode, string stderr)
        : base(Describe(endpoint, exitCode, stderr))
    {
        Endpoint = endpoint;
        ExitCode = exitCode;
        Stderr = stderr;
    }

    public string Endpoint { get; }
    public int ExitCode { get; }
    public string Stderr { get; }

    static string Describe(string endpoint, int exitCode, string stderr)
    {
        var text = string.Join(" ", stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("Warning: Permanently added", StringComparison.Ordinal)));
        text = Dockerfiles.MessageText.Summarise(text, 600, 1); // the shared cap: a remote shell may print megabytes
        return $"ssh to {endpoint} exited with code {exitCode}{(text.Length > 0 ? ": " + text.TrimEnd('.') : " and wrote nothing on stderr")}";
    }

    /// <summary>The DockOpt error for a failed ssh connection.</summary>
    public DockOptException ToDockOpt(string source) =>
        new(ErrorIds.EngineSshFailed, DockOptErrorCategory.ConnectionError,
            $"Cannot reach the Docker engine at {Endpoint} (from {source}): {Message}.", Endpoint, Hint(), this);

    string Hint()
    {
        if (Stderr.Contains("Host key verification failed", StringComparison.Ordinal) || Stderr.Contains("REMOTE HOST IDENTIFICATION HAS CHANGED", StringComparison.Ordinal))
            return "The host key is unknown or changed: connect once with 'ssh USER@HOST' to check and accept it, or add it to ~/.ssh/known_hosts (ssh-keyscan).";
        if (Stderr.Contains("Permission denied", StringComparison.Ordinal))
            return "The remote host refused the key: load the right key into ssh-agent (ssh-add) or name it with IdentityFile in ~/.ssh/config; DockOpt runs ssh with BatchMode=yes, so it never asks for a password.";
        if (ExitCode == 127 || Stderr.Contains("not found", StringComparison.Ordinal))
            return "The remote host has no 'docker' command on the PATH of a non-interactive ssh session: install the docker CLI there (it provides 'docker system dial-stdio').";
        if (Stderr.Contains("Could not resolve hostname", StringComparison.Ordinal) || Stderr.Contains("Connection refused", StringComparison.Ordinal) || Stderr.Contains("timed out", StringComparison.Ordinal))
            return "Check the host name and port, and that sshd runs there and is reachable from this machine.";
        return ErrorIdsHint;
    }

    const string ErrorIdsHint = "Check that 'ssh USER@HOST docker system dial-stdio' works from this shell without a prompt, and that the remote user may use the engine's socket.";

    /// <summary>The ssh failure inside an exception chain, if any.</summary>
    public static SshTransportException? Find(Exception? e)
    {
        for (var i = 0; e != null && i < 10; i++, e = e.InnerException)
            if (e is SshTransportException s) return s;
        return null;
    }
}

/// <summary>A connection: writes go to ssh's stdin, reads come from its stdout. Disposing kills the process.</summary>
sealed class SshProcessStream : Stream
{
    const int MaxStderr = 16 * 1024;
    readonly Process _process;
    readonly EngineEndpoint _ep;
    readonly Stream _in;
    readonly Stream _out;
    readonly StringBuilder _stderr = new();
    readonly Task _stderrPump;
    int _disposed;

    public SshProcessStream(Process process, EngineEndpoint ep)
    {
        _process = process;
        _ep = ep;
        _in = process.StandardInput.BaseStream;
        _out = process.StandardOutput.BaseStream;
        _stderrPump = Task.Run(async () =>
        {
            var buf = new char[1024];
            try
            {
                int n;
                while ((n = await process.StandardError.ReadAsync(buf, 0, buf.Length).ConfigureAwait(false)) > 0)
                    lock (_stderr)
                        if (_stderr.Length < MaxStderr) _stderr.Append(buf, 0, Math.Min(n, MaxStderr - _stderr.Length));
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException) { }
        });
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        int n;
        try
        {
            n = await _out.ReadAsync(buffer, ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw await FailureAsync(e).ConfigureAwait(false) ?? e;
        }
        if (n == 0 && await FailureAsync(null).ConfigureAwait(false) is { } failure) throw failure;
        return n;
    }

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        try
        {
            await _in.WriteAsync(buffer, ct).ConfigureAwait(false);
            await _in.FlushAsync(ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw await FailureAsync(e).ConfigureAwait(false) ?? e;
        }
    }

    public override void Flush() => _in.Flush();

    public override Task FlushAsync(CancellationToken ct) => _in.FlushAsync(ct);

    /// <summary>After EOF or a broken pipe: if ssh ended with an error, that error (with its stderr); else null.</summary>
    async Task<SshTransportException?> FailureAsync(Exception? inner)
    {
        if (Volatile.Read(ref _disposed) != 0) return null;
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try { await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { return null; }
        try { await _stderrPump.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false); }
        catch (TimeoutException) { }
        if (_process.ExitCode == 0) return null;
        string text;
        lock (_stderr) text = _stderr.ToString();
        return new SshTransportException(_ep.ToString(), _process.ExitCode, text);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            try { _in.Dispose(); } catch (IOException) { }
            try
            {
                if (!_process.HasExited) _process.Kill(entireProcessTree: true);
                _process.WaitForExit(2000);
            }
            catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException) { }
            _process.Dispose();
        }
        base.Dispose(disposing);
    }
}
