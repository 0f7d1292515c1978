namespace DockOpt.Engine.Analysis.Gates;

/// <summary>Every analysis gate, discovered by reflection over <see cref="AnalysisGate"/> (ordered by name).</summary>
public static class AnalysisGateCatalog
{
    public static readonly IReadOnlyList<AnalysisGate> Gates = typeof(AnalysisGate).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(AnalysisGate).IsAssignableFrom(t))
        .Select(t => (AnalysisGate)Activator.CreateInstance(t)!)
        .OrderBy(g => g.Info.Name, StringComparer.Ordinal)
        .ToList();

    public static readonly IReadOnlyList<GateInfo> All = Gates.Select(g => g.Info).ToList();
}
