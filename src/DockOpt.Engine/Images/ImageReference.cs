using System.Text.RegularExpressions;

namespace DockOpt.Engine.Images;

/// <summary>
/// An image reference as docker reads it (distribution/reference <c>ParseNormalizedNamed</c>): an optional registry
/// host (with a port, or an IPv6 address in brackets), a path, an optional tag and an optional digest. Names without a
/// host belong to Docker Hub (<c>docker.io</c>; <c>index.docker.io</c> is the same registry), and one-component Hub paths
/// are official images under <c>library/</c>. The one parser of image names in DockOpt: lint and scan rules, publish,
/// registry credentials, history and the image readers all use it.
/// </summary>
public sealed class ImageReference : IEquatable<ImageReference>
{
    /// <summary>Docker Hub's canonical domain.</summary>
    public const string DockerHub = "docker.io";
    const string LegacyDockerHub = "index.docker.io";
    const string OfficialPrefix = "library/";
    /// <summary>Longest path docker accepts (distribution/reference RepositoryNameTotalLengthMax).</summary>
    public const int MaxPathLength = 255;

    // The grammar of distribution/reference regexp.go, written out once.
    const string Alnum = "[a-z0-9]+";
    const string Separator = "(?:[._]|__|[-]+)";
    const string PathComponent = Alnum + "(?:" + Separator + Alnum + ")*";
    const string PathPattern = PathComponent + "(?:/" + PathComponent + ")*";
    const string DomainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    const string HostPattern = "(?:" + DomainComponent + @"(?:\." + DomainComponent + @")*|\[(?:[a-fA-F0-9:]+)\])";
    const string DomainPattern = HostPattern + "(?::[0-9]+)?";
    const string TagPattern = @"[\w][\w.-]{0,127}";
    const string DigestPattern = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}";

    static readonly Regex ReferenceRx = new(
        "^(?<name>(?:(?<domain>" + DomainPattern + ")/)?(?<path>" + PathPattern + "))(?::(?<tag>" + TagPattern + "))?(?:@(?<digest>" + DigestPattern + "))?$",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture);
    static readonly Regex DomainRx = new("^" + DomainPattern + "$", RegexOptions.CultureInvariant);
    static readonly Regex TagRx = new("^" + TagPattern + "$", RegexOptions.CultureInvariant);
    static readonly Regex IdentifierRx = new("^[a-f0-9]{64}$", RegexOptions.CultureInvariant);

    ImageReference(string original, string domain, string path, string? tag, string? digest)
    {
        Original = original;
        Domain = domain;
        Path = path;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>The text it was parsed from.</summary>
    public string Original { get; }

    /// <summary>Registry host with its port, normalised: <c>docker.io</c> for Docker Hub.</summary>
    public string Domain { get; }

    /// <summary>Repository path inside the registry, normalised: <c>library/alpine</c> for the official <c>alpine</c>.</summary>
    public string Path { get; }

    /// <summary>The tag, or null when none was written (see <see cref="TagOrDefault"/>).</summary>
    public string? Tag { get; }

    /// <summary>The digest (<c>sha256:…</c>), or null.</summary>
    public string? Digest { get; }

    /// <summary>The registry host without the port (an IPv6 address keeps its brackets).</summary>
    public string Host => SplitPort(Domain).Host;

    /// <summary>The registry port, when one was written.</summary>
    public int? Port => SplitPort(Domain).Port;

    public bool IsDockerHub => Domain == DockerHub;

    /// <summary>Docker Hub's official images (<c>docker.io/library/…</c>).</summary>
    public bool IsOfficial => IsDockerHub && Path.StartsWith(OfficialPrefix, StringComparison.Ordinal);

    public bool HasDigest => Digest != null;

    /// <summary>The tag docker pulls: the written tag, <c>latest</c> when neither tag nor digest was written, else null.</summary>
    public string? TagOrDefault => Tag ?? (Digest == null ? "latest" : null);

    /// <summary>The last path component (<c>alpine</c>, <c>app</c>).</summary>
    public string ShortName => Path.Substring(Path.LastIndexOf('/') + 1);

    /// <summary>Fully qualified repository: <c>docker.io/library/alpine</c>, <c>localhost:5000/team/app</c>.</summary>
    public string Repository => Domain + "/" + Path;

    /// <summary>The repository as docker prints it: Hub's domain and <c>library/</c> dropped (<c>alpine</c>, <c>team/app</c>).</summary>
    public string FamiliarRepository =>
        !IsDockerHub ? Repository
        : Path.StartsWith(OfficialPrefix, StringComparison.Ordinal) && Path.IndexOf('/', OfficialPrefix.Length) < 0 ? Path.Substring(OfficialPrefix.Length)
        : Path;

    /// <summary>The whole reference as docker prints it (<c>alpine:3.20</c>, <c>ghcr.io/o/app@sha256:…</c>).</summary>
    public string Familiar => FamiliarRepository + Suffix;

    /// <summary>The whole reference, fully qualified (<c>docker.io/library/alpine:3.20</c>).</summary>
    public override string ToString() => Repository + Suffix;

    string Suffix => (Tag != null ? ":" + Tag : "") + (Digest != null ? "@" + Digest : "");

    /// <summary>The same repository with another tag and no digest.</summary>
    public ImageReference WithTag(string tag)
    {
        if (!TagRx.IsMatch(tag)) throw Invalid(tag, $"'{tag}' is not a valid tag (up to 128 of [A-Za-z0-9_.-], not starting with '.' or '-')");
        return new ImageReference(Repository + ":" + tag, Domain, Path, tag, null);
    }

    /// <summary>The same repository pinned to a digest, without a tag.</summary>
    public ImageReference WithDigest(string digest)
    {
        var why = CheckDigest(digest);
        if (why != null) throw Invalid(digest, why);
        return new ImageReference(Repository + "@" + digest, Domain, Path, null, digest);
    }

    /// <summary>Parses a reference; throws <see cref="DockOptException"/> <c>InvalidImageReference</c> naming what is wrong.</summary>
    public static ImageReference Parse(string reference)
    {
        if (TryParse(reference, out var r, out var why)) return r!;
        throw Invalid(reference, why!);
    }

    /// <summary>Parses a reference; on failure returns false and says why in <paramref name="error"/>.</summary>
    public static bool TryParse(string? reference, out ImageReference? result, out string? error)
    {
        result = null;
        error = Validate(reference, out var domain, out var path, out var tag, out var digest);
        if (error != null) return false;
        result = new ImageReference(reference!, domain!, path!, tag, digest);
        return true;
    }

    public static bool TryParse(string? reference, out ImageReference? result) => TryParse(reference, out result, out _);

    static string? Validate(string? s, out string? domain, out string? path, out string? tag, out string? digest)
    {
        domain = path = tag = digest = null;
        if (string.IsNullOrEmpty(s)) return "the name is empty";
        if (s.Trim() != s) return "it has leading or trailing white space";
        if (s.Contains("://", StringComparison.Ordinal)) return "it has a URL scheme; give host/path without 'https://'";
        if (IdentifierRx.IsMatch(s)) return "a 64-character hexadecimal string is an image ID, not a repository name";

        // splitDockerDomain: the first component is a registry when it is localhost, has a '.' or ':', or has capitals.
        string d, remainder;
        var slash = s.IndexOf('/');
        if (slash < 0) (d, remainder) = (DockerHub, s);
        else
        {
            var first = s.Substring(0, slash);
            if (first == "localhost" || first.IndexOfAny(new[] { '.', ':' }) >= 0 || first.ToLowerInvariant() != first)
                (d, remainder) = (first == LegacyDockerHub ? DockerHub : first, s.Substring(slash + 1));
            else (d, remainder) = (DockerHub, s);
        }
        if (d == DockerHub && !remainder.Contains('/') && !remainder.StartsWith(':') && !remainder.StartsWith('@'))
            remainder = OfficialPrefix + remainder;

        var remoteEnd = remainder.IndexOfAny(new[] { ':', '@' });
        var remote = remoteEnd < 0 ? remainder : remainder.Substring(0, remoteEnd);
        if (remote.ToLowerInvariant() != remote) return $"the repository path '{remote}' must be lower case";

        var m = ReferenceRx.Match(d + "/" + remainder);
        if (!m.Success) return DescribeFormatError(d, remainder);
        path = m.Groups["path"].Value;
        if (path.Length > MaxPathLength) return $"the repository path is {path.Length} characters long; docker allows {MaxPathLength}";
        domain = m.Groups["domain"].Value;
        if (m.Groups["tag"].Success) tag = m.Groups["tag"].Value;
        if (m.Groups["digest"].Success)
        {
            digest = m.Groups["digest"].Value;
            var why = CheckDigest(digest);
            if (why != null) return why;
        }
        return null;
    }

    /// <summary>Only the algorithms docker registers, with their lengths (go-digest: sha256, sha384, sha512, lower-case hex).</summary>
    static string? CheckDigest(string digest)
    {
        var colon = digest.IndexOf(':');
        if (colon <= 0) return $"'{digest}' is not a digest (algorithm:hex)";
        var alg = digest.Substring(0, colon);
        var hex = digest.Substring(colon + 1);
        int want = alg switch { "sha256" => 64, "sha384" => 96, "sha512" => 128, _ => -1 };
        if (want < 0) return $"digest algorithm '{alg}' is not supported (sha256, sha384, sha512)";
        if (hex.Length != want) return $"a {alg} digest has {want} hexadecimal characters, not {hex.Length}";
        if (!hex.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f')) return "the digest must be lower-case hexadecimal";
        return null;
    }

    static string DescribeFormatError(string domain, string remainder)
    {
        if (!DomainRx.IsMatch(domain)) return $"'{domain}' is not a registry host (a DNS name, IPv4 address or [IPv6] address, optionally with :port)";
        var at = remainder.IndexOf('@');
        if (at >= 0 && CheckDigest(remainder.Substring(at + 1)) is { } digestError) return digestError;
        var beforeDigest = at < 0 ? remainder : remainder.Substring(0, at);
        var colon = beforeDigest.LastIndexOf(':');
        if (colon >= 0)
        {
            var t = beforeDigest.Substring(colon + 1);
            if (!TagRx.IsMatch(t)) return $"'{t}' is not a valid tag (up to 128 of [A-Za-z0-9_.-], not starting with '.' or '-')";
            beforeDigest = beforeDigest.Substring(0, colon);
        }
        if (beforeDigest.Length == 0) return "it names no repository";
        return $"'{beforeDigest}' is not a repository path (lower-case components of [a-z0-9] joined by '.', '_', '__' or '-', separated by '/')";
    }

    static (string Host, int? Port) SplitPort(string domain)
    {
        var colon = domain.LastIndexOf(':');
        var bracket = domain.LastIndexOf(']');
        if (colon < 0 || colon < bracket) return (domain, null);
        return (domain.Substring(0, colon), int.TryParse(domain.AsSpan(colon + 1), out var p) ? p : null);
    }

    /// <summary>Whether a registry host names Docker Hub (<c>docker.io</c>, <c>index.docker.io</c>, <c>registry-1.docker.io</c>).</summary>
    public static bool IsDockerHubHost(string host) =>
        host.Equals(DockerHub, StringComparison.OrdinalIgnoreCase) || host.Equals(LegacyDockerHub, StringComparison.OrdinalIgnoreCase)
        || host.Equals("registry-1.docker.io", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a string is a registry domain as docker writes one (host or [IPv6], optional :port).</summary>
    public static bool IsValidDomain(string domain) => DomainRx.IsMatch(domain);

    /// <summary>Whether a string is a valid tag.</summary>
    public static bool IsValidTag(string tag) => TagRx.IsMatch(tag);

    /// <summary>
    /// The tag a reference or wildcard pattern names, by docker's layout (the text after the last ':' that follows the
    /// last '/', before any '@'), without validating; for patterns that <see cref="Parse"/> cannot read.
    /// </summary>
    public static (string Repository, string? Tag) SplitPattern(string pattern)
    {
        var at = pattern.IndexOf('@');
        if (at >= 0) pattern = pattern.Substring(0, at);
        var slash = pattern.LastIndexOf('/');
        var colon = pattern.LastIndexOf(':');
        return colon > slash ? (pattern.Substring(0, colon), pattern.Substring(colon + 1)) : (pattern, null);
    }

    static readonly System.Text.RegularExpressions.Regex ImageIdRx = new("^(sha256:)?[0-9a-f]{12,64}$",
        System.Text.RegularExpressions.RegexOptions.Compiled | System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>
    /// The one check every image cmdlet makes on a local image name before the engine sees it (issue 18 item 7): an
    /// image ID (12–64 hex, optionally sha256:) or a reference <see cref="Parse"/> reads; else InvalidImageReference.
    /// Wildcard patterns are not names and are not checked here.
    /// </summary>
    public static DockOptException? CheckLocalName(string name)
    {
        if (ImageIdRx.IsMatch(name)) return null;
        return TryParse(name, out _, out var why) ? null : Invalid(name, why!);
    }

    static DockOptException Invalid(string? what, string why) =>
        new(ErrorIds.InvalidImageReference, DockOptErrorCategory.InvalidArgument,
            $"'{what}' is not a valid image reference: {why}.", what,
            "Give [host[:port]/]path[:tag][@sha256:<64 hex>] with a lower-case path, e.g. alpine:3.20 or localhost:5000/team/app:1.");

    public bool Equals(ImageReference? other) => other != null && ToString() == other.ToString();
    public override bool Equals(object? obj) => Equals(obj as ImageReference);
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
