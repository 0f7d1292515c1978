using System.Text.RegularExpressions;
using DockOpt.Engine.Reporting;

namespace DockOpt.Engine.Tests.Reporting;

public class CiReporterTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("h9-ci-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    const string Hostile = "100% done\r\nline2: a,b;c]d ::error::x ##vso[task.complete result=Failed]";

    /// <summary>Undoes the GitHub runner's escaping (actions/runner ActionCommand.Unescape order).</summary>
    static string GhUnescapeProperty(string s) => s.Replace("%0D", "\r").Replace("%0A", "\n").Replace("%3A", ":").Replace("%2C", ",").Replace("%25", "%");
    static string GhUnescapeData(string s) => s.Replace("%0D", "\r").Replace("%0A", "\n").Replace("%25", "%");
    static string AzUnescape(string s) => s.Replace("%3B", ";").Replace("%0D", "\r").Replace("%0A", "\n").Replace("%5D", "]").Replace("%AZP25", "%");

    [Fact]
    public void GitHubEscapesDataAndPropertiesSoTheRunnerGetsTheTextBack()
    {
        var data = GitHubCommands.EscapeData(Hostile);
        Assert.DoesNotContain('\n', data);
        Assert.DoesNotContain('\r', data);
        Assert.Equal("100%25 done%0D%0Aline2: a,b;c]d ::error::x ##vso[task.complete result=Failed]", data);
        Assert.Equal(Hostile, GhUnescapeData(data));

        var prop = GitHubCommands.EscapeProperty(Hostile);
        Assert.DoesNotContain(':', prop);
        Assert.DoesNotContain(',', prop);
        Assert.Equal(Hostile, GhUnescapeProperty(prop));
        // %3A in the input must survive as text, not turn into ':' on the way back.
        Assert.Equal("50%3A", GhUnescapeProperty(GitHubCommands.EscapeProperty("50%3A")));
    }

    [Fact]
    public void GitHubCommandLineHasPropertiesInOrderAndSkipsEmptyOnes()
    {
        var line = GitHubCommands.Command("error", new (string, string?)[] { ("file", "src/a,b:c.Dockerfile"), ("line", "3"), ("col", ""), ("title", "DO1 x:y") }, "bad\nthing 5%");
        Assert.Equal("::error file=src/a%2Cb%3Ac.Dockerfile,line=3,title=DO1 x%3Ay::bad%0Athing 5%25", line);
        Assert.Single(line.Split('\n'));
    }

    [Fact]
    public void AzureEscapesDataAndPropertiesSoTheAgentGetsTheTextBack()
    {
        var data = AzureCommands.EscapeData(Hostile);
        Assert.DoesNotContain('\n', data);
        Assert.Equal(Hostile, AzUnescape(data));
        var prop = AzureCommands.EscapeProperty(Hostile);
        Assert.DoesNotContain(';', prop);
        Assert.DoesNotContain(']', prop);
        Assert.Equal(Hostile, AzUnescape(prop));
        var line = AzureCommands.Command("task.logissue", new (string, string?)[] { ("type", "error"), ("sourcepath", "a;b]/Dockerfile"), ("linenumber", "7") }, "x]y;z");
        Assert.Equal("##vso[task.logissue type=error;sourcepath=a%3Bb%5D/Dockerfile;linenumber=7;]x]y;z", line);
    }

    [Fact]
    public void OutputEntryUsesAFreshDelimiterThatTheValueDoesNotContain()
    {
        var entry = GitHubCommands.OutputEntry("digest", "line1\nghadelimiter_x\nline3");
        var m = Regex.Match(entry, "^digest<<(ghadelimiter_[0-9a-f-]{36})\nline1\nghadelimiter_x\nline3\n\\1\n$");
        Assert.True(m.Success, entry);
    }

    [Fact]
    public void DetectionHonoursGitHubAzureAndTheOptOut()
    {
        var gh = new Dictionary<string, string?> { ["GITHUB_ACTIONS"] = "true", ["GITHUB_STEP_SUMMARY"] = "/s", ["GITHUB_OUTPUT"] = "/o" };
        Assert.Equal(CiPlatform.GitHubActions, CiEnvironment.Detect(k => gh.GetValueOrDefault(k)).Platform);
        gh["DOCKOPT_CI"] = "off";
        Assert.Equal(CiPlatform.None, CiEnvironment.Detect(k => gh.GetValueOrDefault(k)).Platform);
        var az = new Dictionary<string, string?> { ["TF_BUILD"] = "True" };
        Assert.Equal(CiPlatform.AzurePipelines, CiEnvironment.Detect(k => az.GetValueOrDefault(k)).Platform);
        Assert.Equal(CiPlatform.None, CiEnvironment.Detect(_ => null).Platform);
    }

    CiReporter GitHub(StringWriter console, string workspace) => new(new CiEnvironment
    {
        Platform = CiPlatform.GitHubActions, SummaryPath = Path.Combine(_dir, "summary.md"), OutputPath = Path.Combine(_dir, "output"), Workspace = workspace,
    }, console, "Test-DockOptDockerfile");

    [Fact]
    public void LintFindingsBecomeAnnotationsAtTheirLocationRelativeToTheWorkspace()
    {
        var console = new StringWriter();
        var ws = Path.Combine(_dir, "repo");
        var ci = GitHub(console, ws);
        ci.Observe(new LintFinding
        {
            RuleId = "DO3001", RuleName = "pin, versions", Severity = Severity.High, Message = "Pin 100% of\nversions",
            Path = Path.Combine(ws, "svc,1", "Dockerfile"), Line = 4, Column = 2, EndLine = 4, EndColumn = 9,
        });
        ci.Observe(new LintFinding { RuleId = "DO5005", Severity = Severity.Medium, Message = "latest", Path = "/elsewhere/Dockerfile", Line = 1, Column = 1 });
        ci.Observe("not a DockOpt object");
        ci.Complete();
        var lines = console.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("::error file=svc%2C1/Dockerfile,line=4,endLine=4,col=2,endColumn=9,title=DO3001 pin%2C versions::Pin 100%25 of%0Aversions", lines[0]);
        Assert.Equal("::warning file=/elsewhere/Dockerfile,line=1,col=1,title=DO5005::latest", lines[1]);
        var summary = File.ReadAllText(Path.Combine(_dir, "summary.md"));
        Assert.Contains("### Dockerfile lint", summary);
        Assert.Contains("| High | DO3001 |", summary);
        Assert.Contains("Pin 100% of versions", summary); // one table row: the line break is gone
        Assert.Matches("^lint_findings<<(ghadelimiter_[^\n]+)\n2\n\\1\n$", File.ReadAllText(Path.Combine(_dir, "output")));
    }

    [Fact]
    public void ABuildIsGroupedAndItsKeyValuesGoToTheOutputs()
    {
        var console = new StringWriter();
        var ci = GitHub(console, _dir);
        ci.Observe(new BuildResult
        {
            ImageId = "sha256:abc", Tags = new[] { "app:1" }, Size = 1234, StepCount = 2, CacheHits = 1, Duration = TimeSpan.FromSeconds(3.5),
            Steps = new[] { new BuildStep { Number = 1, Instruction = "FROM x", Cached = true }, new BuildStep { Number = 2, Instruction = "RUN echo ::error::no", Line = 2 } },
        });
        ci.Complete();
        ci.Complete(); // once only
        var log = console.ToString();
        Assert.StartsWith("::group::DockOpt build app:1: 2 steps, 1 cached, 3.5 s\n", log);
        Assert.Contains("Step 2/2 (line 2): RUN echo ::error::no", log);
        Assert.EndsWith("::endgroup::\n", log.Replace("\r\n", "\n"));
        var outputs = Parse(File.ReadAllText(Path.Combine(_dir, "output")));
        Assert.Equal("sha256:abc", outputs["image_id"]);
        Assert.Equal("1234", outputs["size"]);
        Assert.Equal("3.5", outputs["build_seconds"]);
        Assert.Single(Regex.Matches(File.ReadAllText(Path.Combine(_dir, "summary.md")), "### Builds"));
    }

    [Fact]
    public void AFailedBuildStepIsAnErrorAtItsDockerfileLineWithTheOutputGrouped()
    {
        var console = new StringWriter();
        var ci = GitHub(console, _dir);
        ci.Error(new BuildStepFailedException("failed", null, null, 3, 4, "RUN make", 7, 2, new[] { "make: *** [all] Error 2", "::warning::spoof" }, Path.Combine(_dir, "Dockerfile")));
        var lines = console.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("::error file=Dockerfile,line=7,title=Build step failed::Step 3/4 failed with exit code 2: RUN make", lines[0]);
        Assert.Equal("::group::Output of the failed step 3: RUN make", lines[1]);
        Assert.Equal(" ::warning::spoof", lines[3]); // a log line can't issue a command
        Assert.Equal("::endgroup::", lines[4]);
    }

    [Fact]
    public void GatesAndFailedTestsAreErrorsAndInTheSummary()
    {
        var console = new StringWriter();
        var ci = GitHub(console, _dir);
        ci.Observe(new ImageTestResult { Image = "app:1", Category = "Http", Name = "GET /", Outcome = ImageTestOutcome.Failed, Message = "got 500", Expected = "200", Actual = "500" });
        ci.Error(new DockOptException("SecurityGateFailed", DockOptErrorCategory.SecurityError, "1 finding at or above High: CVE-1, in app:1", null));
        ci.Complete();
        var lines = console.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("::error title=Image test failed%3A app%3A1::Http: GET /: got 500 (expected 200, got 500)", lines[0]);
        Assert.Equal("::error title=DockOpt gate failed (SecurityGateFailed)::1 finding at or above High: CVE-1, in app:1", lines[1]);
        var summary = File.ReadAllText(Path.Combine(_dir, "summary.md"));
        Assert.Contains("> **❌ SecurityGateFailed: 1 finding at or above High: CVE-1, in app:1**", summary);
        Assert.Contains("❌ Failed", summary);
        var outputs = Parse(File.ReadAllText(Path.Combine(_dir, "output")));
        Assert.Equal("Failed", outputs["outcome"]);
        Assert.Equal("Failed", outputs["gate"]);
    }

    [Fact]
    public void AzureWritesLogIssuesAnUploadedSummaryAndOutputVariables()
    {
        var console = new StringWriter();
        var ci = new CiReporter(new CiEnvironment { Platform = CiPlatform.AzurePipelines, TempDirectory = _dir, Workspace = "/src" }, console, "Compare-DockOptImage");
        ci.Observe(new ImageComparison { ReferenceImage = "a;b]:1", DifferenceImage = "a:2", ReferenceSize = 1000, DifferenceSize = 400 });
        ci.Observe(new LintFinding { RuleId = "DO1", Severity = Severity.Medium, Message = "m;]", Path = "/src/x;y/Dockerfile", Line = 3, Column = 1 });
        ci.Complete();
        var lines = console.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("##vso[task.logissue type=warning;sourcepath=x%3By/Dockerfile;linenumber=3;columnnumber=1;code=DO1;]m;]", lines[0]);
        var upload = Regex.Match(lines[1], @"^##vso\[task\.uploadsummary\](.+)$");
        Assert.True(upload.Success, lines[1]);
        var md = File.ReadAllText(upload.Groups[1].Value);
        Assert.Contains("**60 %**", md);
        Assert.Contains("`a;b]:1`", md);
        Assert.Contains("##vso[task.setvariable variable=reduction_percent;isOutput=true;]60", lines);
        Assert.Contains("##vso[task.setvariable variable=size;isOutput=true;]400", lines);
    }

    [Fact]
    public void SecretsAreMaskedBeforeUse()
    {
        var gh = new StringWriter();
        CiReporter.MaskSecret("p@ss,w:rd\n%", gh, new CiEnvironment { Platform = CiPlatform.GitHubActions });
        Assert.Equal("::add-mask::p@ss,w:rd%0A%25", gh.ToString().TrimEnd());
        var az = new StringWriter();
        CiReporter.MaskSecret("s;e]c%", az, new CiEnvironment { Platform = CiPlatform.AzurePipelines });
        Assert.Equal("##vso[task.setsecret]s;e]c%AZP25", az.ToString().TrimEnd());
        var none = new StringWriter();
        CiReporter.MaskSecret("x", none, new CiEnvironment());
        Assert.Equal("", none.ToString());
    }

    static Dictionary<string, string> Parse(string outputFile)
    {
        var d = new Dictionary<string, string>();
        foreach (Match m in Regex.Matches(outputFile, "(?<name>[^\n<]+)<<(?<d>ghadelimiter_[^\n]+)\n(?<v>.*?)\n\\k<d>\n", RegexOptions.Singleline))
            d[m.Groups["name"].Value] = m.Groups["v"].Value;
        return d;
    }

    [Fact]
    public void ScanFindingsTiedToALineBecomeAnnotationsMostSevereFirstAndAtMostFiftyPerReport()
    {
        var console = new StringWriter();
        var ws = Path.Combine(_dir, "repo");
        var df = Path.Combine(ws, "svc,a", "Dockerfile");
        var ci = GitHub(console, ws);
        var vulns = Enumerable.Range(0, 60).Select(i => new Vulnerability
        {
            Id = $"CVE-2024-{i:0000}", Package = "pkg", InstalledVersion = "1.0", FixedVersion = i % 2 == 0 ? "1.1" : "",
            Severity = i == 59 ? Severity.Critical : Severity.Low, Dockerfile = df, Line = 4, Layer = 2,
        }).ToList();
        vulns.Add(new Vulnerability { Id = "CVE-2024-9999", Package = "base", Severity = Severity.Critical, Layer = 0, IsBaseLayer = true });   // no line: not annotated
        vulns.Add(new Vulnerability { Id = "CVE-2024-8888", Package = "pkg", Severity = Severity.High, Dockerfile = df, Line = 4, Suppressed = true });
        ci.Observe(new SecurityReport
        {
            Image = "app:1",
            Findings = new[] { new SecurityFinding { Kind = "Secret", RuleId = "DO-SEC-GITHUB-TOKEN", Severity = "Critical", Title = "GitHub token in a file", Location = "/srv/app.env:1", Match = "ghp_****", Layer = 1, Dockerfile = df, Line = 3 } },
            Vulnerabilities = vulns.ToArray(),
        });
        var lines = console.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("::", StringComparison.Ordinal)).ToList();
        Assert.Equal(CiReporter.MaxScanAnnotations, lines.Count);
        Assert.Equal("::error file=svc%2Ca/Dockerfile,line=3,title=DO-SEC-GITHUB-TOKEN Secret::GitHub token in a file: /srv/app.env:1 (ghp_****) in app:1, layer 1.", lines[0]);
        Assert.Equal("::error file=svc%2Ca/Dockerfile,line=4,title=CVE-2024-0059 Critical::CVE-2024-0059 in pkg 1.0 (no fix yet); installed by this instruction, found in app:1.", lines[1]);
        Assert.All(lines.Skip(2), l => Assert.StartsWith("::notice file=svc%2Ca/Dockerfile,line=4,title=CVE-2024-", l));
        Assert.DoesNotContain(lines, l => l.Contains("CVE-2024-9999") || l.Contains("CVE-2024-8888"));
    }

    [Fact]
    public void AzureGetsScanFindingsTiedToALineAsLogIssuesAtThatLine()
    {
        var console = new StringWriter();
        var df = Path.Combine("/src", "svc;a", "Dockerfile");
        var ci = new CiReporter(new CiEnvironment { Platform = CiPlatform.AzurePipelines, TempDirectory = _dir, Workspace = "/src" }, console, "Invoke-DockOptScan");
        ci.Observe(new SecurityReport
        {
            Image = "app:1",
            Vulnerabilities = new[] { new Vulnerability { Id = "CVE-2023-32681", Package = "requests", InstalledVersion = "2.30.0", FixedVersion = "2.31.0", Severity = Severity.Medium, Dockerfile = df, Line = 4, Layer = 3 } },
        });
        var issue = Assert.Single(console.ToString().Split('\n'), l => l.StartsWith("##vso[task.logissue", StringComparison.Ordinal));
        Assert.Equal("##vso[task.logissue type=warning;sourcepath=svc%3Ba/Dockerfile;linenumber=4;code=CVE-2023-32681 Medium;]CVE-2023-32681 in requests 2.30.0 (fixed in 2.31.0); installed by this instruction, found in app:1.", issue.TrimEnd('\r'));
    }
}

