namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>ENV and LABEL should use key=value, not the legacy 'key value' form (build check LegacyKeyValueFormat).</summary>
public sealed class DO2016LegacyKeyValueFormat : Rule
{
    public override RuleInfo Info { get; } = new("DO2016", "LegacyKeyValueFormat", Severity.Info, "Use ENV/LABEL key=value, not the legacy 'key value' form.", "", "LegacyKeyValueFormat");

    public override void Check(LintContext ctx)
    {
        foreach (var ins in ctx.Document.Instructions.Where(i => i.Keyword is "ENV" or "LABEL"))
        {
            var args = ins.Arguments.Text;
            var kvs = VariableExpander.KeyValues(args, true);
            if (kvs.Count == 1 && !kvs[0].HasEquals && args.Trim().Contains(' '))
                Report(ctx, $"'{ins.Keyword} key value' is the legacy form.", ins.Arguments.RangeOf(0, args.Length), ins, $"Write {ins.Keyword} {kvs[0].Key}=\"{kvs[0].RawValue}\".");
        }
    }
}
