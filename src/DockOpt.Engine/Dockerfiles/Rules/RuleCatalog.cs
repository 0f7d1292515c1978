namespace DockOpt.Engine.Dockerfiles.Rules;

/// <summary>Every rule DockOpt knows, discovered by reflection over <see cref="IRule"/> (ordered by id).</summary>
public static class RuleCatalog
{
    /// <summary>One instance of each rule class.</summary>
    public static readonly IReadOnlyList<IRule> Rules = typeof(IRule).Assembly.GetTypes()
        .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IRule).IsAssignableFrom(t))
        .Select(t => (IRule)Activator.CreateInstance(t)!)
        .OrderBy(r => r.Info.Id, StringComparer.Ordinal)
        .ToList();

    public static readonly IReadOnlyList<RuleInfo> All = Rules.Select(r => r.Info).ToList();

    static readonly Dictionary<string, RuleInfo> ById = All.ToDictionary(r => r.Id, StringComparer.OrdinalIgnoreCase);

    public static RuleInfo Get(string id) => ById[id];
    public static bool TryGet(string id, out RuleInfo? rule) => ById.TryGetValue(id, out rule);
}
