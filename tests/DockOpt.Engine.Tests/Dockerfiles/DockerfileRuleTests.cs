using DockOpt.Engine.Dockerfiles;
using DockOpt.Engine.Dockerfiles.Rules;

namespace DockOpt.Engine.Tests.Dockerfiles;

public class DockerfileRuleTests
{
    static DockerfileLintResult Lint(string text, Action<LintOptions>? configure = null, string? path = null)
    {
        var o = new LintOptions();
        configure?.Invoke(o);
        return DockerfileLinter.Lint(text, path, o);
    }

    [Fact]
    public void PositionsInsideAHeredocAreThePhysicalLineAndColumn()
    {
        var text = "FROM debian:bookworm-slim\nRUN <<EOF\nset -e\n  apt-get   install curl\nEOF\n";
        var f = Assert.Single(Lint(text).Findings, x => x.RuleId == "DO3003");
        Assert.Equal((4, 13, 4, 20), (f.Line, f.Column, f.EndLine, f.EndColumn));
        Assert.Equal("DL3014", f.HadolintId);
    }

    [Fact]
    public void PositionsWithTabStrippedHeredocCountTheTabs()
    {
        var text = "FROM debian:bookworm-slim\nRUN <<-EOF\n\t\tcd /tmp\n\tEOF\nRUN echo after\n";
        var r = Lint(text);
        var f = Assert.Single(r.Findings, x => x.RuleId == "DO3000");
        Assert.Equal((3, 3, 3, 5), (f.Line, f.Column, f.EndLine, f.EndColumn));
        Assert.Equal(3, r.Document.Instructions.Count); // the instruction after the terminator is parsed
    }

    [Fact]
    public void MultiLineRunReportsTheContinuationLineNotTheFirst()
    {
        var text = "FROM debian:bookworm-slim\nRUN echo start \\\n    # comment inside\n    && sudo make \\\n    && true\n";
        var f = Assert.Single(Lint(text).Findings, x => x.RuleId == "DO3001");
        Assert.Equal((4, 8, 4, 12), (f.Line, f.Column, f.EndLine, f.EndColumn));
    }

    [Fact]
    public void BacktickEscapeJoinsContinuations()
    {
        var text = "# escape=`\nFROM debian:bookworm-slim\nRUN echo a `\n    && cd /x\n";
        var doc = DockerfileParser.Parse(text);
        Assert.Equal('`', doc.EscapeChar);
        Assert.Equal(2, doc.Instructions.Count);
        var f = Assert.Single(Lint(text).Findings, x => x.RuleId == "DO3000");
        Assert.Equal((4, 8), (f.Line, f.Column));
    }

    [Fact]
    public void SeveralHeredocsOnOneInstructionAreReadInOrder()
    {
        var doc = DockerfileParser.Parse("FROM x\nRUN <<A cat >a && <<\"B\" cat >b\nalpha\nA\nbeta\nB\nCOPY <<EOF /c\nc\nEOF\n");
        var run = doc.Instructions[1];
        Assert.Equal(new[] { "A", "B" }, run.Heredocs.Select(h => h.Delimiter));
        Assert.Equal("alpha", run.Heredocs[0].Body.Text);
        Assert.True(run.Heredocs[1].Quoted);
        Assert.Equal(new SourcePosition(5, 1), run.Heredocs[1].Body.PositionAt(0));
        Assert.Equal(new SourcePosition(6, 2), run.Range.End);
        Assert.Equal("c", doc.Instructions[2].Heredocs[0].Body.Text);
        Assert.Empty(doc.Issues);
    }

    [Fact]
    public void OnbuildRunTriggersAreLintedAndIgnorable()
    {
        var text = "FROM debian:bookworm-slim\nONBUILD RUN cd /src && \\\n    sudo make\n# hadolint ignore=DL3004\nONBUILD RUN sudo true\n";
        var r = Lint(text);
        var sudo = Assert.Single(r.Findings, f => f.RuleId == "DO3001");
        Assert.Equal((3, 5, "ONBUILD RUN"), (sudo.Line, sudo.Column, sudo.Instruction));
        Assert.Contains(r.Findings, f => f.RuleId == "DO3000" && f.Line == 2 && f.Column == 13);
    }

    [Fact]
    public void UnknownFlagIsAFindingAndTheRestIsStillLinted()
    {
        var r = Lint("FROM debian:bookworm-slim\nADD --newflag=1 app.py /srv/\nRUN sudo true\n");
        Assert.Contains(r.Findings, f => f.RuleId == "DO1002" && f.Line == 2 && f.Column == 5);
        Assert.Contains(r.Findings, f => f.RuleId == "DO4007");
        Assert.Contains(r.Findings, f => f.RuleId == "DO3001");
    }

