namespace DockOpt;

/// <summary>
/// hadolint's four levels on DockOpt's severity scale: style = Info, info = Low, warning = Medium, error = High.
/// Configuration files (.hadolint.yaml, .dockopt.yml) and hadolint-format reports use the words.
/// </summary>
public static class LintLevels
{
    /// <summary>The hadolint word for a severity (Critical reads as error, Unknown as style).</summary>
    public static string ToHadolint(Severity severity) => severity switch
    {
        Severity.Critical or Severity.High => "error",
        Severity.Medium => "warning",
        Severity.Low => "info",
        _ => "style",
    };

    /// <summary>The severity of a hadolint word, or null when the word is none of the four.</summary>
    public static Severity? FromHadolint(string word) => word.Trim().ToLowerInvariant() switch
    {
        "error" => Severity.High,
        "warning" => Severity.Medium,
        "info" => Severity.Low,
        "style" => Severity.Info,
        _ => null,
    };
}
