using System.Collections.Concurrent;

namespace DockOpt.Engine.Registry;

/// <summary>
/// Finds credentials for a registry in DockOpt's order: -Credential; config.json (credHelpers, credsStore, auths);
/// for Amazon ECR hosts: AWS.Tools.ECR (the cmdlet passes what Get-ECRLoginCommand returned), else the built-in AWS
/// chain and a SigV4-signed GetAuthorizationToken, cached until shortly before it expires; otherwise anonymous.
/// </summary>
public sealed class RegistryAuth
{
    static readonly ConcurrentDictionary<string, RegistryCredential> EcrCache = new(StringComparer.OrdinalIgnoreCase);

    public RegistryCredential? Explicit { get; init; }
    public DockerConfigCredentials Config { get; init; } = new();

    /// <summary>The cmdlet's AWS.Tools.ECR bridge (Get-ECRLoginCommand), tried for ECR hosts when it is set.</summary>
    public Func<EcrHost, RegistryCredential?>? AwsToolsEcr { get; init; }

    public AwsCredentialChain AwsChain { get; init; } = new();
    public RetryPolicy Retry { get; init; } = new();
    public Uri? EcrEndpoint { get; init; }

    public async Task<RegistryCredential> ResolveAsync(RegistryTarget target, IDockOptSink sink, CancellationToken ct, bool refresh = false)
    {
        if (Explicit != null)
        {
            sink.Verbose($"Credentials for {target.Host}: -Credential (user '{Explicit.Username}').");
            return Explicit;
        }
        if (!refresh)
        {
            var fromConfig = Config.Find(target.Host, sink.Verbose);
            if (fromConfig != null) return fromConfig;
        }
        var ecr = target.Ecr;
        if (ecr == null)
        {
            sink.Verbose($"Credentials for {target.Host}: none in {Config.ConfigPath}; trying anonymous access.");
            return RegistryCredential.Anonymous;
        }
        if (!refresh && EcrCache.TryGetValue(target.Host, out var cached) && cached.ExpiresAt > DateTime.UtcNow.AddMinutes(5))
        {
            sink.Verbose($"Credentials for {target.Host}: cached ECR token (expires {cached.ExpiresAt:u}).");
            return cached;
        }
        if (AwsToolsEcr != null)
        {
            var c = AwsToolsEcr(ecr);
            if (c != null)
            {
                sink.Verbose($"Credentials for {target.Host}: AWS.Tools.ECR Get-ECRLoginCommand.");
                EcrCache[target.Host] = c;
                return c;
            }
        }
        using var client = NewEcrClient(ecr, sink);
        var token = await client.GetAuthorizationTokenAsync(ct).ConfigureAwait(false);
        sink.Verbose($"Credentials for {target.Host}: ECR GetAuthorizationToken in {ecr.Region} (expires {token.ExpiresAt:u}).");
        EcrCache[target.Host] = token;
        return token;
    }

    public EcrClient NewEcrClient(EcrHost ecr, IDockOptSink sink)
    {
        AwsCredentials? creds = null;
        return new EcrClient(ecr, async ct =>
        {
            if (creds == null || (creds.ExpiresAt.HasValue && creds.ExpiresAt < DateTime.UtcNow.AddMinutes(2)))
            {
                creds = await AwsChain.ResolveAsync(ecr.Region, sink.Verbose, ct).ConfigureAwait(false);
                sink.Verbose($"AWS credentials: {creds}.");
            }
            return creds;
        }, Retry, sink, EcrEndpoint);
    }

    /// <summary>
    /// Runs a registry call; when an ECR registry answers 403 "token has expired", forgets the cached token, fetches a
    /// new one (GetAuthorizationToken) into <paramref name="reg"/> and runs the call once more.
    /// </summary>
    public async Task<T> WithEcrTokenRefreshAsync<T>(RegistryTarget target, RegistryClient reg, Func<Task<T>> call, IDockOptSink sink, CancellationToken ct)
    {
        try { return await call().ConfigureAwait(false); }
        catch (DockOptException e) when (e.ErrorId == ErrorIds.RegistryTokenExpired && target.Ecr != null)
        {
            sink.Verbose($"Registry {target.Host}: the ECR authorization token has expired; fetching a new one.");
            Forget(target.Host);
            reg.UpdateCredential(await ResolveAsync(target, sink, ct, refresh: true).ConfigureAwait(false));
            return await call().ConfigureAwait(false);
        }
    }

    /// <summary>Forgets a cached ECR token (after an "expired" answer).</summary>
    public static void Forget(string host) => EcrCache.TryRemove(host, out _);
}
