using DockOpt.Engine.Dockerfiles;
using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Tests.Dockerfiles;

/// <summary>The shell parser and the DO6xxx (ShellCheck) rules through the linter: SC codes, positions, pragmas, dialect.</summary>
public class ShellCheckRuleTests
{
    static List<LintFinding> Lint(string text) => DockerfileLinter.Lint(text, null, new LintOptions()).Findings.Where(f => f.RuleId.StartsWith("DO6")).ToList();

    [Fact]
    public void ParsesCompoundCommandsQuotingAndExpansions()
    {
        var s = ShParser.Parse("if [ -f a ]; then (cd x && make) | tee log; else { echo \"$(id -u) ${HOME:-/}\" 'lit $x'; }; fi\nfor i in 1 2; do case $i in 1) echo one;; *) echo `date`;; esac; done", out var failed);
        Assert.False(failed);
        Assert.Equal(2, s.Items.Count);
        var ifc = Assert.IsType<ShIf>(s.Items[0].Items[0].Commands[0]);
        var pipe = ifc.Branches[0].Body.Items[0].Items[0];
        Assert.IsType<ShSubshell>(pipe.Commands[0]);
        var group = Assert.IsType<ShGroup>(ifc.Else!.Items[0].Items[0].Commands[0]);
        var echo = Assert.IsType<ShSimpleCommand>(group.Body.Items[0].Items[0].Commands[0]);
        var dq = Assert.IsType<ShDoubleQuoted>(echo.Words[1].Parts[0]);
        Assert.IsType<ShCommandSub>(dq.Parts[0]);
        Assert.Equal("HOME", Assert.IsType<ShParam>(dq.Parts[2]).Name);
        Assert.Equal("lit $x", Assert.IsType<ShSingleQuoted>(echo.Words[2].Parts[0]).Text);
        var loop = Assert.IsType<ShFor>(s.Items[1].Items[0].Commands[0]);
        var cs = Assert.IsType<ShCase>(loop.Body.Items[0].Items[0].Commands[0]);
        Assert.Equal(2, cs.Items.Count);
    }

    [Fact]
    public void FindingsCarryTheScCodeAndThePhysicalPosition()
    {
        var f = Lint("FROM debian\nRUN apt-get update && \\\n    apt-get install -y $PKGS\n");
        var sc = Assert.Single(f, x => x.ShellCheckId == "SC2086");
        Assert.Equal(("DO6001", "SC2086", 3, 24), (sc.RuleId, sc.HadolintId, sc.Line, sc.Column));
    }

    [Fact]
    public void HadolintAndShellCheckPragmasIgnoreTheCode()
    {
        Assert.Empty(Lint("FROM debian\n# hadolint ignore=SC2086\nRUN echo $FOO\n"));
        Assert.Empty(Lint("FROM debian\n# shellcheck disable=SC2086\nRUN echo $FOO\n"));
        Assert.Empty(Lint("FROM debian\nRUN <<EOF\n# shellcheck disable=SC2086\necho $FOO\nEOF\n"));
        Assert.Single(Lint("FROM debian\n# shellcheck disable=SC2046\nRUN echo $FOO\n"));
    }

    [Fact]
    public void BashFeaturesAreReportedOnlyUnderSh()
    {
        const string body = "RUN [[ -f x ]] && echo {a,b} && source /etc/profile && arr=(1 2) && [ a == b ]\n";
        var sh = Lint("FROM debian\n" + body).Select(x => x.ShellCheckId).ToHashSet();
        Assert.Superset(new HashSet<string> { "SC3010", "SC3009", "SC3046", "SC3030", "SC3014" }, sh);
        var bash = Lint("FROM debian\nSHELL [\"/bin/bash\", \"-c\"]\n" + body).Select(x => x.ShellCheckId).ToList();
        Assert.DoesNotContain(bash, c => c.StartsWith("SC3"));
    }

    [Fact]
    public void EnvAndArgCountAsAssigned()
    {
        Assert.DoesNotContain(Lint("FROM debian\nARG version=1\nRUN echo \"$version\"\n"), x => x.ShellCheckId == "SC2154");
        Assert.Contains(Lint("FROM debian\nRUN echo \"$version\"\n"), x => x.ShellCheckId == "SC2154");
    }
}
