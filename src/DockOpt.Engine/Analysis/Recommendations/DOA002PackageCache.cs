namespace DockOpt.Engine.Analysis.Recommendations;

/// <summary>DOA002: package-manager caches and lists left in the final filesystem, one finding per kind of cache.</summary>
public sealed class DOA002PackageCache : ImageRecommendation
{
    public override RecommendationInfo Info { get; } = new("DOA002", "package-cache", Severity.High,
        "Package-manager cache left in the image", "5 per cache kind found, max 20 in total");

    const int PerKind = 5;
    const int Cap = 20;

    sealed record CacheKind(string Name, string Tool, string Fix, Func<string, bool> Match);

    static readonly CacheKind[] Caches =
    {
        new("apt package cache", "apt", "Add 'rm -rf /var/cache/apt/archives/*.deb /var/cache/apt/*.bin' (or 'apt-get clean') to the same RUN as 'apt-get install'.",
            p => (p.StartsWith("var/cache/apt/archives/", StringComparison.Ordinal) && p.EndsWith(".deb", StringComparison.Ordinal))
                 || (p.StartsWith("var/cache/apt/", StringComparison.Ordinal) && p.EndsWith(".bin", StringComparison.Ordinal))),
        new("apt package lists", "apt", "Add 'rm -rf /var/lib/apt/lists/*' to the same RUN as 'apt-get update && apt-get install'.",
            p => p.StartsWith("var/lib/apt/lists/", StringComparison.Ordinal) && !p.EndsWith("/lock", StringComparison.Ordinal)),
        new("apk cache", "apk", "Use 'apk add --no-cache'.", p => p.StartsWith("var/cache/apk/", StringComparison.Ordinal)),
        new("dnf/yum cache", "dnf", "Run 'dnf clean all' (or 'yum clean all') in the same RUN, or pass --setopt=keepcache=0.",
            p => p.StartsWith("var/cache/dnf/", StringComparison.Ordinal) || p.StartsWith("var/cache/yum/", StringComparison.Ordinal)),
        new("pip cache", "pip", "Use 'pip install --no-cache-dir' or set PIP_NO_CACHE_DIR=1.", p => p.Contains(".cache/pip/", StringComparison.Ordinal)),
        new("npm cache", "npm", "Run 'npm ci && npm cache clean --force' in one RUN, or mount the cache with BuildKit.",
            p => p.Contains(".npm/_cacache/", StringComparison.Ordinal)),
        new("yarn cache", "yarn", "Run 'yarn install && yarn cache clean' in one RUN.",
            p => p.Contains(".cache/yarn/", StringComparison.Ordinal) || p.Contains(".yarn-cache/", StringComparison.Ordinal)),
        new("go build cache", "go", "Build in a builder stage, or 'go clean -cache -modcache' in the same RUN.",
            p => p.Contains(".cache/go-build/", StringComparison.Ordinal) || p.StartsWith("root/go/pkg/mod/", StringComparison.Ordinal)),
        new("NuGet cache", "nuget", "Restore in a builder stage, or 'dotnet nuget locals all --clear' in the same RUN.",
            p => p.Contains(".nuget/packages/", StringComparison.Ordinal) || p.Contains(".local/share/NuGet/", StringComparison.Ordinal)),
    };

    public override IEnumerable<Recommendation> Check(RecommendationContext c)
    {
        var deducted = 0;
        foreach (var kind in Caches)
        {
            long bytes = 0;
            var paths = new List<string>();
            var byLayer = new Dictionary<int, long>();
            foreach (var n in c.RegularFiles)
            {
                if (!kind.Match(n.Path)) continue;
                bytes += n.Size;
                byLayer[n.Layer] = byLayer.GetValueOrDefault(n.Layer) + n.Size;
                if (paths.Count < 20) paths.Add("/" + n.Path);
            }
            if (bytes == 0) continue;
            var d = Math.Min(PerKind, Cap - deducted);
            deducted += d;
            yield return Finding($"{kind.Name} left in the image ({ByteSize.Format(bytes)})",
                $"{paths.Count}{(paths.Count == 20 ? "+" : "")} files of the {kind.Tool} cache are in the final filesystem.",
                kind.Fix, d, bytes >= 10 * RecommendationContext.MiB ? Severity.High : Severity.Medium,
                savings: bytes, layer: RecommendationContext.HeaviestLayer(byLayer), paths: paths);
        }
    }
}
