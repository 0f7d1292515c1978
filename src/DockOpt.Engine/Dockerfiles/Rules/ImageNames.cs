namespace DockOpt.Engine.Dockerfiles.Rules;

/// <summary>The parts of an image reference the lint rules need.</summary>
internal static class ImageNames
{
    /// <summary>Short repository name (last path part, lowercase, no tag or digest), tag, registry (docker.io by default) and whether a digest is given.</summary>
    public static (string Repo, string Tag, string Registry, bool HasDigest) Split(string image)
    {
        var hasDigest = image.Contains('@');
        var noDigest = hasDigest ? image.Substring(0, image.IndexOf('@')) : image;
        var slash = noDigest.LastIndexOf('/');
        var colon = noDigest.LastIndexOf(':');
        var tag = colon > slash ? noDigest.Substring(colon + 1) : "";
        var path = colon > slash ? noDigest.Substring(0, colon) : noDigest;
        var parts = path.Split('/');
        var registry = parts.Length > 1 && (parts[0].Contains('.') || parts[0].Contains(':') || parts[0] == "localhost") ? parts[0] : "docker.io";
        return (parts[^1].ToLowerInvariant(), tag, registry, hasDigest);
    }
}
