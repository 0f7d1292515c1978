using System.Text.RegularExpressions;

namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>A comment right above a named stage or an ARG should start with its name (experimental build check; opt-in).</summary>
public sealed class DO2025InvalidDefinitionDescription : Rule
{
    public override RuleInfo Info { get; } = new("DO2025", "InvalidDefinitionDescription", Severity.Info, "A comment right above a named stage or an ARG should start with its name (experimental build check; opt-in).", "", "InvalidDefinitionDescription", EnabledByDefault: false);

    static readonly Regex PragmaComment = new(@"^#\s*(hadolint|dockopt|check|syntax|escape)\b", RegexOptions.IgnoreCase | RegexOptions.Compiled);

    public override void Check(LintContext ctx)
    {
        foreach (var ins in ctx.Document.Instructions.Where(i => i.Keyword is "FROM" or "ARG" && i.Comments.Count > 0))
        {
            var last = ins.Comments[^1];
            if (last.Line != ins.Range.Start.Line - 1 || PragmaComment.IsMatch(last.Text)) continue;
            var w = DockerfileParser.Words(ins.Arguments.Text).ToList();
            var name = ins.Keyword == "FROM" ? (w.Count == 3 ? w[2].Value : null) : w.Count == 1 ? w[0].Value.Split('=')[0] : null;
            var first = last.Text.TrimStart('#').Trim().Split(' ', 2)[0];
            if (name != null && first.Length > 0 && first != name)
                Report(ctx, $"The comment above {ins.Keyword} {name} should start with '{name}' to describe it.", SourceRange.Of(last.Line, last.Column, last.Line, last.Column + last.Text.Length), ins,
                    $"# {name} <description>");
        }
    }
}
