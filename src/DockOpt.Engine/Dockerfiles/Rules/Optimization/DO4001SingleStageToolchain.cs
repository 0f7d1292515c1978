using System.Text.RegularExpressions;

namespace DockOpt.Engine.Dockerfiles.Rules.Optimization;

/// <summary>A single-stage build that installs a toolchain and builds with it ships the toolchain.</summary>
public sealed class DO4001SingleStageToolchain : Rule
{
    public override RuleInfo Info { get; } = new("DO4001", "SingleStageToolchain", Severity.Medium, "A single-stage build ships its compiler toolchain; use a build stage and a runtime stage.", "", "", true, true);

    /// <summary>Packages that are compilers, build tools or development headers.</summary>
    static readonly string[] ToolchainPackages =
    {
        "build-essential", "gcc", @"g\+\+", @"gcc-\d+", "clang", "make", "cmake", "autoconf", "automake", "libtool",
        "golang(-go)?", @"golang-\d.*", "maven", "gradle", "default-jdk", @"openjdk-\d+-jdk(-headless)?", "cargo", "rustc",
        "python3?-dev", ".*-dev", ".*-devel", "musl-dev", "alpine-sdk", "build-base", "dotnet-sdk.*",
    };

    /// <summary>Commands that compile or package.</summary>
    static readonly string[] BuildCommands =
    {
        @"go\s+build", @"cargo\s+build", @"mvn\s+[^&;]*(package|install|verify)", @"gradle\w*\s+[^&;]*(build|assemble|jar)", @"\./gradlew\s",
        @"dotnet\s+(publish|build)", @"npm\s+run\s+build", @"yarn\s+build", @"pnpm\s+build", @"make(\s|$)", @"cmake\s", @"gcc\s", @"g\+\+\s",
        @"tsc(\s|$)", @"python[0-9.]*\s+setup\.py\s+(build|install|bdist)",
    };

    static readonly Regex ToolchainPkg = new("^(" + string.Join("|", ToolchainPackages) + ")$", RegexOptions.Compiled);
    static readonly Regex BuildCmd = new(@"\b(" + string.Join("|", BuildCommands) + ")", RegexOptions.Compiled);

    static readonly string[] InstallOrAdd = { "install", "add" };

    public override void Check(LintContext ctx)
    {
        var model = ctx.Model;
        if (model.Final is not { } final || model.FeedsFinal.Count != 1 || final.BaseStage != null) return;
        var root = model.Stages[model.Shipped.Min()];
        var (repo, tag, _, _) = root.BaseResolved != null && !root.IsScratch ? ImageNames.Split(root.BaseResolved) : ("", "", "", false);
        var buildLines = new List<int>();
        var toolchain = new List<string>();
        if (repo is "golang" or "rust" or "maven" or "gradle" or "sdk" or "openjdk" && !tag.Contains("jre")) toolchain.Add(root.BaseResolved!);
        foreach (var (run, c) in ctx.StageCommands(final.Index))
            if (c.Program is "apt-get" or "apt" or "apk" or "yum" or "dnf" && c.Subcommand(InstallOrAdd) is Word w)
                foreach (var p in c.Words.SkipWhile(x => x.Start != w.Start).Skip(1))
                    if (ToolchainPkg.IsMatch(p.Value.Split('=')[0])) { toolchain.Add(p.Value); buildLines.Add(run.Range.Start.Line); }
        if (toolchain.Count == 0) return; // no toolchain: the build commands do not matter (the lines are sorted below, so a second pass changes nothing)
        foreach (var (_, c) in ctx.StageCommands(final.Index))
            if (BuildCmd.IsMatch(c.TextSpan)) buildLines.Add(c.Range.Start.Line);
        if (buildLines.Count == 0) return;
        var lines = string.Join(", ", buildLines.Distinct().Order());
        Report(ctx, $"Single-stage build ships its toolchain ({string.Join(", ", toolchain.Distinct().Take(5))}). Build part: lines {lines}; runtime part: the remaining instructions.",
            final.From.Range, final.From,
            $"Split it: 'FROM {root.BaseRaw} AS build' with lines {lines}, then 'FROM {RuntimeImage(repo, tag, root)}' and COPY --from=build only the artefacts.");
    }

    static string RuntimeImage(string repo, string tag, Stage root) => repo switch
    {
        "golang" => "gcr.io/distroless/static-debian12 (or scratch for a static binary)",
        "rust" => "debian:bookworm-slim",
        "maven" or "gradle" or "openjdk" => "eclipse-temurin:<ver>-jre",
        "sdk" => "mcr.microsoft.com/dotnet/aspnet:<ver>",
        "python" => $"python:{(tag.Length > 0 ? tag.Split('-')[0] + "-" : "")}slim",
        "node" => $"node:{(tag.Length > 0 ? tag.Split('-')[0] + "-" : "")}slim",
        _ => root.BaseResolved + " without the build packages",
    };
}
