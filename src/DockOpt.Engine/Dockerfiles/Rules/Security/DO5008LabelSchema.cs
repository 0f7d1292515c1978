using System.Text.RegularExpressions;

namespace DockOpt.Engine.Dockerfiles.Rules.Security;

/// <summary>
/// Labels required by the configured label-schema: missing in a stage (hadolint DL3049; every stage, counting the
/// stages it is built on), empty (DL3051), not in their format (DL3052 url, DL3053 rfc3339, DL3054 spdx, DL3055 hash,
/// DL3056 semver, DL3058 email), or not in the schema under strict-labels (DL3050).
/// </summary>
public sealed class DO5008LabelSchema : Rule
{
    public override RuleInfo Info { get; } = new("DO5008", "LabelSchema", Severity.Low, "Required label missing, empty or not in its declared format.", "DL3049");

    static readonly Regex Rfc3339 = new(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.Compiled);
    static readonly Regex GitHash = new(@"^[0-9a-f]{7,40}$", RegexOptions.Compiled);
    static readonly Regex SemVer = new(@"^v?\d+\.\d+\.\d+(-[0-9A-Za-z.\-]+)?(\+[0-9A-Za-z.\-]+)?$", RegexOptions.Compiled);
    static readonly Regex Email = new(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.Compiled);

    public override void Check(LintContext ctx)
    {
        var schema = ctx.Options.RequiredLabels;
        if (schema.Count == 0) return;
        // Values and strict-labels: every LABEL wherever it stands (outside a stage too).
        foreach (var ins in ctx.Document.Instructions.Where(i => i.Keyword == "LABEL"))
            foreach (var (key, raw, _, word) in VariableExpander.KeyValues(ins.Arguments.Text, true))
            {
                var value = ctx.Model.Expand(ins, raw).Value;
                var range = ins.Arguments.RangeOf(word.Start, word.End);
                if (!schema.TryGetValue(key, out var format))
                {
                    if (ctx.Options.StrictLabels) Report(ctx, $"Label '{key}' is not in the label schema.", range, ins, "Remove it or add it to the schema.", "DL3050");
                }
                else if (value.Length == 0) Report(ctx, $"Label '{key}' is empty.", range, ins, "Give it a value.", "DL3051");
                else if (Validate(format, value) is (false, var id)) Report(ctx, $"Label '{key}' = '{value}' is not a valid {format}.", range, ins, $"Use a valid {format}.", id);
            }
        // Missing labels: every stage that no other stage builds on or copies from (as hadolint does), with the labels
        // of the stages it is built on.
        var used = ctx.Model.Stages.SelectMany(s => s.DependsOn.Concat(s.BaseStage is int b ? new[] { b } : Array.Empty<int>())).ToHashSet();
        foreach (var st in ctx.Model.Stages.Where(s => !used.Contains(s.Index)))
        {
            var present = new HashSet<string>(StringComparer.Ordinal);
            for (var s = st; s != null; s = s.BaseStage is int b ? ctx.Model.Stages[b] : null)
                foreach (var ins in s.Instructions.Where(i => i.Keyword == "LABEL"))
                    present.UnionWith(VariableExpander.KeyValues(ins.Arguments.Text, true).Select(kv => kv.Key));
            foreach (var (label, format) in schema.Where(l => !present.Contains(l.Key)))
                Report(ctx, $"Required label '{label}' is missing in stage '{st.DisplayName}'.", st.From.Range, st.From, $"LABEL {label}=<{format}>", "DL3049");
        }
    }

    /// <summary>Is the value valid for the format, and the hadolint id of that format's check.</summary>
    static (bool Ok, string Id) Validate(string format, string value) => format.ToLowerInvariant() switch
    {
        "url" => (Uri.TryCreate(value, UriKind.Absolute, out var u) && u.Scheme is "http" or "https", "DL3052"),
        "rfc3339" => (Rfc3339.IsMatch(value), "DL3053"),
        "spdx" => (SpdxExpression.IsValid(value), "DL3054"),
        "hash" => (GitHash.IsMatch(value), "DL3055"),
        "semver" => (SemVer.IsMatch(value), "DL3056"),
        "email" => (Email.IsMatch(value), "DL3058"),
        _ => (true, ""),
    };
}
