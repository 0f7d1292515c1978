using System.Text.RegularExpressions;

namespace DockOpt.Engine.Dockerfiles.Rules.Optimization;

/// <summary>The shipped image uses a heavy official base where a slim variant exists.</summary>
public sealed class DO4002HeavyBaseImage : Rule
{
    public override RuleInfo Info { get; } = new("DO4002", "HeavyBaseImage", Severity.Low, "The shipped image uses a heavy base where a slim variant exists.", "", "", true, true);

    /// <summary>Tags that already name a small variant.</summary>
    static readonly Regex SmallVariant = new("slim|alpine|distroless|minimal|jre|chiseled|busybox|micro|windowsservercore|nanoserver", RegexOptions.Compiled);

    public override void Check(LintContext ctx)
    {
        var model = ctx.Model;
        if (model.Final == null) return;
        var root = model.Stages[model.Shipped.Min()];
        if (root.BaseResolved is not { } baseImage || root.IsScratch) return;
        var (repo, tag, registry, _) = ImageNames.Split(baseImage);
        var official = registry == "docker.io" || baseImage.StartsWith("mcr.microsoft.com/dotnet/", StringComparison.Ordinal);
        if (!official || tag.Contains('{') || SmallVariant.IsMatch(tag)) return;
        var slim = SlimVariant(repo, tag);
        if (slim != null && (repo != "sdk" || baseImage.Contains("dotnet")))
            Report(ctx, $"The shipped image is based on '{baseImage}'; '{slim}' is several hundred MB smaller.", root.From.Arguments.RangeOf(0, root.BaseRaw.Length), root.From,
                $"FROM {slim} (add the few packages you need).");
    }

    static string? SlimVariant(string repo, string tag) => repo switch
    {
        "python" or "node" or "ruby" or "perl" => tag.Length == 0 || tag == "latest" ? $"{repo}:slim" : $"{repo}:{tag}-slim",
        "debian" => tag.Length == 0 || tag == "latest" ? "debian:stable-slim" : $"debian:{tag}-slim",
        "openjdk" or "eclipse-temurin" or "amazoncorretto" => $"{repo}:{(tag.Length == 0 ? "<ver>" : tag.Replace("-jdk", ""))}-jre",
        "sdk" => "mcr.microsoft.com/dotnet/runtime or aspnet",
        _ => null,
    };
}
