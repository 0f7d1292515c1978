namespace DockOpt.Engine.Analysis.Recommendations;

/// <summary>DOA006: a shell in the final image.</summary>
public sealed class DOA006ShellPresent : ImageRecommendation
{
    public override RecommendationInfo Info { get; } = new("DOA006", "shell-present", Severity.Info, "Shell in the final image", "2");

    const int Deduction = 2;

    static readonly string[] Shells = { "bin/sh", "bin/bash", "bin/ash", "bin/dash", "usr/bin/bash", "bin/busybox" };

    public override IEnumerable<Recommendation> Check(RecommendationContext c)
    {
        var shells = Shells.Where(p => c.Files.ContainsKey(p)).Select(p => "/" + p).ToArray();
        if (shells.Length == 0) yield break;
        yield return Finding("Shell in the final image: " + string.Join(", ", shells),
            "A shell widens what an attacker can do after a compromise; exec-form CMD/ENTRYPOINT do not need one.",
            "Use a distroless/scratch final stage when the service does not need a shell.", Deduction, paths: shells);
    }
}
