namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>An ENV uses a variable defined earlier in the same ENV instruction, which still has its old value (hadolint DL3044).</summary>
public sealed class DO2020EnvSelfReference : Rule
{
    public override RuleInfo Info { get; } = new("DO2020", "EnvSelfReference", Severity.High, "An ENV uses a variable defined in the same ENV instruction (it sees the old value).", "DL3044");

    public override void Check(LintContext ctx)
    {
        foreach (var ins in ctx.Document.Instructions.Where(i => i.Keyword == "ENV"))
        {
            var kvs = VariableExpander.KeyValues(ins.Arguments.Text, true);
            if (kvs.Count < 2) continue;
            var defined = new HashSet<string>();
            foreach (var (key, raw, _, word) in kvs)
            {
                foreach (System.Text.RegularExpressions.Match vm in VariableReferences.Pattern.Matches(raw))
                    if (defined.Contains(vm.Groups[1].Value) && !ctx.Model.ScopeBefore(ins).Vars.ContainsKey(vm.Groups[1].Value))
                        Report(ctx, $"${vm.Groups[1].Value} is defined in this same ENV; here it still has its previous (empty) value.", ins.Arguments.RangeOf(word.Start, word.End), ins, "Split into two ENV instructions.");
                defined.Add(key);
            }
        }
    }
}
