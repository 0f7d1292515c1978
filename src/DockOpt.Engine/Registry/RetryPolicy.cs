using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace DockOpt.Engine.Registry;

/// <summary>Bounded retries for transient registry failures: 408/429/5xx, refused or reset connections; full jitter, honours Retry-After.</summary>
public sealed class RetryPolicy
{
    /// <summary>Attempts in all (the first one included).</summary>
    public int MaxAttempts { get; init; } = DefaultMaxAttempts;

    /// <summary>No new attempt starts after this much time since the first one.</summary>
    public TimeSpan MaxTime { get; init; } = DefaultMaxTime;

    /// <summary>The one default of the retry time bound (Publish-DockOptImage -RetryTimeout uses it too).</summary>
    public static readonly TimeSpan DefaultMaxTime = TimeSpan.FromMinutes(2);

    /// <summary>The one default of the attempts per request (Publish-DockOptImage -MaxAttempts uses it too).</summary>
    public const int DefaultMaxAttempts = 5;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    static readonly Random Jitter = Random.Shared;

    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError
            or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    public static bool IsTransient(Exception e) => e switch
    {
        HttpRequestException { StatusCode: { } s } => IsTransient(s),
        HttpRequestException => true, // refused, reset, DNS hiccup, TLS reset
        IOException or SocketException => true,
        TaskCanceledException t when t.InnerException is TimeoutException => true,
        _ => false,
    };

    /// <summary>Delay before attempt <paramref name="attempt"/>+1: Retry-After when given (capped by MaxDelay·3), else full jitter on an exponential step.</summary>
    public TimeSpan Delay(int attempt, RetryConditionHeaderValue? retryAfter = null)
    {
        if (retryAfter != null)
        {
            TimeSpan? ra = retryAfter.Delta ?? (retryAfter.Date.HasValue ? retryAfter.Date.Value - DateTimeOffset.UtcNow : null);
            if (ra.HasValue && ra.Value > TimeSpan.Zero)
                return ra.Value < MaxDelay * 3 ? ra.Value : MaxDelay * 3;
        }
        var cap = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 1)));
        return TimeSpan.FromMilliseconds(cap / 2 + Jitter.NextDouble() * cap / 2);
    }

    /// <summary>Whether another attempt fits: count and time both within the bounds (the wait included).</summary>
    public bool CanRetry(int attemptsMade, DateTime startedUtc, TimeSpan nextDelay) =>
        attemptsMade < MaxAttempts && DateTime.UtcNow - startedUtc + nextDelay < MaxTime;
}
