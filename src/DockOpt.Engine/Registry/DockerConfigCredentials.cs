using DockOpt.Engine.Images;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace DockOpt.Engine.Registry;

/// <summary>
/// Reads <c>config.json</c> of the docker CLI (<c>$DOCKER_CONFIG/config.json</c> or <c>~/.docker/config.json</c>):
/// <c>credHelpers</c> for the host, then <c>credsStore</c>, then <c>auths</c> (as the docker CLI does when a store is set).
/// </summary>
public sealed class DockerConfigCredentials
{
    readonly string _path;

    public DockerConfigCredentials(string? configDirectory = null)
    {
        var dir = configDirectory ?? DockOpt.Engine.DockerApi.EngineEndpointResolver.DockerConfigDirectory();
        _path = Path.Combine(dir, "config.json");
    }

    public string ConfigPath => _path;

    /// <summary>Helper runtime bound (a helper that hangs must not hang the push).</summary>
    public TimeSpan HelperTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Credentials for <paramref name="host"/>, or null when config.json has none.</summary>
    readonly Dictionary<string, RegistryCredential?> _found = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The credentials config.json gives for <paramref name="host"/>. Looked up once per host and instance: the cmdlet's
    /// probe (whether to ask AWS.Tools.ECR) and the engine's authentication share one read and one helper run.
    /// </summary>
    public RegistryCredential? Find(string host, Action<string>? verbose = null)
    {
        lock (_found)
        {
            if (_found.TryGetValue(host, out var known)) return known;
            var found = FindUncached(host, verbose);
            _found[host] = found;
            return found;
        }
    }