/// <summary>Registry credentials are masked in the CI log the moment DockOpt reads them (process environment and console).</summary>
[Collection(ProcessStateCollection.Name)]
public class CiSecretMaskingTests
{
    [Fact]
    public void ARegistryCredentialIsMaskedWhenItIsCreatedUnderGitHubActions()
    {
        var before = (Environment.GetEnvironmentVariable("GITHUB_ACTIONS"), Environment.GetEnvironmentVariable("DOCKOPT_CI"), Environment.GetEnvironmentVariable("TF_BUILD"));
        var console = Console.Out;
        var captured = new StringWriter();
        try
        {
            Environment.SetEnvironmentVariable("GITHUB_ACTIONS", "true");
            Environment.SetEnvironmentVariable("DOCKOPT_CI", null);
            Environment.SetEnvironmentVariable("TF_BUILD", null);
            Console.SetOut(captured);
            var c = new DockOpt.Engine.Registry.RegistryCredential("AWS", "tok%en,1", "test");
            Assert.False(c.IsAnonymous);
        }
        finally
        {
            Console.SetOut(console);
            Environment.SetEnvironmentVariable("GITHUB_ACTIONS", before.Item1);
            Environment.SetEnvironmentVariable("DOCKOPT_CI", before.Item2);
            Environment.SetEnvironmentVariable("TF_BUILD", before.Item3);
        }
        var lines = captured.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("::add-mask::tok%25en,1", lines);
        Assert.Contains("::add-mask::" + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("AWS:tok%en,1")), lines);
    }
}
