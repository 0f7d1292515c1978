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

    static List<(string Code, int Line, int Column)> Codes(string text, params string[] codes)
    {
        var options = new LintOptions();
        options.Enabled.UnionWith(codes); // SC1090/SC1091 are opt-in
        return DockerfileLinter.Lint(text, null, options).Findings.Where(f => codes.Contains(f.ShellCheckId)).Select(f => (f.ShellCheckId, f.Line, f.Column)).ToList();
    }

    [Fact]
    public void SourcingIsNotReportedUnlessAskedForAsInHadolint()
    {
        Assert.DoesNotContain(Lint("FROM debian\nRUN . /etc/os-release && . \"$ENV_FILE\"\n"), f => f.ShellCheckId is "SC1090" or "SC1091");
    }

    [Fact]
    public void BashVariablesAreSc3028UnderShAndNumbersAreNotSc2086()
    {
        Assert.Equal(new[] { ("SC3028", 2, 10), ("SC3028", 2, 19) }, Codes("FROM debian\nRUN echo $RANDOM \"$HOSTNAME\" $PPID\n", "SC3028", "SC2086"));
        Assert.Empty(Codes("FROM debian\nSHELL [\"/bin/bash\", \"-c\"]\nRUN echo $RANDOM $SECONDS $UID\n", "SC3028", "SC2086"));
    }

    [Fact]
    public void ProxyVariablesAreAssignedAndAFromStartsAfresh()
    {
        Assert.Empty(Codes("FROM debian\nRUN echo \"$http_proxy\" \"$no_proxy\"\n", "SC2154"));
        Assert.Equal(new[] { ("SC2154", 3, 11) }, Codes("ARG foo=bar\nFROM debian\nRUN echo \"$foo\"\n", "SC2154"));
        Assert.Empty(Codes("ARG foo=bar\nFROM debian\nARG foo\nRUN echo \"$foo\"\n", "SC2154"));
    }

    [Fact]
    public void BackticksAreSc2006AtTheBacktick()
    {
        Assert.Equal(new[] { ("SC2006", 2, 7) }, Codes("FROM debian\nRUN x=`date` && echo \"$x\"\n", "SC2006"));
        Assert.Empty(Codes("FROM debian\nRUN x=$(date) && echo \"$x\" '`not`'\n", "SC2006"));
    }

    [Fact]
    public void AVariableAssignedAndNeverReadInTheRunIsSc2034()
    {
        var f = Codes("FROM debian\nRUN a=1; b=2; echo \"$b\"; for i in 1 2; do :; done; read -r l1 l2 < f; echo \"$l1\"\n", "SC2034");
        Assert.Equal(new[] { ("SC2034", 2, 5), ("SC2034", 2, 26), ("SC2034", 2, 63) }, f);
        // exported, read in arithmetic or in an unquoted heredoc, prefix assignments, _names and the shell's own variables are not reported
        Assert.Empty(Codes("FROM debian\nRUN a=1; export a; c=1; echo $((c + 1)); FOO=1 make; _x=1; IFS=:; PATH=/x:$PATH; LC_ALL=C\n", "SC2034"));
        Assert.Empty(Codes("FROM debian\nRUN n=1; cat <<EOF > f\n$n\nEOF\n", "SC2034"));
    }

    [Fact]
    public void ReadWithoutRawIsSc2162AtTheReadWord()
    {
        Assert.Equal(new[] { ("SC2162", 2, 16) }, Codes("FROM debian\nRUN while IFS= read line; do echo \"$line\"; done < f\n", "SC2162"));
        Assert.Empty(Codes("FROM debian\nRUN read -r a < f; read -pr x b < f; echo \"$a$b\"\n", "SC2162"));
    }

    [Fact]
    public void ASourcedPathWithoutAConstantEndIsSc1090AndOneWithItSc1091()
    {
        var f = Codes("FROM debian\nRUN . \"$ENV_FILE\" && . ~/.profile && . \"$DIR/env.sh\" && . /etc/os-release\n", "SC1090", "SC1091");
        Assert.Equal(new[] { ("SC1090", 2, 7), ("SC1090", 2, 24), ("SC1091", 2, 40), ("SC1091", 2, 59) }, f);
    }

    [Fact]
    public void EchoFlagsAndLocalAreReportedOnlyUnderSh()
    {
        const string body = "RUN echo -n x && echo -e y && echo -- z && f() { local v=1; echo \"$v\"; } && f\n";
        Assert.Equal(new[] { ("SC3037", 2, 10), ("SC3037", 2, 23), ("SC3043", 2, 50) }, Codes("FROM debian\n" + body, "SC3037", "SC3043"));
        Assert.Empty(Codes("FROM debian\nSHELL [\"/bin/bash\", \"-c\"]\n" + body.Replace("\n", "") + "\n", "SC3037", "SC3043"));
    }

    [Fact]
    public void AnUnassignedUppercaseNameNextToAnAssignedOneIsSc2153()
    {
        // ENV, the proxy arguments and the script's own assignments are the names a typo is measured against
        Assert.Equal(new[] { ("SC2153", 3, 43) }, Codes("FROM node:22\nENV NODE_VERSION=22.11.0\nRUN curl -fsSLO \"https://nodejs.org/dist/v$NODE_VERSON/node-v$NODE_VERSION.tar.xz\"\n", "SC2153"));
        Assert.Equal(new[] { ("SC2153", 2, 11) }, Codes("FROM debian\nRUN echo \"$RTTP_PROXY\"\n", "SC2153"));
        Assert.Equal(new[] { ("SC2153", 2, 43) }, Codes("FROM debian\nRUN PKGS=\"curl git\" && apt-get install -y $PKG\n", "SC2153"));
        Assert.Equal(new[] { ("SC2153", 2, 22) }, Codes("FROM debian\nRUN COUNT=1; echo $((COUNTS + 1)) \"$COUNT\"\n", "SC2153"));
        var f = Assert.Single(Lint("FROM debian\nRUN echo \"$RTTP_PROXY\"\n"), x => x.ShellCheckId == "SC2153");
        Assert.Equal(("DO6026", Severity.Low), (f.RuleId, f.Severity));
        Assert.Contains("Did you mean HTTP_PROXY?", f.Message);
    }

    [Fact]
    public void Sc2153SpareGuardedReadsShellVariablesShortNamesAndPrefixAssignments()
    {
        // a default on the first read, $HOME (set by the system), names of 3 letters, two edits on a short name,
        // a prefix assignment (FOO=1 cmd sets nothing for the script), and lowercase names (SC2154's business)
        Assert.Empty(Codes("FROM debian\nENV NODE_VERSION=22\nRUN echo \"${NODE_VERSON:-22}\" \"$NODE_VERSON\"\n", "SC2153"));
        Assert.Empty(Codes("FROM debian\nRUN HOMES=1; echo \"$HOME $HOMES\"\n", "SC2153"));
        Assert.Empty(Codes("FROM debian\nRUN ABC=1; ABCD=1; echo \"$ABD $ABDC $ABC $ABCD\"\n", "SC2153"));
        Assert.Empty(Codes("FROM debian\nRUN ABCDE=1 make; echo \"$ABCD\"\n", "SC2153"));
        // only the closest name is judged, the first in ordinal order on a tie: a short one there settles it
        Assert.Empty(Codes("FROM debian\nRUN ABC=1; ABCE=1; echo \"$ABCD\"\n", "SC2153"));
        Assert.Empty(Codes("FROM debian\nRUN ABCDEF=1; ABCDEFGHIJ=1; echo \"$ABCDEFGH\"\n", "SC2153"));
        Assert.Contains("Did you mean App_Home?", Assert.Single(Lint("FROM debian\nRUN App_Home=1; echo \"$APP_HOME\"\n"), x => x.ShellCheckId == "SC2153").Message);
        Assert.Equal(new[] { ("SC2154", 2, 20) }, Codes("FROM debian\nRUN abcde=1; echo \"$abcd\" \"$abcde\"\n", "SC2153", "SC2154"));
    }

    [Fact]
    public void AnOnbuildRunSeesTheStageEnvButNotItsArgs()
    {
        // the trigger runs in the child image: ENV is in the image configuration, build arguments are gone
        const string df = "FROM debian\nARG version=1\nENV app_home=/srv/app\nONBUILD RUN echo \"$version\" \"$app_home\" \"$http_proxy\"\n";
        Assert.Equal(new[] { ("SC2154", 4, 19) }, Codes(df, "SC2154"));
        Assert.Empty(Codes(df.Replace("ONBUILD RUN", "RUN"), "SC2154"));
        Assert.Empty(Codes("FROM debian\nSHELL [\"/bin/bash\", \"-c\"]\nONBUILD RUN echo \"$RANDOM\"\n", "SC3028"));
    }

    [Fact]
    public void Sc2154JudgesTheFirstReadAndCountsArithmeticAndNotPrefixAssignments()
    {
        Assert.Empty(Codes("FROM debian\nRUN echo \"${name:-x}\" \"$name\"\n", "SC2154"));
        Assert.Equal(new[] { ("SC2154", 2, 11) }, Codes("FROM debian\nRUN echo \"$name\" \"${name:-x}\"\n", "SC2154"));
        Assert.Equal(new[] { ("SC2154", 2, 13) }, Codes("FROM debian\nRUN echo $((count + 1))\n", "SC2154"));
        Assert.Equal(new[] { ("SC2154", 2, 25), ("SC2154", 2, 49) }, Codes("FROM debian\nRUN foo=1 make && echo \"$foo\"; unset bar; echo \"$bar\"\n", "SC2154"));
    }
}