    RegistryCredential? FindUncached(string host, Action<string>? verbose)
    {
        if (!File.Exists(_path)) return null;
        JsonDocument doc;
        try
        {
            // The type check first: a FIFO (or device) as config.json would block the read forever.
            doc = JsonDocument.Parse(Dockerfiles.SourceFile.ReadAllText(_path, "docker config file"), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new DockOptException(ErrorIds.DockerConfigInvalid, DockOptErrorCategory.ParserError,
                $"'{_path}' is not valid JSON: {e.Message}", _path, "Fix or remove the file (docker login rewrites it).");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            if (root.TryGetProperty("credHelpers", out var helpers) && helpers.ValueKind == JsonValueKind.Object)
                foreach (var h in helpers.EnumerateObject())
                    if (SameHost(h.Name, host) && h.Value.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(h.Value.GetString()))
                    {
                        verbose?.Invoke($"Credentials for {host}: credential helper 'docker-credential-{h.Value.GetString()}' (credHelpers in {_path}).");
                        return RunHelper(h.Value.GetString()!, host, $"credHelper {h.Value.GetString()}");
                    }
            if (root.TryGetProperty("credsStore", out var store) && store.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(store.GetString()))
            {
                verbose?.Invoke($"Credentials for {host}: credential store 'docker-credential-{store.GetString()}' (credsStore in {_path}).");
                var c = RunHelper(store.GetString()!, host, $"credsStore {store.GetString()}");
                if (c != null) return c;
            }
            if (root.TryGetProperty("auths", out var auths) && auths.ValueKind == JsonValueKind.Object)
                foreach (var a in auths.EnumerateObject())
                {
                    if (!SameHost(a.Name, host) || a.Value.ValueKind != JsonValueKind.Object) continue;
                    string? identity = a.Value.TryGetProperty("identitytoken", out var it) && it.ValueKind == JsonValueKind.String ? it.GetString() : null;
                    string? user = null, pass = null;
                    if (a.Value.TryGetProperty("auth", out var auth) && auth.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(auth.GetString()))
                    {
                        string decoded;
                        try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth.GetString()!)); }
                        catch (FormatException)
                        {
                            throw new DockOptException(ErrorIds.DockerConfigInvalid, DockOptErrorCategory.ParserError,
                                $"The auths entry for '{a.Name}' in '{_path}' is not base64 of user:password.", _path, $"Run 'docker login {host}' again.");
                        }
                        var colon = decoded.IndexOf(':');
                        if (colon < 0)
                            throw new DockOptException(ErrorIds.DockerConfigInvalid, DockOptErrorCategory.ParserError,
                                $"The auths entry for '{a.Name}' in '{_path}' has no ':' between user and password.", _path, $"Run 'docker login {host}' again.");
                        user = decoded.Substring(0, colon);
                        pass = decoded.Substring(colon + 1);
                    }
                    else
                    {
                        if (a.Value.TryGetProperty("username", out var u) && u.ValueKind == JsonValueKind.String) user = u.GetString();
                        if (a.Value.TryGetProperty("password", out var p) && p.ValueKind == JsonValueKind.String) pass = p.GetString();
                    }
                    if (identity != null || pass != null)
                    {
                        verbose?.Invoke($"Credentials for {host}: auths entry '{a.Name}' in {_path}{(identity != null ? " (identity token)" : "")}.");
                        return new RegistryCredential(identity != null ? "<token>" : user, identity != null ? null : pass, "config.json auths", identity);
                    }
                }
        }
        return null;
    }

    /// <summary>Docker's rule: an auths key matches by host after removing a scheme and a path.</summary>
    internal static bool SameHost(string key, string host)
    {
        var k = key.Trim();
        var i = k.IndexOf("://", StringComparison.Ordinal);
        if (i >= 0) k = k.Substring(i + 3);
        var slash = k.IndexOf('/');
        if (slash >= 0) k = k.Substring(0, slash);
        if (string.Equals(k, host, StringComparison.OrdinalIgnoreCase)) return true;
        return ImageReference.IsDockerHubHost(host) && ImageReference.IsDockerHubHost(k);
    }

    /// <summary>Runs <c>docker-credential-&lt;name&gt; get</c>: server URL on stdin, JSON {ServerURL, Username, Secret} on stdout.</summary>
    public RegistryCredential? RunHelper(string name, string host, string source)
    {
        var exe = "docker-credential-" + name;
        var psi = new ProcessStartInfo(exe, "get")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        Process? p;
        try { p = Process.Start(psi); }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new DockOptException(ErrorIds.CredentialHelperNotFound, DockOptErrorCategory.ObjectNotFound,
                $"The credential helper '{exe}' named in '{_path}' for {host} cannot be run: {e.Message}.", exe,
                $"Install {exe} on PATH, or remove it from credHelpers/credsStore in {_path}.");
        }
        if (p == null) return null;
        using (p)
        {
            p.StandardInput.Write(host);
            p.StandardInput.Close();
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit((int)HelperTimeout.TotalMilliseconds))
            {
                try { p.Kill(true); } catch { }
                throw new DockOptException(ErrorIds.CredentialHelperFailed, DockOptErrorCategory.OperationTimeout,
                    $"The credential helper '{exe}' did not answer for {host} within {HelperTimeout.TotalSeconds:0} s.", exe, "Check the helper (it may wait for an interactive unlock).");
            }
            var output = stdout.GetAwaiter().GetResult();
            var err = stderr.GetAwaiter().GetResult().Trim();
            if (p.ExitCode != 0)
            {
                // "credentials not found in native keychain" means: none for this host.
                if ((output + err).Contains("not found", StringComparison.OrdinalIgnoreCase)) return null;
                throw new DockOptException(ErrorIds.CredentialHelperFailed, DockOptErrorCategory.AuthenticationError,
                    $"The credential helper '{exe}' failed for {host} (exit code {p.ExitCode}).", exe,
                    "Run the helper by hand ('echo <host> | " + exe + " get') to see why; its output is not shown here because it may hold secrets.");
            }
            try
            {
                using var doc = JsonDocument.Parse(output);
                var r = doc.RootElement;
                var user = r.TryGetProperty("Username", out var u) ? u.GetString() : null;
                var secret = r.TryGetProperty("Secret", out var s) ? s.GetString() : null;
                if (string.IsNullOrEmpty(secret)) return null;
                return user == "<token>"
                    ? new RegistryCredential("<token>", null, source, secret)
                    : new RegistryCredential(user, secret, source);
            }
            catch (JsonException)
            {
                throw new DockOptException(ErrorIds.CredentialHelperFailed, DockOptErrorCategory.InvalidData,
                    $"The credential helper '{exe}' answered something that is not JSON for {host}.", exe, "Check the helper's version.");
            }
        }
    }
}
