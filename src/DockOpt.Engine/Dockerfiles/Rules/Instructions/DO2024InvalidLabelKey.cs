using System.Text.RegularExpressions;

namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>Label keys should be lowercase alphanumerics, '.' and '-', outside Docker's reserved namespaces (hadolint DL3048).</summary>
public sealed class DO2024InvalidLabelKey : Rule
{
    public override RuleInfo Info { get; } = new("DO2024", "InvalidLabelKey", Severity.Info, "Label keys should be lowercase alphanumerics, '.' and '-', outside the reserved com.docker/io.docker/org.dockerproject namespaces.", "DL3048");

    static readonly Regex KeyPattern = new(@"^[a-z0-9]([a-z0-9.\-]*[a-z0-9])?$", RegexOptions.Compiled);

    public override void Check(LintContext ctx)
    {
        foreach (var ins in ctx.Document.Instructions.Where(i => i.Keyword == "LABEL"))
        {
            var kvs = VariableExpander.KeyValues(ins.Arguments.Text, true);
            foreach (var (key, _, hasEq, word) in kvs)
                if ((hasEq || kvs.Count == 1) && !IsValid(key))
                    Report(ctx, $"Label key '{key}' is not a valid lowercase key or uses a reserved namespace.",
                        ins.Arguments.RangeOf(word.Start, word.Start + Math.Max(1, word.Raw.IndexOf('=') < 0 ? word.Raw.Length : word.Raw.IndexOf('='))), ins,
                        "Use reverse-DNS lowercase keys such as org.opencontainers.image.title.");
        }
    }

    static bool IsValid(string key) => KeyPattern.IsMatch(key) && !key.Contains("..") && !key.Contains("--")
        && !key.StartsWith("com.docker.", StringComparison.Ordinal) && !key.StartsWith("io.docker.", StringComparison.Ordinal) && !key.StartsWith("org.dockerproject.", StringComparison.Ordinal);
}
