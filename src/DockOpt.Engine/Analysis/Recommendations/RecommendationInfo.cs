namespace DockOpt.Engine.Analysis.Recommendations;

/// <summary>
/// The catalogue entry of one analysis recommendation: its id, rule name, severity, one-line message, how many points it
/// takes off the Score (as documented), and its help page. Each recommendation class declares its own.
/// </summary>
public sealed record RecommendationInfo(string Id, string Name, Severity Severity, string Message, string Deduction)
{
    /// <summary>Base URL of the analysis rule reference (docs/rules/analysis.md on the main branch).</summary>
    public const string DocsUrl = "https://github.com/dockopt/dockopt/blob/main/docs/rules/analysis.md";

    /// <summary>Absolute URL of the rule's section in docs/rules/analysis.md.</summary>
    public string HelpUri => DocsUrl + "#" + Id.ToLowerInvariant();
}
