namespace DockOpt.Engine.Analysis.Recommendations;

/// <summary>DOA008: more than 20 layers.</summary>
public sealed class DOA008ManyLayers : ImageRecommendation
{
    public override RecommendationInfo Info { get; } = new("DOA008", "many-layers", Severity.Low,
        "Many layers", "5 when there are more than 20 layers");

    const int Deduction = 5;
    const int MostLayers = 20;

    public override IEnumerable<Recommendation> Check(RecommendationContext c)
    {
        if (c.Analysis.LayerCount <= MostLayers) yield break;
        yield return Finding($"{c.Analysis.LayerCount} layers", "Many layers slow pulls and make waste between layers more likely.",
            "Combine related RUN steps, and copy build outputs from a builder stage in one COPY.", Deduction);
    }
}
