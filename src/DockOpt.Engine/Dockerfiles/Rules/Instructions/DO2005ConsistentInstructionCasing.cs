namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>Instruction keywords should share one casing: the majority's, uppercase on a tie (build check ConsistentInstructionCasing).</summary>
public sealed class DO2005ConsistentInstructionCasing : Rule
{
    public override RuleInfo Info { get; } = new("DO2005", "ConsistentInstructionCasing", Severity.Info, "Instruction keywords should use one casing (uppercase).", "", "ConsistentInstructionCasing");

    public override void Check(LintContext ctx)
    {
        var keywords = ctx.Document.Instructions.Where(i => i.IsKnown).ToList();
        var lowerOf = new Dictionary<string, string>(StringComparer.Ordinal); // a handful of keywords: one lower-case copy each
        string Lower(string keyword) => lowerOf.TryGetValue(keyword, out var l) ? l : lowerOf[keyword] = keyword.ToLowerInvariant();
        var upper = keywords.Count(i => i.KeywordText == i.Keyword);
        var lower = keywords.Count(i => i.KeywordText == Lower(i.Keyword));
        var wantUpper = upper >= lower;
        foreach (var ins in keywords)
        {
            var want = wantUpper ? ins.Keyword : Lower(ins.Keyword);
            var mixed = ins.KeywordText != ins.Keyword && ins.KeywordText != Lower(ins.Keyword);
            if (ins.KeywordText == want || !(upper > 0 && lower > 0 || mixed)) continue;
            var f = Report(ctx, $"Instruction '{ins.KeywordText}' should be written '{want}' like the rest of the file.", ins.KeywordRange, ins, $"Write {want}.");
            f.Edits.Add(new TextEdit(ins.KeywordRange.Start.Line, ins.KeywordRange.Start.Column, ins.KeywordText.Length, want));
            var fw = DockerfileParser.Words(ins.Arguments.Text).ToList();
            if (ins.Keyword == "FROM" && fw.Count == 3 && fw[1].Value.Equals("AS", StringComparison.OrdinalIgnoreCase) && fw[1].Value != (wantUpper ? "AS" : "as"))
            {
                var r = ins.Arguments.RangeOf(fw[1].Start, fw[1].End);
                f.Edits.Add(new TextEdit(r.Start.Line, r.Start.Column, 2, wantUpper ? "AS" : "as"));
            }
        }
    }
}
