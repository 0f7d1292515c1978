namespace DockOpt.Engine.Dockerfiles.Rules.Shell;

/// <summary>useradd with a UID of 6 digits or more and without -l writes a huge sparse lastlog (hadolint DL3046).</summary>
public sealed class DO3010UseraddHighUid : ShellRule
{
    public override RuleInfo Info { get; } = new("DO3010", "UseraddHighUid", Severity.Medium, "useradd with a high UID without -l bloats the image (lastlog).", "DL3046");

    protected override void Check(LintContext ctx, RunScript run, ShellCommand c)
    {
        if (c.Program != "useradd" || c.HasOption('l', "--no-log-init")) return;
        var uid = c.Words.SkipWhile(w => w.Value is not ("-u" or "--uid")).Skip(1).FirstOrDefault();
        var inline = c.Words.FirstOrDefault(w => w.Value.StartsWith("--uid=") || (w.Value.StartsWith("-u") && w.Value.Length > 2 && char.IsDigit(w.Value[2])));
        var val = uid.Value ?? (inline.Value == null ? null : inline.Value.TrimStart('-', 'u').Replace("-uid=", "").Replace("uid=", ""));
        if (val != null && val.Length > 5 && val.All(char.IsDigit))
            Report(ctx, $"useradd with UID {val} without -l writes a huge sparse /var/log/lastlog.", ProgramRange(c), run.Run, "useradd -l …");
    }
}
