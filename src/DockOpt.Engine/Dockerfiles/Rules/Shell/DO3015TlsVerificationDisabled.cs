namespace DockOpt.Engine.Dockerfiles.Rules.Shell;

/// <summary>TLS or package signature verification turned off (curl -k, wget --no-check-certificate, apt --allow-unauthenticated, …).</summary>
public sealed class DO3015TlsVerificationDisabled : ShellRule
{
    public override RuleInfo Info { get; } = new("DO3015", "TlsVerificationDisabled", Severity.Medium, "TLS or package signature verification is disabled.");

    protected override void Check(LintContext ctx, RunScript run, ShellCommand c)
    {
        bool? pip = null; // asked once per command, and only of a program the switch does not name
        foreach (var w in c.Args)
            if (TurnsOffVerification(c, w.Value, ref pip))
                Report(ctx, $"'{w.Value}' turns off TLS or signature verification for {c.Program}.", c.RangeOfWord(w), run.Run, "Install the CA certificate or key instead.");
    }

    static bool TurnsOffVerification(ShellCommand c, string arg, ref bool? pip) => c.Program switch
    {
        "curl" => arg is "-k" or "--insecure",
        "wget" => arg == "--no-check-certificate",
        "apt-get" or "apt" => arg is "--allow-unauthenticated" or "--force-yes"
            || arg.Contains("AllowUnauthenticated=true", StringComparison.OrdinalIgnoreCase) || arg.Contains("Verify-Peer=false", StringComparison.OrdinalIgnoreCase),
        "yum" or "dnf" or "microdnf" or "rpm" => arg is "--nogpgcheck" or "--nosignature",
        "git" => arg.Contains("sslVerify=false", StringComparison.OrdinalIgnoreCase),
        "npm" or "yarn" => arg == "strict-ssl" && c.Args.Any(x => x.Value == "false"),
        _ => (pip ??= PackageCommands.IsPipInstall(c, out _)) && arg.StartsWith("--trusted-host"),
    };
}
