namespace DockOpt.Engine.Dockerfiles.Rules;

/// <summary>Where each rule is documented: one reference page per family under docs/rules/, one section per rule.</summary>
public static class RuleDocs
{
    /// <summary>Base URL of the rule reference pages (the repository's docs/rules folder on its main branch).</summary>
    public const string BaseUrl = "https://github.com/dockopt/dockopt/blob/main/docs/rules/";

    /// <summary>File name of a family's page under docs/rules/.</summary>
    public static string PageOf(RuleFamily family) => family switch
    {
        RuleFamily.Syntax => "DO1-syntax.md",
        RuleFamily.Instructions => "DO2-instructions.md",
        RuleFamily.Shell => "DO3-shell.md",
        RuleFamily.Optimization => "DO4-optimization.md",
        RuleFamily.ShellCheck => "DO6-shellcheck.md",
        _ => "DO5-security.md",
    };

    /// <summary>The family of a DO id (DO2000 → Instructions).</summary>
    public static RuleFamily FamilyOf(string id) =>
        id.Length >= 3 && id[2] is >= '1' and <= '6' ? (RuleFamily)(id[2] - '0')
        : throw new ArgumentException($"'{id}' is not a DOnnnn rule id.", nameof(id));

    /// <summary>Absolute help URL of a rule: its family page and the anchor of its <c>## DOnnnn</c> heading.</summary>
    public static string HelpUri(string id) => BaseUrl + PageOf(FamilyOf(id)) + "#" + id.ToLowerInvariant();
}
