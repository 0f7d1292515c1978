namespace DockOpt.Engine.Dockerfiles.Rules.Security;

/// <summary>The shipped image runs as root, by name or UID 0 (hadolint DL3002).</summary>
public sealed class DO5001RootUser : Rule
{
    public override RuleInfo Info { get; } = new("DO5001", "RootUser", Severity.Medium, "The shipped image runs as root (by name or UID 0).", "DL3002", "", true, true);

    public override void Check(LintContext ctx)
    {
        if (ShippedImage.LastUser(ctx) is var (ins, value, user) && user is "root" or "0")
            Report(ctx, $"The shipped image runs as '{value}'.", ins.Arguments.RangeOf(0, ins.Arguments.Length), ins, "Create a user and end with USER <name> (or a UID ≥ 1000).");
    }
}
