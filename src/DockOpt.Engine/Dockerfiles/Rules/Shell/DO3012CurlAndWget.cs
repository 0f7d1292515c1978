namespace DockOpt.Engine.Dockerfiles.Rules.Shell;

/// <summary>A stage that uses both curl and wget (hadolint DL4001): reported at each use of the second tool.</summary>
public sealed class DO3012CurlAndWget : ShellRule
{
    public override RuleInfo Info { get; } = new("DO3012", "CurlAndWget", Severity.Medium, "Use either curl or wget, not both.", "DL4001");

    public override void Check(LintContext ctx)
    {
        foreach (var stage in RunScript.All(ctx).GroupBy(r => r.Stage))
        {
            var sawCurl = false;
            var sawWget = false;
            foreach (var run in stage)
                foreach (var c in run.Commands)
                {
                    if (c.Program == "wget" && sawCurl || c.Program == "curl" && sawWget)
                        Report(ctx, "This stage uses both curl and wget.", ProgramRange(c), run.Run, "Use one download tool.");
                    sawWget |= c.Program == "wget";
                    sawCurl |= c.Program == "curl";
                }
        }
    }
}
