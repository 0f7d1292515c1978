namespace DockOpt.Engine.Dockerfiles;

/// <summary>One build stage.</summary>
public sealed class Stage
{
    public int Index { get; init; }
    public string? Name { get; init; }
    public Instruction From { get; init; } = null!;
    /// <summary>Base as written (<c>${REG}/app:${TAG}</c>).</summary>
    public string BaseRaw { get; init; } = "";
    /// <summary>Base after global ARG substitution; null when a variable had no known value.</summary>
    public string? BaseResolved { get; init; }
    /// <summary>The earlier stage this one builds on, or null for an image.</summary>
    public int? BaseStage { get; init; }
    public string? Platform { get; init; }
    public List<Instruction> Instructions { get; } = new();
    /// <summary>Stages this one copies or mounts from.</summary>
    public HashSet<int> DependsOn { get; } = new();
    public string DisplayName => Name ?? Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
    public bool IsScratch => string.Equals(BaseResolved, "scratch", StringComparison.OrdinalIgnoreCase);
    public override string ToString() => $"{DisplayName} FROM {BaseRaw}";
}