    [Fact]
    public void ModelResolvesStagesBasesAndTheStagesFeedingTheFinalOne()
    {
        var text = "ARG BASE=debian:bookworm-slim\nFROM ${BASE} AS deps\nFROM deps AS build\nRUN touch /out\nFROM debian:bookworm-slim AS tools\nFROM debian:bookworm-slim AS unused\nFROM build AS final\nCOPY --from=tools /x /x\nRUN --mount=type=bind,from=deps,target=/d true\n";
        var m = new DockerfileModel(DockerfileParser.Parse(text));
        Assert.Equal(5, m.Stages.Count);
        Assert.Equal("debian:bookworm-slim", m.Stages[0].BaseResolved);
        Assert.Equal(0, m.Stages[1].BaseStage);
        Assert.Equal("final", m.Final!.Name);
        Assert.Equal(new[] { 0, 1, 4 }, m.Shipped.Order());
        Assert.Equal(new[] { 0, 1, 2, 4 }, m.FeedsFinal.Order());
        var t = new DockerfileModel(DockerfileParser.Parse(text), null, "tools");
        Assert.Equal("tools", t.Final!.Name);
        Assert.Null(new DockerfileModel(DockerfileParser.Parse(text), null, "nope").TargetError == null ? "x" : null);
    }

    [Fact]
    public void ArgAndEnvValuesPerStageWithBuildArgOverrides()
    {
        var text = "ARG TAG=1.0\nFROM app:${TAG} AS a\nARG TAG\nENV HOME_DIR=/srv/${TAG} OLD=$HOME_DIR\nRUN true\nFROM app:${TAG}\nRUN true\n";
        var doc = DockerfileParser.Parse(text);
        var m = new DockerfileModel(doc, new Dictionary<string, string> { ["TAG"] = "2.0" });
        Assert.Equal("app:2.0", m.Stages[0].BaseResolved);
        var run = doc.Instructions[4];
        Assert.Equal((true, "/srv/2.0"), m.Variable(run, "HOME_DIR"));
        Assert.Equal((true, null), m.Variable(run, "OLD"));  // sees the old value: unknown (may come from the base image)
        Assert.False(m.ScopeBefore(doc.Instructions[6]).Vars.ContainsKey("TAG")); // not re-declared in stage 2
        Assert.Equal("x-", VariableExpander.Process("${A:-x}-${B:+y}", n => n == "B" ? (true, "") : (false, null)).Value);
        Assert.Equal("y", VariableExpander.Process("${B:+y}", n => (true, "v")).Value);
    }

    [Fact]
    public void TargetChangesWhichStageIsShipped()
    {
        var text = "FROM debian:bookworm-slim AS dev\nUSER root\nFROM debian:bookworm-slim AS prod\nUSER 10001\n";
        Assert.DoesNotContain(Lint(text).Findings, f => f.RuleId == "DO5001");
        Assert.Contains(Lint(text, o => o.Target = "dev").Findings, f => f.RuleId == "DO5001" && f.Stage == "dev");
        Assert.Contains(Lint(text, o => o.Target = "missing").Findings, f => f.RuleId == "DO1012");
    }

    [Fact]
    public void BuildArgResolvesTheBaseImage()
    {
        var text = "ARG IMAGE\nFROM ${IMAGE}\n";
        Assert.DoesNotContain(Lint(text).Findings, f => f.RuleId == "DO5005"); // unknown: no guess
        Assert.Contains(Lint(text).Findings, f => f.RuleId == "DO2023"); // but the missing default is reported (InvalidDefaultArgInFrom)
        Assert.Contains(Lint(text, o => o.BuildArgs["IMAGE"] = "alpine:latest").Findings, f => f.RuleId == "DO5005" && f.HadolintId == "DL3007");
    }

    [Fact]
    public void InlineIgnoresForNextInstructionFileStageAndCheckSkip()
    {
        var text = "# check=skip=JSONArgsRecommended\n# hadolint global ignore=DL3057\nFROM debian:bookworm-slim AS build\nRUN cd /a\n# dockopt stage ignore=DO3000\nFROM debian:bookworm-slim\n# hadolint ignore=DL3003 # reason\nRUN cd /b\nRUN cd /c\nCMD run me\n";
        var r = Lint(text);
        var cds = r.Findings.Where(f => f.RuleId == "DO3000").Select(f => f.Line).ToList();
        Assert.Equal(new[] { 4 }, cds); // stage 1 ignored; line 8 ignored by the next-instruction pragma; line 9 in stage 1 too
        Assert.DoesNotContain(r.Findings, f => f.RuleId == "DO5003");
        Assert.DoesNotContain(r.Findings, f => f.RuleId == "DO5004");
        var strict = Lint(text, o => o.DisableInlineIgnore = true);
        Assert.Equal(3, strict.Findings.Count(f => f.RuleId == "DO3000"));
        Assert.Contains(strict.Findings, f => f.RuleId == "DO5004");
    }

