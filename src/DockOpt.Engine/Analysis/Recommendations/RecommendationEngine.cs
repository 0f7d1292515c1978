using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis;

/// <summary>
/// The findings of an analysis as <see cref="Recommendation"/> objects, and the score: 100 minus the sum of each
/// finding's <see cref="Recommendation.ScoreDeduction"/>, floored at 0. The deductions are fixed per rule (see the table
/// in about_DockOpt_Analysis) so a score can be explained line by line.
/// </summary>
public static class RecommendationEngine
{
    const long MiB = 1024 * 1024;

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

    static readonly string[] CompilerFiles =
    {
        "usr/bin/gcc", "usr/bin/cc", "usr/bin/c++", "usr/bin/g++", "usr/bin/clang", "usr/bin/rustc", "usr/local/go/bin/go", "usr/bin/javac",
    };

    static bool IsToolchainPath(string p) =>
        p.StartsWith("usr/lib/gcc/", StringComparison.Ordinal) || p.StartsWith("usr/libexec/gcc/", StringComparison.Ordinal)
        || p.StartsWith("usr/include/", StringComparison.Ordinal) || p.StartsWith("usr/local/include/", StringComparison.Ordinal)
        || p.StartsWith("usr/local/go/", StringComparison.Ordinal) || p.StartsWith("usr/lib/go-", StringComparison.Ordinal)
        || p.StartsWith("usr/lib/llvm-", StringComparison.Ordinal) || p.StartsWith("usr/local/rustup/", StringComparison.Ordinal)
        || p.StartsWith("usr/bin/x86_64-linux-gnu-", StringComparison.Ordinal) || p.StartsWith("usr/bin/aarch64-linux-gnu-", StringComparison.Ordinal)
        || p.StartsWith("usr/lib/x86_64-linux-gnu/libLLVM", StringComparison.Ordinal) || p.StartsWith("usr/bin/gcc-", StringComparison.Ordinal)
        || p.StartsWith("usr/bin/g++-", StringComparison.Ordinal) || p.StartsWith("usr/bin/cpp-", StringComparison.Ordinal);

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

    static readonly string[] Shells = { "bin/sh", "bin/bash", "bin/ash", "bin/dash", "usr/bin/bash", "bin/busybox" };

