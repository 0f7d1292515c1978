namespace DockOpt.Engine.Analysis.Gates;

/// <summary>
/// The catalogue entry of one CI gate of Measure-DockOptImage: its name, the parameter and the configuration keys that
/// set it (<c>.dockopt.yml</c> <c>analysis:</c>, and dive's <c>.dive-ci</c> <c>rules:</c> where dive has one), and what it checks.
/// </summary>
public sealed record GateInfo(string Name, string Parameter, string ConfigKey, string? DiveKey, string Description)
{
    /// <summary>Absolute URL of the gate's section in docs/rules/analysis.md.</summary>
    public string HelpUri => Recommendations.RecommendationInfo.DocsUrl + "#" + Name.ToLowerInvariant();
}

/// <summary>
/// One CI gate (one class per file, <c>&lt;Name&gt;Gate.cs</c>): how it reads its setting and how it judges an analysis.
/// <see cref="AnalysisGateCatalog"/> finds every concrete subclass by reflection.
/// </summary>
public abstract class AnalysisGate
{
    public abstract GateInfo Info { get; }

    /// <summary>Whether the gate is set in <paramref name="gates"/>.</summary>
    public abstract bool IsSet(AnalysisGates gates);

    /// <summary>Reads the gate's setting from a configuration value (<paramref name="fromDive"/>: from .dive-ci, in dive's units).</summary>
    public abstract void Read(string value, string file, bool fromDive, AnalysisGates into);

    /// <summary>The violation of this gate by one analysis, as a sentence, or null when it holds (or is not set).</summary>
    public abstract string? Evaluate(ImageAnalysis analysis, AnalysisGates gates);
}
