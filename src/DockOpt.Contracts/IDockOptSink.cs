namespace DockOpt;

/// <summary>
/// How the engine talks back to its host (the cmdlet), in the PSScriptAnalyzer IOutputWriter model.
/// Implementations marshal every call onto the pipeline thread; engine code may call these from any thread.
/// </summary>
public interface IDockOptSink
{
    /// <summary>Emit a result object to the output stream.</summary>
    void Output(object item);

    void Verbose(string message);

    void Debug(string message);

    void Warning(string message);

    /// <summary>Information stream (build step output and the like).</summary>
    void Information(string message, params string[] tags);

    /// <summary>Progress of long work. A record with <see cref="DockOptProgress.Completed"/> closes the bar.</summary>
    void Progress(DockOptProgress progress);

    /// <summary>A non-terminating error for one input item; processing goes on.</summary>
    void Error(DockOptException error);

    /// <summary>Asks the host whether a state change may happen (-WhatIf/-Confirm).</summary>
    bool ShouldProcess(string target, string action);
}

/// <summary>One progress record.</summary>
public sealed class DockOptProgress
{
    public DockOptProgress(int activityId, string activity, string status)
    {
        ActivityId = activityId;
        Activity = activity;
        Status = status;
    }

    public int ActivityId { get; }
    public int ParentActivityId { get; init; } = -1;
    public string Activity { get; }
    public string Status { get; }
    public string? CurrentOperation { get; init; }

    /// <summary>0-100, or -1 when unknown.</summary>
    public int PercentComplete { get; init; } = -1;

    public bool Completed { get; init; }
}

/// <summary>A sink that drops everything; for engine use outside PowerShell and tests.</summary>
public sealed class NullSink : IDockOptSink
{
    public static readonly NullSink Instance = new();
    public void Output(object item) { }
    public void Verbose(string message) { }
    public void Debug(string message) { }
    public void Warning(string message) { }
    public void Information(string message, params string[] tags) { }
    public void Progress(DockOptProgress progress) { }
    public void Error(DockOptException error) { }
    public bool ShouldProcess(string target, string action) => true;
}
