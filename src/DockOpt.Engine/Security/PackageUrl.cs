using System.Text;

namespace DockOpt.Engine.Security;

/// <summary>Builds canonical package URLs (package-url/purl-spec): pkg:type/namespace/name@version?qualifiers#subpath.</summary>
public static class PackageUrl
{
    public static string Build(string type, string? ns, string name, string? version,
        IEnumerable<KeyValuePair<string, string?>>? qualifiers = null, string? subpath = null)
    {
        type = type.ToLowerInvariant();
        switch (type)
        {
            case "deb":
            case "apk":
            case "rpm":
                ns = ns?.ToLowerInvariant();
                name = name.ToLowerInvariant();
                break;
            case "pypi":
                ns = null;
                name = NormalizePypiName(name);
                break;
            case "nuget":
                ns = null;
                break;
            case "golang":
                // The module path: namespace = everything before the last segment.
                if (ns == null && name.Contains('/'))
                {
                    var i = name.LastIndexOf('/');
                    ns = name[..i];
                    name = name[(i + 1)..];
                }
                break;
            case "npm":
                if (ns == null && name.StartsWith('@') && name.Contains('/'))
                {
                    var i = name.IndexOf('/');
                    ns = name[..i];
                    name = name[(i + 1)..];
                }
                break;
        }
        var sb = new StringBuilder("pkg:").Append(type).Append('/');
        if (!string.IsNullOrEmpty(ns))
        {
            foreach (var seg in ns.Split('/', StringSplitOptions.RemoveEmptyEntries))
                sb.Append(Encode(seg, keepColon: false)).Append('/');
        }
        sb.Append(Encode(name, keepColon: false));
        if (!string.IsNullOrEmpty(version)) sb.Append('@').Append(Encode(version, keepColon: true));
        var q = (qualifiers ?? Array.Empty<KeyValuePair<string, string?>>())
            .Where(kv => !string.IsNullOrEmpty(kv.Value))
            .Select(kv => (Key: kv.Key.ToLowerInvariant(), kv.Value))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .ToList();
        if (q.Count > 0)
            sb.Append('?').Append(string.Join("&", q.Select(kv => kv.Key + "=" + Encode(kv.Value!, keepColon: true))));
        if (!string.IsNullOrEmpty(subpath))
        {
            var segs = subpath.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != "." && s != "..");
            sb.Append('#').Append(string.Join("/", segs.Select(s => Encode(s, keepColon: false))));
        }
        return sb.ToString();
    }

    /// <summary>PEP 503 normalisation: lowercase, runs of -, _ and . become one '-'.</summary>
    public static string NormalizePypiName(string name) =>
        System.Text.RegularExpressions.Regex.Replace(name.Trim().ToLowerInvariant(), @"[-_.]+", "-");

    /// <summary>Percent-encodes everything outside the unreserved set (A-Z a-z 0-9 . - _ ~), UTF-8 bytes.</summary>
    public static string Encode(string s, bool keepColon)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var b in Encoding.UTF8.GetBytes(s))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '~' || (keepColon && c == ':'))
                sb.Append(c);
            else
                sb.Append('%').Append(b.ToString("X2"));
        }
        return sb.ToString();
    }

    /// <summary>Purl of a Debian-family package: pkg:deb/&lt;vendor&gt;/name@version?arch=&amp;distro=&lt;vendor&gt;-&lt;version_id&gt;.</summary>
    public static string Deb(string vendor, string name, string version, string? arch, string? distro, string? upstream = null) =>
        Build("deb", vendor, name, version, new Dictionary<string, string?> { ["arch"] = arch, ["distro"] = distro, ["upstream"] = upstream });

    /// <summary>
    /// Purl of an rpm: pkg:rpm/&lt;os-release ID&gt;/name@version-release?arch=&amp;epoch=&amp;distro=&lt;ID&gt;-&lt;VERSION_ID&gt;
    /// (the epoch only when the header has one).
    /// </summary>
    public static string Rpm(string osId, string name, string versionRelease, string? arch, int? epoch, string? distro) =>
        Build("rpm", osId.Length > 0 ? osId : null, name, versionRelease, new Dictionary<string, string?>
        {
            ["arch"] = arch, ["epoch"] = epoch?.ToString(System.Globalization.CultureInfo.InvariantCulture), ["distro"] = distro,
        });

    /// <summary>
    /// OSV ecosystem of an rpm distribution from os-release: "Red Hat:9", "AlmaLinux:9", "Rocky Linux:9", "SUSE:15.5" /
    /// "openSUSE:15.5" (matched against SUSE's product names by major.minor), "Amazon Linux:2023", "Fedora:40"; else "".
    /// </summary>
    public static string RpmEcosystem(string osId, string versionId)
    {
        var major = versionId.Split('.')[0];
        return osId.ToLowerInvariant() switch
        {
            "rhel" or "centos" => "Red Hat:" + major,
            "almalinux" => "AlmaLinux:" + major,
            "rocky" => "Rocky Linux:" + major,
            "sles" or "sled" or "sle-micro" => "SUSE:" + versionId,
            "opensuse-leap" or "opensuse" or "opensuse-tumbleweed" => "openSUSE:" + versionId,
            "amzn" => "Amazon Linux:" + major,
            "fedora" => "Fedora:" + major,
            "mariner" or "azurelinux" => "Azure Linux:" + major,
            _ => "",
        };
    }

    /// <summary>The parts of a purl, percent-decoded; null when <paramref name="purl"/> is not "pkg:type/…name".</summary>
    public static (string Type, string? Namespace, string Name, string? Version, Dictionary<string, string> Qualifiers, string? Subpath)? Parse(string purl)
    {
        if (!purl.StartsWith("pkg:", StringComparison.OrdinalIgnoreCase)) return null;
        var rest = purl[4..].TrimStart('/');
        string? subpath = null;
        var hash = rest.IndexOf('#');
        if (hash >= 0) { subpath = Uri.UnescapeDataString(rest[(hash + 1)..]); rest = rest[..hash]; }
        var q = new Dictionary<string, string>(StringComparer.Ordinal);
        var qm = rest.IndexOf('?');
        if (qm >= 0)
        {
            foreach (var kv in rest[(qm + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = kv.IndexOf('=');
                if (eq > 0) q[kv[..eq].ToLowerInvariant()] = Uri.UnescapeDataString(kv[(eq + 1)..]);
            }
            rest = rest[..qm];
        }
        var slash = rest.IndexOf('/');
        if (slash <= 0) return null;
        var type = rest[..slash].ToLowerInvariant();
        rest = rest[(slash + 1)..].Trim('/');
        string? version = null;
        var at = rest.LastIndexOf('@');
        if (at > 0 && at > rest.LastIndexOf('/')) { version = Uri.UnescapeDataString(rest[(at + 1)..]); rest = rest[..at]; }
        var segs = rest.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToList();
        if (segs.Count == 0 || segs[^1].Length == 0) return null;
        var ns = segs.Count > 1 ? string.Join("/", segs.Take(segs.Count - 1)) : null;
        return (type, ns, segs[^1], version, q, subpath);
    }
}
