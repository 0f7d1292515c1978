namespace DockOpt.Engine.Dockerfiles.Rules.Security;

/// <summary>The final USER is a name: Kubernetes runAsNonRoot cannot verify it (opt-in; hadolint DL3066).</summary>
public sealed class DO5009NonNumericUser : Rule
{
    public override RuleInfo Info { get; } = new("DO5009", "NonNumericUser", Severity.Low, "The final USER is a name: Kubernetes runAsNonRoot cannot verify it (opt-in).", "DL3066", "", false, true);

    public override void Check(LintContext ctx)
    {
        if (ShippedImage.LastUser(ctx) is var (ins, value, user) && user is not ("root" or "0") && user.Length > 0 && !user.All(char.IsDigit))
            Report(ctx, $"USER {value} is a name; runAsNonRoot and host file ownership need a numeric UID.", ins.Arguments.RangeOf(0, ins.Arguments.Length), ins, "USER <uid>:<gid>, e.g. USER 10001:10001.");
    }
}