    /// <summary>Computes the recommendations and sets <see cref="ImageAnalysis.Score"/> and <see cref="ImageAnalysis.Recommendations"/>.</summary>
    public static void Apply(ImageAnalysis a, IReadOnlyDictionary<string, FsNode> fs, ImageConfigSummary config)
    {
        var recs = new List<Recommendation>();
        var ownLayers = new HashSet<int>(a.Layers.Where(l => !l.IsEmpty && !l.IsBaseLayer).Select(l => l.Index));

        // DOA001 reclaimable bytes.
        if (a.ReclaimableBytes > 0)
        {
            var pct = a.TotalSize == 0 ? 0 : 100.0 * a.ReclaimableBytes / a.TotalSize;
            var worst = a.Layers.Where(l => l.ReclaimableBytes > 0).OrderByDescending(l => l.ReclaimableBytes).FirstOrDefault();
            var causes = a.Waste.GroupBy(w => w.Cause).OrderByDescending(g => g.Sum(w => w.Bytes)).ToList();
            var main = causes[0].Key;
            recs.Add(new Recommendation
            {
                Id = "DOA001", Rule = "reclaimable-bytes",
                Severity = pct >= 10 ? "High" : pct >= 1 ? "Medium" : "Low",
                Title = $"{ByteSize.Format(a.ReclaimableBytes)} stored in layers but not visible in the image ({pct:0.#}% of {ByteSize.Format(a.TotalSize)})",
                Detail = string.Join("; ", causes.Select(g => $"{g.Key}: {ByteSize.Format(g.Sum(w => w.Bytes))} in {g.Count()} copies")),
                EstimatedSavingsBytes = a.ReclaimableBytes,
                Layer = worst?.Index,
                Paths = a.Waste.Take(20).Select(w => w.Path).ToArray(),
                Fix = main switch
                {
                    WasteCause.MetadataOnlyRewrite => "Set mode and owner when the file is written (COPY --chown/--chmod, or chmod/chown in the same RUN) instead of in a later layer.",
                    WasteCause.OverwrittenWithIdenticalContent => "Do not write the same file twice; remove the repeated COPY/RUN step.",
                    WasteCause.Overwritten => "Write each file once: produce the final version in one step, or build it in a builder stage and COPY --from it.",
                    _ => "Delete temporary files in the same RUN that creates them (or build in a separate stage); a later 'rm' does not shrink the image.",
                },
                ScoreDeduction = (int)Math.Min(30, Math.Ceiling(pct)),
            });
        }

        // DOA002 package-manager caches and lists.
        var cacheDeduction = 0;
        foreach (var kind in Caches)
        {
            long bytes = 0;
            var paths = new List<string>();
            var layerBytes = new Dictionary<int, long>();
            foreach (var n in fs.Values)
            {
                if (n.Kind != LayerEntryKind.RegularFile || !kind.Match(n.Path)) continue;
                bytes += n.Size;
                layerBytes[n.Layer] = layerBytes.GetValueOrDefault(n.Layer) + n.Size;
                if (paths.Count < 20) paths.Add("/" + n.Path);
            }
            if (bytes == 0) continue;
            var d = Math.Min(5, 20 - cacheDeduction);
            cacheDeduction += d;
            recs.Add(new Recommendation
            {
                Id = "DOA002", Rule = "package-cache", Severity = bytes >= 10 * MiB ? "High" : "Medium",
                Title = $"{kind.Name} left in the image ({ByteSize.Format(bytes)})",
                Detail = $"{paths.Count}{(paths.Count == 20 ? "+" : "")} files of the {kind.Tool} cache are in the final filesystem.",
                EstimatedSavingsBytes = bytes, Layer = layerBytes.OrderByDescending(kv => kv.Value).First().Key,
                Paths = paths.ToArray(), Fix = kind.Fix, ScoreDeduction = d,
            });
        }

        // DOA003 compilers and headers; DOA004 single-stage build carrying its toolchain.
        var compilers = CompilerFiles.Where(p => fs.TryGetValue(p, out var n) && n.Kind != LayerEntryKind.Directory).Select(p => "/" + p).ToList();
        long toolchainBytes = 0;
        long ownToolchainBytes = 0;
        var toolLayers = new Dictionary<int, long>();
        foreach (var n in fs.Values)
        {
            if (n.Kind != LayerEntryKind.RegularFile || !IsToolchainPath(n.Path)) continue;
            toolchainBytes += n.Size;
            if (ownLayers.Contains(n.Layer)) ownToolchainBytes += n.Size;
            toolLayers[n.Layer] = toolLayers.GetValueOrDefault(n.Layer) + n.Size;
        }
        if (compilers.Count > 0 || toolchainBytes >= MiB)
        {
            recs.Add(new Recommendation
            {
                Id = "DOA003", Rule = "compilers-present", Severity = "Medium",
                Title = $"Compilers or development headers in the final image ({ByteSize.Format(toolchainBytes)})",
                Detail = compilers.Count > 0 ? "Found " + string.Join(", ", compilers) + "." : "Found development headers and toolchain files.",
                EstimatedSavingsBytes = toolchainBytes, Layer = toolLayers.Count > 0 ? toolLayers.OrderByDescending(kv => kv.Value).First().Key : null,
                Paths = compilers.Take(20).ToArray(),
                Fix = "Install build tools only in a builder stage, or use a -slim/runtime base image for the final stage.",
                ScoreDeduction = 5,
            });
            if (toolchainBytes >= 10 * MiB)
                recs.Add(new Recommendation
                {
                    Id = "DOA004", Rule = "single-stage-toolchain", Severity = "High",
                    Title = $"Single-stage build carries its toolchain: a multi-stage build would save about {ByteSize.Format(toolchainBytes)}",
                    Detail = $"{ByteSize.Format(toolchainBytes)} of compilers, headers and toolchain files are in the final image ({ByteSize.Format(ownToolchainBytes)} of them in the image's own layers).",
                    EstimatedSavingsBytes = toolchainBytes,
                    Layer = toolLayers.Count > 0 ? toolLayers.OrderByDescending(kv => kv.Value).First().Key : null,
                    Paths = compilers.Take(20).ToArray(),
                    Fix = "Build in 'FROM <sdk> AS build', then 'FROM <runtime-or-slim>' and 'COPY --from=build' only the artifacts.",
                    ScoreDeduction = 10,
                });
        }

        // DOA005 package managers, DOA006 shells.
        var managers = PackageManagers.Where(m => m.Paths.Any(p => fs.TryGetValue(p, out var n) && n.Kind == LayerEntryKind.RegularFile))
            .Select(m => m.Tool).ToList();
        if (managers.Count > 0)
            recs.Add(new Recommendation
            {
                Id = "DOA005", Rule = "package-manager-present", Severity = "Info",
                Title = "Package manager in the final image: " + string.Join(", ", managers),
                Detail = "A package manager lets an attacker or an operator install software into a running container.",
                Fix = "Use a distroless or minimal runtime base for the final stage if the service does not need it.",
                ScoreDeduction = 2,
            });
        var shells = Shells.Where(p => fs.ContainsKey(p)).Select(p => "/" + p).ToArray();
        if (shells.Length > 0)
            recs.Add(new Recommendation
            {
                Id = "DOA006", Rule = "shell-present", Severity = "Info",
                Title = "Shell in the final image: " + string.Join(", ", shells),
                Detail = "A shell widens what an attacker can do after a compromise; exec-form CMD/ENTRYPOINT do not need one.",
                Paths = shells, Fix = "Use a distroless/scratch final stage when the service does not need a shell.",
                ScoreDeduction = 2,
            });

        // DOA007 large files.
        var large = fs.Values.Where(n => n.Kind == LayerEntryKind.RegularFile && n.Size >= 50 * MiB).OrderByDescending(n => n.Size).ToList();
        if (large.Count > 0)
            recs.Add(new Recommendation
            {
                Id = "DOA007", Rule = "large-files", Severity = "Low",
                Title = $"{large.Count} file(s) of 50 MiB or more ({ByteSize.Format(large.Sum(n => n.Size))})",
                Detail = string.Join(", ", large.Take(5).Select(n => $"/{n.Path} ({ByteSize.Format(n.Size)})")),
                EstimatedSavingsBytes = 0, Layer = large[0].Layer, Paths = large.Take(20).Select(n => "/" + n.Path).ToArray(),
                Fix = "Check that large files belong in the image (data sets, archives, debug symbols); fetch data at run time or strip binaries.",
                ScoreDeduction = Math.Min(6, 2 * large.Count),
            });

        // DOA008 many layers.
        if (a.LayerCount > 20)
            recs.Add(new Recommendation
            {
                Id = "DOA008", Rule = "many-layers", Severity = "Low",
                Title = $"{a.LayerCount} layers",
                Detail = "Many layers slow pulls and make waste between layers more likely.",
                Fix = "Combine related RUN steps, and copy build outputs from a builder stage in one COPY.",
                ScoreDeduction = 5,
            });

        // DOA009 root user, DOA010 no healthcheck.
        var user = config.User.Trim();
        if (user.Length == 0 || user is "root" or "0" or "0:0" or "root:root")
            recs.Add(new Recommendation
            {
                Id = "DOA009", Rule = "root-user", Severity = "Medium",
                Title = "The image runs as root",
                Detail = user.Length == 0 ? "The config sets no USER." : $"USER is '{user}'.",
                Fix = "Add a non-root user and 'USER <name>' (or a numeric UID) at the end of the Dockerfile.",
                ScoreDeduction = 10,
            });
        if (!config.HasHealthcheck)
            recs.Add(new Recommendation
            {
                Id = "DOA010", Rule = "no-healthcheck", Severity = "Low",
                Title = "No HEALTHCHECK",
                Detail = "The engine cannot tell when the service inside is unhealthy.",
                Fix = "Add 'HEALTHCHECK CMD <probe>' (or let the orchestrator probe the service).",
                ScoreDeduction = 5,
            });

        // DOA011 .git, DOA012 tests, DOA013 docs and man pages.
        AddPathRule(recs, fs, "DOA011", "git-directory", "Medium", ".git directories shipped",
            p => p.Contains("/.git/", StringComparison.Ordinal) || p.StartsWith(".git/", StringComparison.Ordinal), 1,
            "Add '.git' to .dockerignore, or copy only the files the service needs.", 5);
        AddPathRule(recs, fs, "DOA012", "tests-shipped", "Low", "Test suites shipped",
            p => IsTestPath(p), MiB, "Remove test directories of installed packages (e.g. site-packages/*/tests), or do not copy tests into the final stage.", 3);
        AddPathRule(recs, fs, "DOA013", "docs-shipped", "Low", "Documentation and man pages shipped",
            p => p.StartsWith("usr/share/doc/", StringComparison.Ordinal) || p.StartsWith("usr/share/man/", StringComparison.Ordinal)
                 || p.StartsWith("usr/share/info/", StringComparison.Ordinal) || p.StartsWith("usr/local/share/man/", StringComparison.Ordinal),
            MiB, "Install with '--no-install-recommends' and path-exclude rules for /usr/share/doc and /usr/share/man (dpkg.cfg.d), or delete them in the same RUN.", 3);

        // DOA014 duplicate content.
        if (a.DuplicateBytes >= MiB)
            recs.Add(new Recommendation
            {
                Id = "DOA014", Rule = "duplicate-content", Severity = "Low",
                Title = $"{ByteSize.Format(a.DuplicateBytes)} of identical content stored at several paths",
                Detail = string.Join("; ", a.Duplicates.Take(3).Select(d => $"{d.Count} x {ByteSize.Format(d.Size)}: {string.Join(", ", d.Paths.Take(3))}")),
                EstimatedSavingsBytes = a.DuplicateBytes, Paths = a.Duplicates.SelectMany(d => d.Paths).Take(20).ToArray(),
                Fix = "Copy the file once and link it (ln -s / ln), or avoid copying the same artifact to two places.",
                ScoreDeduction = (int)Math.Min(5, Math.Ceiling(100.0 * a.DuplicateBytes / Math.Max(1, a.FinalSize))),
            });

        a.Recommendations = recs.ToArray();
        a.Score = Math.Max(0, 100 - recs.Sum(r => r.ScoreDeduction));
    }

