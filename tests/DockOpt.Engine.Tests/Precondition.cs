namespace DockOpt.Engine.Tests;

/// <summary>
/// A test whose precondition (a Docker engine, a base image, dpkg, a non-root user) is missing is SKIPPED with the
/// reason, never passed by returning early. Under <c>CI=true</c> a missing precondition fails the test instead: in CI
/// every engine test must really run.
/// </summary>
public static class Precondition
{
    /// <summary>Whether the run is a CI run (<c>CI=true</c>, as GitHub Actions, GitLab and Azure Pipelines set it).</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips the test (fails it under CI=true) with <paramref name="reason"/> unless <paramref name="met"/>.</summary>
    public static void Require(bool met, string reason)
    {
        if (met) return;
        if (InCi) Assert.Fail($"Precondition missing under CI=true, where engine tests may not be skipped: {reason}");
        throw new SkipException(reason);
    }

    /// <summary>
    /// Skips the test with <paramref name="reason"/> unless <paramref name="met"/>, in CI too: for facts of the host that no
    /// setup step can change (the tests run as root, so no file is unreadable), not for missing engines or images.
    /// </summary>
    public static void RequireHost(bool met, string reason)
    {
        if (!met) throw new SkipException(reason);
    }
}