    [Fact]
    public void HadolintConfigIsHonoured()
    {
        var dir = Directory.CreateTempSubdirectory("dockopt-lint-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, ".hadolint.yaml"), "ignored:\n  - DL3003\noverride:\n  error:\n    - DL3014\nfailure-threshold: warning\ntrustedRegistries:\n  - my.registry\nlabel-schema:\n  maintainer: email\n");
            var found = LintConfigLoader.Discover(dir);
            Assert.Single(found);
            var o = new LintOptions();
            LintConfigLoader.Load(found[0], o);
            Assert.Equal(Severity.Medium, o.FailureThreshold);
            var r = DockerfileLinter.Lint("FROM quay.io/x:1\nLABEL maintainer=nobody\nRUN cd /x && apt-get install --no-install-recommends curl\n", null, o);
            Assert.DoesNotContain(r.Findings, f => f.RuleId == "DO3000");
            Assert.Equal(Severity.High, Assert.Single(r.Findings, f => f.RuleId == "DO3003").Severity);
            Assert.Contains(r.Findings, f => f.RuleId == "DO5007");
            Assert.Contains(r.Findings, f => f.RuleId == "DO5008" && f.HadolintId == "DL3058");
            File.WriteAllText(Path.Combine(dir, "bad.yml"), "ignored: [unclosed\n");
            var e = Assert.Throws<DockOptException>(() => LintConfigLoader.Load(Path.Combine(dir, "bad.yml"), new LintOptions()));
            Assert.Equal("LintConfigInvalid", e.ErrorId);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void DockerignoreMissingOrNotExcludingGitAndNodeModules()
    {
        var dir = Directory.CreateTempSubdirectory("dockopt-lint-").FullName;
        try
        {
            var df = Path.Combine(dir, "Dockerfile");
            var text = "FROM node:20-slim\nWORKDIR /app\nCOPY . .\n";
            File.WriteAllText(df, text);
            Assert.Contains(Lint(text, null, df).Findings, f => f.RuleId == "DO4006" && f.Message.Contains("No .dockerignore"));
            Directory.CreateDirectory(Path.Combine(dir, ".git"));
            Directory.CreateDirectory(Path.Combine(dir, "node_modules"));
            File.WriteAllText(Path.Combine(dir, ".dockerignore"), "node_modules\n");
            var r = Lint(text, null, df).Findings.Where(f => f.RuleId == "DO4006").ToList();
            Assert.Single(r);
            Assert.Contains(".git", r[0].Message);
            File.WriteAllText(Path.Combine(dir, ".dockerignore"), "**/node_modules\n/.git/\n");
            Assert.DoesNotContain(Lint(text, null, df).Findings, f => f.RuleId == "DO4006");
            Assert.DoesNotContain(Lint(text).Findings, f => f.RuleId == "DO4006"); // -Content: no context
            // CopyIgnoredFile: a COPY source under an excluded directory.
            File.WriteAllText(Path.Combine(dir, ".dockerignore"), "**/node_modules\n/.git/\nconfig\n!config/keep.yml\n");
            var copy = "FROM node:20-slim\nWORKDIR /app\nCOPY ./config/app.yml ./config/keep.yml src/ ./\n";
            var hit = Assert.Single(Lint(copy, null, df).Findings, f => f.RuleId == "DO4010");
            Assert.Equal((3, 6, 3, 22), (hit.Line, hit.Column, hit.EndLine, hit.EndColumn));
            Assert.Equal("CopyIgnoredFile", hit.BuildCheckId);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void FixerAppliesOnlySafeRewritesAndKeepsLineCount()
    {
        var text = "from debian:bookworm-slim as base\nRUN apt-get update && apt-get install curl \\\n    && pip install flask\nADD app.py /srv/\nCMD python3 /srv/app.py\nENTRYPOINT echo $HOME | cat\n";
        var r = Lint(text);
        var fixedText = DockerfileFixer.Apply(text, r.Fixes.SelectMany(f => f.Edits), out var n);
        Assert.Equal(
            "FROM debian:bookworm-slim AS base\nRUN apt-get update && apt-get install -y --no-install-recommends curl \\\n    && pip install --no-cache-dir flask\nCOPY app.py /srv/\nCMD [\"python3\", \"/srv/app.py\"]\nENTRYPOINT echo $HOME | cat\n",
            fixedText);
        Assert.True(n >= 5);
        var after = Lint(fixedText);
        Assert.DoesNotContain(after.Findings, f => f.RuleId is "DO3003" or "DO3004" or "DO3007" or "DO4007");
        Assert.Contains(after.Findings, f => f.RuleId == "DO5004" && f.Instruction == "ENTRYPOINT" && !f.Fixable); // shell syntax: not rewritten
        var diff = DockerfileFixer.Diff("Dockerfile", text, fixedText);
        Assert.Contains("@@ line 4 @@\n-ADD app.py /srv/\n+COPY app.py /srv/\n", diff);
    }

    [Fact]
    public void ReportFormatsCarryPositions()
    {
        var r = Lint("FROM debian:bookworm-slim\nRUN <<EOF\n  sudo true\nEOF\n");
        var sarif = System.Text.Json.JsonDocument.Parse(LintReportWriter.Write("Sarif", r.Findings, Array.Empty<string>()));
        var result = sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().Single(x => x.GetProperty("ruleId").GetString() == "DO3001");
        var region = result.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region");
        Assert.Equal((3, 3, 3, 7), (region.GetProperty("startLine").GetInt32(), region.GetProperty("startColumn").GetInt32(), region.GetProperty("endLine").GetInt32(), region.GetProperty("endColumn").GetInt32()));
        Assert.Equal("2.1.0", sarif.RootElement.GetProperty("version").GetString());
        var gh = LintReportWriter.Write("GitHub", r.Findings, Array.Empty<string>());
        Assert.Contains("::error file=,line=3,col=3,endLine=3,endColumn=7,title=DO3001 Sudo::", gh);
        var junit = System.Xml.Linq.XDocument.Parse(LintReportWriter.Write("JUnit", r.Findings, new[] { "<content>" }));
        Assert.Equal(r.Findings.Count, junit.Descendants("failure").Count());
        var cs = System.Xml.Linq.XDocument.Parse(LintReportWriter.Write("Checkstyle", r.Findings, Array.Empty<string>()));
        Assert.Contains(cs.Descendants("error"), e => (string?)e.Attribute("source") == "DockOpt.DO3001" && (string?)e.Attribute("column") == "3");
    }

    [Fact]
    public void CatalogIdsAreUniqueAndMapToHadolintAndBuildChecks()
    {
        Assert.Equal(RuleCatalog.All.Count, RuleCatalog.All.Select(r => r.Id).Distinct().Count());
        Assert.True(RuleCatalog.All.Count(r => r.Hadolint.StartsWith("DL")) >= 40);
        Assert.True(RuleCatalog.All.Count(r => r.BuildCheck.Length > 0) >= 18);
    }
}

public class ParserRobustnessTests
{
    /// <summary>Truncated and mutated corpus files: the tolerant parser and every rule must never throw.</summary>
    static readonly int MutationsPerFile = int.TryParse(Environment.GetEnvironmentVariable("DOCKOPT_LINT_FUZZ"), out var n) ? n : 10;

    [Fact]
    public void NeverThrowsOnTruncatedOrMutatedInput()
    {
        var rng = new Random(42);
        var files = Directory.GetFiles(CorpusTests.CorpusDir, "*.Dockerfile", SearchOption.AllDirectories);
        var runs = 0;
        foreach (var f in files)
        {
            var text = File.ReadAllText(f);
            var cuts = new HashSet<int> { 0, text.Length };
            for (var i = 0; i < text.Length; i++) if (text[i] == '\n') { cuts.Add(i); cuts.Add(i + 1); }
            for (var k = 0; k < 10 && text.Length > 0; k++) cuts.Add(rng.Next(text.Length));
            foreach (var c in cuts)
            {
                DockerfileLinter.Lint(text.Substring(0, c), null, new LintOptions());
                runs++;
            }
            for (var k = 0; k < MutationsPerFile && text.Length > 1; k++)
            {
                var at = rng.Next(text.Length - 1);
                var mutated = text.Remove(at, 1).Insert(at, "\\\"'<$`{[\n"[rng.Next(9)].ToString());
                DockerfileLinter.Lint(mutated, null, new LintOptions());
                runs++;
            }
        }
        Assert.True(runs > 1000, runs.ToString());
    }
}