    static bool IsTestPath(string p)
    {
        if (!(p.Contains("-packages/", StringComparison.Ordinal) || p.Contains("node_modules/", StringComparison.Ordinal))) return false;
        return p.Contains("/tests/", StringComparison.Ordinal) || p.Contains("/test/", StringComparison.Ordinal) || p.Contains("/__tests__/", StringComparison.Ordinal);
    }

    static void AddPathRule(List<Recommendation> recs, IReadOnlyDictionary<string, FsNode> fs, string id, string rule, string severity,
        string title, Func<string, bool> match, long threshold, string fix, int deduction)
    {
        long bytes = 0;
        var count = 0;
        var paths = new List<string>();
        var layers = new Dictionary<int, long>();
        foreach (var n in fs.Values)
        {
            if (n.Kind == LayerEntryKind.Directory || !match(n.Path)) continue;
            bytes += n.Kind == LayerEntryKind.RegularFile ? n.Size : 0;
            count++;
            layers[n.Layer] = layers.GetValueOrDefault(n.Layer) + n.Size;
            if (paths.Count < 20) paths.Add("/" + n.Path);
        }
        if (count == 0 || bytes < threshold) return;
        recs.Add(new Recommendation
        {
            Id = id, Rule = rule, Severity = severity,
            Title = $"{title} ({count} files, {ByteSize.Format(bytes)})",
            Detail = $"{count} files, {ByteSize.Format(bytes)}.",
            EstimatedSavingsBytes = bytes, Layer = layers.OrderByDescending(kv => kv.Value).First().Key,
            Paths = paths.ToArray(), Fix = fix, ScoreDeduction = deduction,
        });
    }
}
