namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>The AS keyword should match the casing of FROM (build check FromAsCasing).</summary>
public sealed class DO2004FromAsCasing : Rule
{
    public override RuleInfo Info { get; } = new("DO2004", "FromAsCasing", Severity.Info, "The AS keyword should match the casing of FROM.", "", "FromAsCasing");

    public override void Check(LintContext ctx)
    {
        foreach (var from in ctx.Model.Stages.Select(s => s.From))
        {
            var words = DockerfileParser.Words(from.Arguments.Text).ToList();
            if (words.Count != 3 || !words[1].Value.Equals("AS", StringComparison.OrdinalIgnoreCase)) continue;
            var asWord = words[1];
            var fromUpper = from.KeywordText == "FROM";
            var fromLower = from.KeywordText == "from";
            if ((fromUpper && asWord.Value != "AS") || (fromLower && asWord.Value != "as"))
            {
                var want = fromUpper ? "AS" : "as";
                var r = from.Arguments.RangeOf(asWord.Start, asWord.End);
                var f = Report(ctx, $"'{asWord.Value}' does not match the casing of '{from.KeywordText}'.", r, from, $"Write {want}.");
                f.Edits.Add(new TextEdit(r.Start.Line, r.Start.Column, 2, want));
            }
        }
    }
}
