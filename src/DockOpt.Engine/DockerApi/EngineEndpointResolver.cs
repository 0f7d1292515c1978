using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DockOpt.Engine.DockerApi;

/// <summary>
/// Resolves the engine endpoint with the docker CLI's precedence: an explicit -Engine value (a URI or a
/// context name), DOCKER_HOST (+ DOCKER_TLS_VERIFY / DOCKER_CERT_PATH), DOCKER_CONTEXT, the currentContext of
/// config.json (DOCKER_CONFIG or ~/.docker) with its context metadata, then the platform default.
/// </summary>
public static class EngineEndpointResolver
{
    public const string DefaultUnixSocket = "unix:///var/run/docker.sock";
    public const string DefaultNamedPipe = "npipe:////./pipe/docker_engine";

    public static EngineEndpoint Resolve(string? engine, Func<string, string?>? env = null, string? homeDirectory = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        var configDir = DockerConfigDirectory(env, homeDirectory);

        if (!string.IsNullOrWhiteSpace(engine))
        {
            engine = engine.Trim();
            if (engine.Contains("://", StringComparison.Ordinal))
                return FromHost(engine, "-Engine", env, configDir);
            return FromContext(engine, configDir, "-Engine context");
        }

        var host = env("DOCKER_HOST");
        if (!string.IsNullOrWhiteSpace(host))
            return FromHost(host, "DOCKER_HOST", env, configDir);

        var ctx = env("DOCKER_CONTEXT");
        if (!string.IsNullOrWhiteSpace(ctx))
            return FromContext(ctx, configDir, "DOCKER_CONTEXT");

        var current = ReadCurrentContext(configDir);
        if (!string.IsNullOrEmpty(current) && current != "default")
            return FromContext(current, configDir, "config.json currentContext");

        return Default();
    }

    /// <summary>The docker client's configuration directory: DOCKER_CONFIG, else ~/.docker (config.json, contexts, certificates).</summary>
    public static string DockerConfigDirectory(Func<string, string?>? env = null, string? homeDirectory = null)
    {
        var dir = (env ?? Environment.GetEnvironmentVariable)("DOCKER_CONFIG");
        return !string.IsNullOrEmpty(dir)
            ? dir
            : Path.Combine(homeDirectory ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
    }

    public static EngineEndpoint Default() => OperatingSystem.IsWindows()
        ? new EngineEndpoint(new Uri(DefaultNamedPipe), "default")
        : new EngineEndpoint(new Uri(DefaultUnixSocket), "default");

    static EngineEndpoint FromHost(string host, string source, Func<string, string?> env, string configDir)
    {
        if (!Uri.TryCreate(host, UriKind.Absolute, out var uri) ||
            uri.Scheme is not ("unix" or "tcp" or "npipe" or "http" or "https" or "ssh"))
        {
            throw new DockOptException(ErrorIds.InvalidEngineEndpoint, DockOptErrorCategory.InvalidArgument,
                $"The Docker engine endpoint '{host}' (from {source}) is not valid.", host,
                "Use unix:///path/to/docker.sock, tcp://host:port, ssh://user@host[:port], npipe:////./pipe/docker_engine, or the name of a docker context.");
        }
        if (uri.Scheme == "ssh")
        {
            SshDialer.Validate(uri);
            return new EngineEndpoint(uri, source); // TLS settings do not apply: ssh carries the connection
        }

        var tlsVerify = IsTruthy(env("DOCKER_TLS_VERIFY"));
        var certPath = env("DOCKER_CERT_PATH");
        var useTls = tlsVerify || uri.Scheme == "https";
        if (uri.Scheme == "tcp" && !string.IsNullOrEmpty(certPath))
            useTls = true;
        if (useTls && string.IsNullOrEmpty(certPath))
            certPath = configDir; // the docker CLI's default: the config directory (DOCKER_CONFIG or ~/.docker)

        return new EngineEndpoint(uri, source)
        {
            UseTls = useTls,
            TlsVerify = tlsVerify,
            CaPath = useTls ? Path.Combine(certPath!, "ca.pem") : null,
            CertPath = useTls ? Path.Combine(certPath!, "cert.pem") : null,
            KeyPath = useTls ? Path.Combine(certPath!, "key.pem") : null,
        };
    }

    static bool IsTruthy(string? v) => !string.IsNullOrEmpty(v) && v != "0" && !v.Equals("false", StringComparison.OrdinalIgnoreCase);

    internal static string? ReadCurrentContext(string configDir)
    {
        var file = Path.Combine(configDir, "config.json");
        if (!File.Exists(file)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            if (doc.RootElement.ValueKind == JsonValueKind.Object &&
                doc.RootElement.TryGetProperty("currentContext", out var cc) && cc.ValueKind == JsonValueKind.String)
                return cc.GetString();
        }
        catch (JsonException e)
        {
            throw new DockOptException(ErrorIds.DockerConfigInvalid, DockOptErrorCategory.InvalidData,
                $"The docker client configuration '{file}' is not valid JSON: {e.Message}", file,
                "Fix or remove the file, or pass -Engine.");
        }
        return null;
    }

    /// <summary>The folder name docker uses for a context: SHA-256 of the name, lower-case hex.</summary>
    public static string ContextDirectoryName(string name) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(name))).ToLowerInvariant();

    static EngineEndpoint FromContext(string name, string configDir, string source)
    {
        if (name == "default")
            return Default();
        var id = ContextDirectoryName(name);
        var meta = Path.Combine(configDir, "contexts", "meta", id, "meta.json");
        if (!File.Exists(meta))
        {
            throw new DockOptException(ErrorIds.DockerContextNotFound, DockOptErrorCategory.ObjectNotFound,
                $"The docker context '{name}' (from {source}) does not exist: no '{meta}'.", name,
                "List contexts with 'docker context ls', create one with 'docker context create', or pass -Engine with an endpoint URI.");
        }

        using var doc = JsonDocument.Parse(File.ReadAllBytes(meta));
        if (!doc.RootElement.TryGetProperty("Endpoints", out var eps) ||
            !eps.TryGetProperty("docker", out var docker) ||
            !docker.TryGetProperty("Host", out var hostEl) || hostEl.ValueKind != JsonValueKind.String)
        {
            throw new DockOptException(ErrorIds.DockerContextInvalid, DockOptErrorCategory.InvalidData,
                $"The docker context '{name}' has no docker endpoint in '{meta}'.", name,
                "Recreate the context with 'docker context create NAME --docker host=…'.");
        }
        var host = hostEl.GetString()!;
        var skip = docker.TryGetProperty("SkipTLSVerify", out var s) && s.ValueKind == JsonValueKind.True;
        var tlsDir = Path.Combine(configDir, "contexts", "tls", id, "docker");
        var hasTls = Directory.Exists(tlsDir);
        if (!Uri.TryCreate(host, UriKind.Absolute, out var uri))
        {
            throw new DockOptException(ErrorIds.InvalidEngineEndpoint, DockOptErrorCategory.InvalidArgument,
                $"The docker context '{name}' names an invalid endpoint '{host}'.", name, "Fix the context's docker host.");
        }
        string? P(string f) => hasTls && File.Exists(Path.Combine(tlsDir, f)) ? Path.Combine(tlsDir, f) : null;
        return new EngineEndpoint(uri, $"context '{name}'")
        {
            UseTls = hasTls || uri.Scheme == "https",
            TlsVerify = hasTls && !skip,
            SkipTlsVerify = skip,
            CaPath = P("ca.pem"),
            CertPath = P("cert.pem"),
            KeyPath = P("key.pem"),
        };
    }
}
