namespace DockOpt.Engine.Analysis.Recommendations;

/// <summary>DOA010: no HEALTHCHECK in the config.</summary>
public sealed class DOA010NoHealthcheck : ImageRecommendation
{
    public override RecommendationInfo Info { get; } = new("DOA010", "no-healthcheck", Severity.Low, "No HEALTHCHECK", "5");

    public override bool ApplicationOnly => true;

    const int Deduction = 5;

    public override IEnumerable<Recommendation> Check(RecommendationContext c)
    {
        if (c.Config.HasHealthcheck) yield break;
        yield return Finding("No HEALTHCHECK", "The engine cannot tell when the service inside is unhealthy.",
            "Add 'HEALTHCHECK CMD <probe>' (or let the orchestrator probe the service).", Deduction);
    }
}
