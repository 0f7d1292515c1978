namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>Base of the rules on <c>COPY --from=…</c>: visits each reference whose value is known at lint time.</summary>
public abstract class CopyFromRule : Rule
{
    public override void Check(LintContext ctx)
    {
        foreach (var ins in ctx.Document.Instructions.Where(i => i.Keyword is "COPY" or "ADD"))
        {
            if (ctx.Model.StageOf(ins) is not { } st) continue;
            foreach (var (value, raw, flag) in ctx.Model.StageReferences(ins).Where(r => r.Flag.Name.Equals("from", StringComparison.OrdinalIgnoreCase)))
            {
                if (value.Contains('$') || !ctx.Model.Expand(ins, raw).Resolved) continue; // unknown at lint time: no guess (hadolint #933)
                Check(ctx, ins, st, value, flag);
            }
        }
    }

    protected static bool IsOwnStage(Stage st, string value) =>
        st.Name != null && value.Equals(st.Name, StringComparison.OrdinalIgnoreCase) || value == st.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    protected abstract void Check(LintContext ctx, Instruction ins, Stage stage, string value, InstructionFlag flag);
}
