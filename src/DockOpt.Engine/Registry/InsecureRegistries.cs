using System.Net;
using System.Text.Json;

namespace DockOpt.Engine.Registry;

/// <summary>
/// Registries that may be read over plain HTTP when they do not speak TLS, as dockerd allows them: loopback (127.0.0.0/8,
/// ::1, localhost) always; others only when listed in the engine's <c>insecure-registries</c> (/etc/docker/daemon.json:
/// <c>host:port</c> entries or CIDR ranges) or in <c>DOCKOPT_INSECURE_REGISTRIES</c> (comma-separated, same forms).
/// HTTPS is always tried first and a certificate that does not verify is never accepted.
/// </summary>
public static class InsecureRegistries
{
    /// <summary>True when <paramref name="host"/> (<c>host[:port]</c>) may fall back to plain HTTP.</summary>
    public static bool Allows(string host, string? daemonJson = "/etc/docker/daemon.json") =>
        RegistryClient.IsLoopback(host) || Matches(host, Listed(daemonJson));

    public static IReadOnlyList<string> Listed(string? daemonJson)
    {
        var list = new List<string>();
        var env = Environment.GetEnvironmentVariable("DOCKOPT_INSECURE_REGISTRIES");
        if (!string.IsNullOrWhiteSpace(env)) list.AddRange(env.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        try
        {
            if (daemonJson != null && File.Exists(daemonJson))
            {
                using var doc = JsonDocument.Parse(Dockerfiles.SourceFile.ReadBytes(daemonJson, "Docker daemon configuration")); // a FIFO here would block forever
                if (doc.RootElement.TryGetProperty("insecure-registries", out var ir) && ir.ValueKind == JsonValueKind.Array)
                    list.AddRange(ir.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException) { }
        return list;
    }

    public static bool Matches(string host, IEnumerable<string> entries)
    {
        var bare = host.StartsWith('[') ? host.Substring(1, host.IndexOf(']') - 1)
            : host.Contains(':') ? host.Substring(0, host.LastIndexOf(':')) : host;
        foreach (var raw in entries)
        {
            var e = raw.Trim();
            if (e.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) e = e.Substring(7);
            e = e.TrimEnd('/');
            if (e.Equals(host, StringComparison.OrdinalIgnoreCase) || e.Equals(bare, StringComparison.OrdinalIgnoreCase)) return true;
            var slash = e.IndexOf('/');
            if (slash > 0 && IPAddress.TryParse(bare, out var ip) && IPAddress.TryParse(e.Substring(0, slash), out var net)
                && int.TryParse(e.Substring(slash + 1), out var bits) && InRange(ip, net, bits))
                return true;
        }
        return false;
    }

    static bool InRange(IPAddress ip, IPAddress net, int bits)
    {
        var a = ip.GetAddressBytes();
        var b = net.GetAddressBytes();
        if (a.Length != b.Length || bits < 0 || bits > a.Length * 8) return false;
        for (var i = 0; i < a.Length && bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? 0xff : (byte)(0xff << (8 - bits));
            if ((a[i] & mask) != (b[i] & mask)) return false;
        }
        return true;
    }
}
