namespace DockOpt.Engine.Dockerfiles.Rules.Syntax;

/// <summary>Only ARG (and comments and directives) may come before the first FROM (hadolint DL3061).</summary>
public sealed class DO1006InstructionBeforeFrom : Rule
{
    public override RuleInfo Info { get; } = new("DO1006", "InstructionBeforeFrom", Severity.High, "Only ARG and comments may come before the first FROM.", "DL3061");

    public override void Check(LintContext ctx)
    {
        foreach (var ins in ctx.Document.Instructions.TakeWhile(i => i.Keyword != "FROM"))
            if (ins.Keyword != "ARG" && ins.IsKnown)
                Report(ctx, $"{ins.Keyword} before the first FROM; only ARG may precede FROM.", ins.KeywordRange, ins, "Move it after FROM.");
    }
}
