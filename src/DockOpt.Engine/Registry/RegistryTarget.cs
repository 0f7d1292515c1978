using System.Text.RegularExpressions;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Registry;

/// <summary>A registry host and a repository in it.</summary>
public sealed record RegistryTarget(string Host, string Repository)
{
    static readonly Regex RepoRx = new("^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$", RegexOptions.CultureInvariant);
    static readonly Regex HostRx = new(@"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:]+\])(?::\d{1,5})?$", RegexOptions.CultureInvariant);

    // <account>.dkr.ecr.<region>.amazonaws.com, .dkr.ecr-fips., China .amazonaws.com.cn
    static readonly Regex EcrRx = new(@"^(?<account>\d{12})\.dkr\.(?<fips>ecr-fips|ecr)\.(?<region>[a-z0-9-]+)\.amazonaws\.com(?<cn>\.cn)?$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    public string Reference(string tag) => $"{Host}/{Repository}:{tag}";
    public string Pinned(string digest) => $"{Host}/{Repository}@{digest}";
    public override string ToString() => $"{Host}/{Repository}";

    /// <summary>The ECR identity of the host, when it is an Amazon ECR private registry.</summary>
    public EcrHost? Ecr => ParseEcr(Host);

    public static EcrHost? ParseEcr(string host)
    {
        var m = EcrRx.Match(host);
        if (!m.Success) return null;
        return new EcrHost(m.Groups["account"].Value, m.Groups["region"].Value.ToLowerInvariant(),
            m.Groups["fips"].Value.Equals("ecr-fips", StringComparison.OrdinalIgnoreCase), m.Groups["cn"].Success);
    }

    /// <summary>From -Registry and -Repository, or a -Destination reference (<c>host[:port]/repo[:tag]</c>; a tag there is returned).</summary>
    public static (RegistryTarget Target, string? Tag) Parse(string? registry, string? repository, string? destination)
    {
        string host, repo;
        string? tag = null;
        if (!string.IsNullOrWhiteSpace(destination))
        {
            var d = destination.Trim();
            if (d.Contains("://", StringComparison.Ordinal)) d = d.Substring(d.IndexOf("://", StringComparison.Ordinal) + 3);
            if (d.Contains('@'))
                throw Invalid(destination, "a digest cannot be a destination", "Give host/repository[:tag].");
            var slash = d.IndexOf('/');
            if (slash <= 0)
                throw Invalid(destination, "it names no registry host", "Give host[:port]/repository, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app.");
            host = d.Substring(0, slash);
            (repo, tag) = ImageReference.SplitTag(d.Substring(slash + 1));
        }
        else
        {
            if (string.IsNullOrWhiteSpace(registry) || string.IsNullOrWhiteSpace(repository))
                throw new DockOptException("DestinationRequired", DockOptErrorCategory.InvalidArgument,
                    "Say where to publish: -Registry and -Repository, or -Destination host/repository.", null,
                    "For example -Registry 123456789012.dkr.ecr.eu-west-1.amazonaws.com -Repository app.");
            host = registry.Trim();
            if (host.Contains("://", StringComparison.Ordinal)) host = host.Substring(host.IndexOf("://", StringComparison.Ordinal) + 3);
            host = host.TrimEnd('/');
            repo = repository.Trim().Trim('/');
        }
        if (!HostRx.IsMatch(host) || (!host.Contains('.') && !host.Contains(':') && host != "localhost"))
            throw Invalid(host, "it is not a registry host name (a name with a dot or a port, or localhost)", "Give the registry host, e.g. ghcr.io or 127.0.0.1:5000.");
        if (repo.Length == 0 || repo.Length > 255 || !RepoRx.IsMatch(repo))
            throw Invalid(repo, "repository names are lower case path components of [a-z0-9] separated by '.', '_', '__', '-' or '/'", "Use a lower-case repository name such as team/app.");
        if (tag != null) PublishTags.ValidateTag(tag);
        return (new RegistryTarget(host, repo), tag);
    }

    static DockOptException Invalid(string? what, string why, string hint) =>
        new("InvalidDestination", DockOptErrorCategory.InvalidArgument, $"'{what}' is not a valid destination: {why}.", what, hint);
}

/// <summary>An Amazon ECR private registry host.</summary>
public sealed record EcrHost(string AccountId, string Region, bool Fips, bool China)
{
    /// <summary>Control-plane endpoint of the region (<c>api.ecr.&lt;region&gt;.amazonaws.com</c>, FIPS <c>ecr-fips.&lt;region&gt;…</c>, China <c>….com.cn</c>).</summary>
    public Uri ApiEndpoint => new(Fips ? $"https://ecr-fips.{Region}.amazonaws.com{(China ? ".cn" : "")}/"
        : $"https://api.ecr.{Region}.amazonaws.com{(China ? ".cn" : "")}/");
}
