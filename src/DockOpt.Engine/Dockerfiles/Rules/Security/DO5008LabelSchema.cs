using System.Text.RegularExpressions;

namespace DockOpt.Engine.Dockerfiles.Rules.Security;

/// <summary>
/// Labels required by the configured label-schema: missing (hadolint DL3049), empty (DL3051), not in their format
/// (DL3052 url, DL3053 rfc3339, DL3054 spdx, DL3055 hash, DL3056 semver, DL3058 email), or not in the schema under
/// strict-labels (DL3050).
/// </summary>
public sealed class DO5008LabelSchema : Rule
{
    public override RuleInfo Info { get; } = new("DO5008", "LabelSchema", Severity.Low, "Required label missing, empty or not in its declared format.", "DL3049", "", true, true);

    static readonly Regex Rfc3339 = new(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.Compiled);
    /// <summary>An SPDX id or a simple AND/OR/WITH expression of ids.</summary>
    static readonly Regex Spdx = new(@"^[A-Za-z0-9.+\-]+( (AND|OR|WITH) [A-Za-z0-9.+\-]+)*$", RegexOptions.Compiled);
    static readonly Regex GitHash = new(@"^[0-9a-f]{7,40}$", RegexOptions.Compiled);
    static readonly Regex SemVer = new(@"^v?\d+\.\d+\.\d+(-[0-9A-Za-z.\-]+)?(\+[0-9A-Za-z.\-]+)?$", RegexOptions.Compiled);
    static readonly Regex Email = new(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.Compiled);

    public override void Check(LintContext ctx)
    {
        var schema = ctx.Options.RequiredLabels;
        if (schema.Count == 0 || ctx.Model.Final is not { } final) return;
        var labels = new Dictionary<string, (string Value, Instruction Ins, Word Word)>(StringComparer.Ordinal);
        foreach (var ins in ShippedImage.Instructions(ctx.Model).Where(i => i.Keyword == "LABEL"))
            foreach (var (key, raw, _, word) in VariableExpander.KeyValues(ins.Arguments.Text, true))
                labels[key] = (ctx.Model.Expand(ins, raw).Value, ins, word);
        foreach (var (label, format) in schema)
        {
            if (!labels.TryGetValue(label, out var l))
                Report(ctx, $"Required label '{label}' is missing.", final.From.Range, final.From, $"LABEL {label}=<{format}>", "DL3049");
            else if (l.Value.Length == 0)
                Report(ctx, $"Label '{label}' is empty.", l.Ins.Arguments.RangeOf(l.Word.Start, l.Word.End), l.Ins, "Give it a value.", "DL3051");
            else if (Validate(format, l.Value) is (false, var id))
                Report(ctx, $"Label '{label}' = '{l.Value}' is not a valid {format}.", l.Ins.Arguments.RangeOf(l.Word.Start, l.Word.End), l.Ins, $"Use a valid {format}.", id);
        }
        if (ctx.Options.StrictLabels)
            foreach (var (key, l) in labels.Where(kv => !schema.ContainsKey(kv.Key)))
                Report(ctx, $"Label '{key}' is not in the label schema.", l.Ins.Arguments.RangeOf(l.Word.Start, l.Word.End), l.Ins, "Remove it or add it to the schema.", "DL3050");
    }

    /// <summary>Is the value valid for the format, and the hadolint id of that format's check.</summary>
    static (bool Ok, string Id) Validate(string format, string value) => format.ToLowerInvariant() switch
    {
        "url" => (Uri.TryCreate(value, UriKind.Absolute, out var u) && u.Scheme is "http" or "https", "DL3052"),
        "rfc3339" => (Rfc3339.IsMatch(value), "DL3053"),
        "spdx" => (Spdx.IsMatch(value), "DL3054"),
        "hash" => (GitHash.IsMatch(value), "DL3055"),
        "semver" => (SemVer.IsMatch(value), "DL3056"),
        "email" => (Email.IsMatch(value), "DL3058"),
        _ => (true, ""),
    };
}
