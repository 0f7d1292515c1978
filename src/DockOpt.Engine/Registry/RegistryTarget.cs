using System.Text.RegularExpressions;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Registry;

/// <summary>A registry host and a repository in it.</summary>
public sealed record RegistryTarget(string Host, string Repository)
{
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

    /// <summary>The repository of a parsed reference (which must name its registry host).</summary>
    public static RegistryTarget From(ImageReference reference) => new(reference.Domain, reference.Path);

    /// <summary>
    /// From -Registry and -Repository, or a -Destination reference (<c>host[:port]/repo[:tag]</c>; a tag there is returned).
    /// Both go through <see cref="ImageReference"/>; a destination must name its registry host (Docker Hub is not a default).
    /// </summary>
    public static (RegistryTarget Target, string? Tag) Parse(string? registry, string? repository, string? destination)
    {
        string text;
        if (!string.IsNullOrWhiteSpace(destination))
        {
            text = StripScheme(destination.Trim());
            if (text.Contains('@'))
                throw Invalid(destination, "a digest cannot be a destination", "Give host/repository[:tag].");
            var slash = text.IndexOf('/');
            var first = slash > 0 ? text.Substring(0, slash) : "";
            if (slash <= 0 || !(first == "localhost" || first.IndexOfAny(new[] { '.', ':' }) >= 0))
                throw Invalid(destination, "it names no registry host", "Give host[:port]/repository, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app.");
        }
        else
        {
            if (string.IsNullOrWhiteSpace(registry) || string.IsNullOrWhiteSpace(repository))
                throw new DockOptException(ErrorIds.DestinationRequired, DockOptErrorCategory.InvalidArgument,
                    "Say where to publish: -Registry and -Repository, or -Destination host/repository.", null,
                    "For example -Registry 123456789012.dkr.ecr.eu-west-1.amazonaws.com -Repository app.");
            var host = StripScheme(registry.Trim()).TrimEnd('/');
            if (!ImageReference.IsValidDomain(host) || !(host == "localhost" || host.IndexOfAny(new[] { '.', ':' }) >= 0))
                throw Invalid(host, "it is not a registry host name (a name with a dot or a port, or localhost)", "Give the registry host, e.g. ghcr.io or 127.0.0.1:5000.");
            var repo = repository.Trim().Trim('/');
            if (repo.IndexOfAny(new[] { ':', '@' }) >= 0)
                throw Invalid(repo, "-Repository takes a repository path without a tag or digest", "Give tags with -Tag.");
            text = host + "/" + repo;
        }
        var reference = ImageReference.Parse(text);
        if (reference.Tag != null) PublishTags.ValidateTag(reference.Tag);
        return (From(reference), reference.Tag);
    }

    /// <summary>
    /// A leading https:// is dropped (a registry speaks HTTPS; that is what the push does). http:// and any other scheme
    /// are refused with InvalidDestination rather than stripped: the engine pushes over HTTPS unless the registry is in its
    /// insecure-registries, so "http://" would promise what the push does not do (issue 18 item 9).
    /// </summary>
    static string StripScheme(string s)
    {
        var i = s.IndexOf("://", StringComparison.Ordinal);
        if (i < 0) return s;
        var scheme = s.Substring(0, i);
        if (scheme.Equals("https", StringComparison.OrdinalIgnoreCase)) return s.Substring(i + 3);
        throw Invalid(s, scheme.Equals("http", StringComparison.OrdinalIgnoreCase)
                ? "DockOpt does not push over plain http://"
                : $"'{scheme}://' is not a registry scheme",
            "Give host[:port]/repository without http://. A plain-HTTP registry is pushed to through the engine: list it in the engine's insecure-registries (daemon.json); 127.0.0.1 and localhost are insecure by default.");
    }

    static DockOptException Invalid(string? what, string why, string hint) =>
        new(ErrorIds.InvalidDestination, DockOptErrorCategory.InvalidArgument, $"'{what}' is not a valid destination: {why}.", what, hint);
}
