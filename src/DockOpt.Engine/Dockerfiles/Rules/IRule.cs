namespace DockOpt.Engine.Dockerfiles.Rules;

/// <summary>
/// One lint rule: its catalogue entry next to its check. Every non-abstract implementation in the engine assembly
/// is found by <see cref="RuleCatalog"/> (one class per file, under Rules/&lt;Family&gt;/).
/// </summary>
public interface IRule
{
    RuleInfo Info { get; }

    /// <summary>Reports the rule's findings on one document through <see cref="LintContext.Report(RuleInfo, string, SourceRange, Instruction?, string, string?)"/>.</summary>
    void Check(LintContext ctx);
}

/// <summary>Base of the rules: holds the entry and reports under it.</summary>
public abstract class Rule : IRule
{
    public abstract RuleInfo Info { get; }
    public abstract void Check(LintContext ctx);

    /// <summary>Reports a finding of this rule (<paramref name="hadolint"/>: the DL id when the rule maps to several).</summary>
    protected RawFinding Report(LintContext ctx, string message, SourceRange range, Instruction? ins, string fix = "", string? hadolint = null) =>
        ctx.Report(Info, message, range, ins, fix, hadolint);
}
