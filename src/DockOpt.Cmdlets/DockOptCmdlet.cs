using System.Collections.Concurrent;
using System.Management.Automation;
using System.Runtime.InteropServices;
using DockOpt.Engine.Reporting;

namespace DockOpt.Cmdlets;

/// <summary>
/// Base of every DockOpt cmdlet: runs engine work off the pipeline thread with a cancellation token that
/// StopProcessing (Ctrl+C) cancels, and pumps every Write*, progress and ShouldProcess call back onto the
/// pipeline thread in order (a synchronous sink, never Progress&lt;T&gt;, which reorders).
/// </summary>
public abstract class DockOptCmdlet : PSCmdlet, IDockOptSink, IDisposable
{
    readonly CancellationTokenSource _cts = new();
    BlockingCollection<Action>? _queue;
    int _pipelineThreadId;

    static DockOptCmdlet() => DependencyLoadContext.Register();

    protected CancellationToken CancellationToken => _cts.Token;

    protected override void StopProcessing()
    {
        _cts.Cancel();
        base.StopProcessing();
    }

    /// <summary>Runs <paramref name="work"/> on the thread pool while this (pipeline) thread writes what it reports.</summary>
    protected void Run(Func<CancellationToken, Task> work)
    {
        _pipelineThreadId = Environment.CurrentManagedThreadId;
        using var queue = new BlockingCollection<Action>();
        _queue = queue;
        Task task;
        try
        {
            task = Task.Run(() => work(_cts.Token), _cts.Token);
            Signals.Track(_cts, task);
            task.ContinueWith(_ => queue.CompleteAdding(), TaskScheduler.Default);
            foreach (var action in queue.GetConsumingEnumerable())
                action();
        }
        finally
        {
            _queue = null;
        }

        try
        {
            task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_cts.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (DockOptException e)
        {
            ThrowTerminatingError(ToErrorRecord(e));
        }
        catch (Exception e) when (e is not RuntimeException &&
                                  DockOpt.Engine.DockerApi.EngineFaults.Translate(e, this is EngineCmdlet, _cts.IsCancellationRequested) is { } fault)
        {
            // no raw .NET exception reaches the user: a known cause gets its id, anything else UnexpectedError (issue 18 item 5)
            ThrowTerminatingError(ToErrorRecord(fault));
        }
    }

    /// <summary>Runs <paramref name="work"/> and writes per-item DockOptExceptions as non-terminating errors.</summary>
    protected void RunPerItem(Func<CancellationToken, Task> work)
    {
        Run(async ct =>
        {
            try
            {
                await work(ct).ConfigureAwait(false);
            }
            catch (DockOptException e) when (!IsTerminating(e))
            {
                Error(e);
            }
            catch (Exception e) when (e is not OperationCanceledException &&
                                      DockOpt.Engine.DockerApi.EngineFaults.Translate(e, this is EngineCmdlet, ct.IsCancellationRequested) is { } fault &&
                                      !IsTerminating(fault))
            {
                // The same translation as Run's, per item: one bad answer fails this item, not the whole command.
                Error(fault);
            }
        });
    }

    /// <summary>Errors that end the command whatever the input (the engine cannot be used at all).</summary>
    protected virtual bool IsTerminating(DockOptException e) => ErrorIds.IsTerminating(e.ErrorId);

    void Post(Action action)
    {
        var q = _queue;
        if (q == null || Environment.CurrentManagedThreadId == _pipelineThreadId)
        {
            action();
            return;
        }
        // Once the command is stopped (Ctrl+C, SIGINT, SIGTERM) messages are dropped, never thrown: the engine's
        // cleanup (containers, tags, temporary files) reports through here and must run to its end.
        if (_cts.IsCancellationRequested) return;
        using var done = new ManualResetEventSlim();
        Exception? failure = null;
        try
        {
            q.Add(() =>
            {
                try { action(); }
                catch (Exception e) { failure = e; }
                finally { done.Set(); }
            });
        }
        catch (InvalidOperationException)
        {
            return; // completed: the command is ending
        }
        // Synchronous: the engine waits until the pipeline thread has written it, so order is kept.
        WaitHandle.WaitAny(new[] { done.WaitHandle, _cts.Token.WaitHandle });
        if (failure != null && !_cts.IsCancellationRequested)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
    }

    /// <summary>
    /// SIGTERM (CI cancellation, <c>timeout</c>, <c>docker stop</c>) and SIGINT, in one place for every DockOpt command:
    /// each running command's token is cancelled as Ctrl+C does, and the signal handler waits (at most
    /// <see cref="CleanupWait"/>) until the engine work, whose cleanup runs on cancellation with a short timeout of its
    /// own, has ended. Then the signal takes its usual course: SIGTERM ends the process (exit 143), SIGINT is left to
    /// PowerShell (it stops the pipeline).
    /// </summary>
    internal static class Signals
    {
        internal static readonly TimeSpan CleanupWait = TimeSpan.FromSeconds(30);
        static readonly ConcurrentDictionary<CancellationTokenSource, Task> Running = new();
        static PosixSignalRegistration[]? _registrations;
        static readonly object Gate = new();

        public static void Track(CancellationTokenSource cts, Task work)
        {
            Register();
            Running[cts] = work;
            work.ContinueWith(_ => Running.TryRemove(cts, out Task? _), TaskScheduler.Default);
        }

        static void Register()
        {
            if (_registrations != null) return;
            lock (Gate)
            {
                if (_registrations != null) return;
                var list = new List<PosixSignalRegistration>();
                foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT })
                {
                    try { list.Add(PosixSignalRegistration.Create(signal, OnSignal)); }
                    catch (Exception e) when (e is PlatformNotSupportedException or IOException) { }
                }
                _registrations = list.ToArray();
            }
        }

