namespace DockOpt.Engine.Dockerfiles.Rules;

/// <summary>
/// The catalogue entry of one rule: its id, name, default severity, what it checks, the hadolint rule and Docker
/// build check it corresponds to, and whether it is on by default or judges only the shipped image.
/// </summary>
public sealed record RuleInfo(string Id, string Name, Severity Severity, string Description,
    string Hadolint = "", string BuildCheck = "", bool EnabledByDefault = true, bool ShippedOnly = false)
{
    /// <summary>Absolute URL of the rule's section on its family's reference page.</summary>
    public string HelpUri => RuleDocs.HelpUri(Id);

    /// <summary>The rule family (the reference page it is documented on).</summary>
    public RuleFamily Family => RuleDocs.FamilyOf(Id);
}
