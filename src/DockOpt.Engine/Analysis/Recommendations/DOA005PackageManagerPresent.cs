using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis.Recommendations;

/// <summary>DOA005: a package manager in the final image.</summary>
public sealed class DOA005PackageManagerPresent : ImageRecommendation
{
    public override RecommendationInfo Info { get; } = new("DOA005", "package-manager-present", Severity.Info,
        "Package manager in the final image", "2");

    const int Deduction = 2;

    static readonly (string Tool, string[] Paths)[] PackageManagers =
    {
        ("apt", new[] { "usr/bin/apt-get", "usr/bin/apt" }),
        ("dpkg", new[] { "usr/bin/dpkg" }),
        ("apk", new[] { "sbin/apk" }),
        ("dnf", new[] { "usr/bin/dnf", "usr/bin/microdnf" }),
        ("yum", new[] { "usr/bin/yum" }),
        ("pip", new[] { "usr/local/bin/pip", "usr/bin/pip", "usr/local/bin/pip3", "usr/bin/pip3" }),
        ("npm", new[] { "usr/local/bin/npm", "usr/bin/npm" }),
    };

    public override IEnumerable<Recommendation> Check(RecommendationContext c)
    {
        var managers = PackageManagers.Where(m => m.Paths.Any(p => c.Files.TryGetValue(p, out var n) && n.Kind == LayerEntryKind.RegularFile))
            .Select(m => m.Tool).ToList();
        if (managers.Count == 0) yield break;
        yield return Finding("Package manager in the final image: " + string.Join(", ", managers),
            "A package manager lets an attacker or an operator install software into a running container.",
            "Use a distroless or minimal runtime base for the final stage if the service does not need it.", Deduction);
    }
}