        static void OnSignal(PosixSignalContext context)
        {
            var running = Running.ToArray();
            if (running.Length == 0) return;
            foreach (var (cts, _) in running)
            {
                try { cts.Cancel(); }
                catch (ObjectDisposedException) { }
                catch (AggregateException) { }
            }
            try { Task.WaitAll(running.Select(r => r.Value).ToArray(), CleanupWait); }
            catch (AggregateException) { } // cancelled or failed: ended all the same
        }
    }

    /// <summary>
    /// Resolves -Path values (wildcards expanded; a wildcard that matches nothing is a PathNotFound error, returned in
    /// <paramref name="notFound"/>) or -LiteralPath values (taken as written) to provider paths.
    /// </summary>
    private protected List<string> ResolvePaths(IEnumerable<string>? paths, bool literal, List<string>? notFound = null)
    {
        var resolved = new List<string>();
        foreach (var p in paths ?? Array.Empty<string>())
        {
            if (string.IsNullOrWhiteSpace(p)) continue;
            if (literal || !WildcardPattern.ContainsWildcardCharacters(p))
            {
                resolved.Add(GetUnresolvedProviderPathFromPSPath(p));
                continue;
            }
            List<string> matches;
            try
            {
                matches = GetResolvedProviderPathFromPSPath(p, out _).ToList();
            }
            catch (ItemNotFoundException)
            {
                matches = new List<string>();
            }
            if (matches.Count == 0)
            {
                WriteError(ToErrorRecord(new DockOptException(ErrorIds.PathNotFound, DockOptErrorCategory.ObjectNotFound,
                    $"No file or folder matches '{p}'.", p, "Check -Path (wildcards are resolved; use -LiteralPath for names with [ or ]).")));
                notFound?.Add(p);
                continue;
            }
            resolved.AddRange(matches);
        }
        return resolved;
    }

    // ---- CI-native output: the one hook. Every object a DockOpt cmdlet writes and every error it writes or ends
    // with passes here; under GitHub Actions or Azure Pipelines (not with DOCKOPT_CI=off) the engine's CiReporter
    // turns them into annotations, log groups, a step summary section and step outputs.
    CiReporter? _ci;
    bool _ciChecked;

    CiReporter? Ci
    {
        get
        {
            if (_ciChecked) return _ci;
            _ciChecked = true;
            return _ci = CiReporter.FromEnvironment(MyInvocation?.MyCommand?.Name ?? GetType().Name);
        }
    }

    void CiSafe(Action<CiReporter> action)
    {
        var ci = Ci;
        if (ci == null) return;
        try { action(ci); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { base.WriteWarning($"CI output failed: {e.Message}"); }
    }

    /// <summary>Writes to the pipeline and hands DockOpt objects to the CI reporter.</summary>
    public new void WriteObject(object sendToPipeline)
    {
        base.WriteObject(sendToPipeline);
        CiSafe(ci => ci.Observe(sendToPipeline is PSObject p ? p.BaseObject : sendToPipeline));
    }

    /// <summary>Writes to the pipeline and hands DockOpt objects to the CI reporter.</summary>
    public new void WriteObject(object sendToPipeline, bool enumerateCollection)
    {
        base.WriteObject(sendToPipeline, enumerateCollection);
        if (enumerateCollection && sendToPipeline is System.Collections.IEnumerable e && sendToPipeline is not string)
            foreach (var o in e) CiSafe(ci => ci.Observe(o is PSObject p ? p.BaseObject : o));
        else CiSafe(ci => ci.Observe(sendToPipeline));
    }

    /// <summary>Writes a non-terminating error; the CI reporter annotates failed build steps and gates.</summary>
    public new void WriteError(ErrorRecord errorRecord)
    {
        CiSafe(ci => ci.Error(errorRecord.Exception as DockOptException));
        base.WriteError(errorRecord);
    }

    /// <summary>Ends the command; the CI reporter annotates failed gates and writes its summary first.</summary>
    public new void ThrowTerminatingError(ErrorRecord errorRecord)
    {
        CiSafe(ci =>
        {
            if (errorRecord.Exception is DockOptException d) ci.Error(d);
            else if (errorRecord.FullyQualifiedErrorId.Split(',')[0].EndsWith("GateFailed", StringComparison.Ordinal))
                ci.GateFailed(errorRecord.FullyQualifiedErrorId.Split(',')[0], errorRecord.Exception.Message);
            ci.Complete();
        });
        base.ThrowTerminatingError(errorRecord);
    }

    /// <summary>PowerShell disposes the command when its pipeline ends: the CI summary section and outputs are written then.</summary>
    public void Dispose()
    {
        CiSafe(ci => ci.Complete());
        GC.SuppressFinalize(this);
    }

    internal static ErrorRecord ToErrorRecord(DockOptException e)
    {
        var category = Enum.TryParse<ErrorCategory>(e.Category.ToString(), out var c) ? c : ErrorCategory.NotSpecified;
        var record = new ErrorRecord(e, e.ErrorId, category, e.Target);
        if (!string.IsNullOrEmpty(e.RecommendedAction))
            record.ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = e.RecommendedAction };
        return record;
    }

    // IDockOptSink: callable from any thread.
    public void Output(object item) => Post(() => WriteObject(item));
    public void Verbose(string message) => Post(() => WriteVerbose(message));
    public void Debug(string message) => Post(() => WriteDebug(message));
    public void Warning(string message) => Post(() => WriteWarning(message));
    public void Information(string message, params string[] tags) => Post(() => WriteInformation(message, tags));
    public void Error(DockOptException error) => Post(() => WriteError(ToErrorRecord(error)));

    public void Progress(DockOptProgress p) => Post(() =>
    {
        var record = new ProgressRecord(p.ActivityId, p.Activity, string.IsNullOrEmpty(p.Status) ? p.Activity : p.Status)
        {
            ParentActivityId = p.ParentActivityId,
            PercentComplete = Math.Clamp(p.PercentComplete, -1, 100),
            RecordType = p.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
        if (p.CurrentOperation != null) record.CurrentOperation = p.CurrentOperation;
        WriteProgress(record);
    });

    bool IDockOptSink.ShouldProcess(string target, string action)
    {
        var result = false;
        Post(() => result = ShouldProcess(target, action));
        return result;
    }
}
