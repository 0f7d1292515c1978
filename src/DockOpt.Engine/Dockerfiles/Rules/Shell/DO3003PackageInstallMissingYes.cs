namespace DockOpt.Engine.Dockerfiles.Rules.Shell;

/// <summary>A package install without -y blocks or fails a non-interactive build (hadolint DL3014, DL3030, DL3034, DL3038).</summary>
public sealed class DO3003PackageInstallMissingYes : ShellRule
{
    public override RuleInfo Info { get; } = new("DO3003", "PackageInstallMissingYes", Severity.Medium, "Package install without -y blocks or fails a non-interactive build.", "DL3014");

    protected override void Check(LintContext ctx, RunScript run, ShellCommand c)
    {
        var prog = c.Program;
        if (prog == "apt-get" && c.Subcommand("install") is Word iw
            && !c.HasOption('y', "--yes", "--assume-yes") && !c.Args.Any(a => a.Value == "-qq" || a.Value == "-q=2"))
        {
            var f = Report(ctx, "apt-get install without -y waits for a confirmation a build cannot give.", c.RangeOfWord(iw), run.Run, "apt-get install -y …", "DL3014");
            if (run.InsertAfter(c, iw, " -y") is TextEdit e) f.Edits.Add(e);
        }
        if (prog is "yum" or "dnf" or "microdnf" or "zypper" && c.Subcommand("install", "in") is Word yw
            && !c.HasOption(prog == "zypper" ? 'n' : 'y', "--assumeyes", "--yes", "--non-interactive", "-y")
            && !(prog == "zypper" && c.Words.Any(x => x.Value is "-n" or "--non-interactive")))
            Report(ctx, $"{prog} install without -y waits for a confirmation.", c.RangeOfWord(yw), run.Run, $"{prog} install -y …",
                prog switch { "yum" => "DL3030", "zypper" => "DL3034", _ => "DL3038" });
    }
}
