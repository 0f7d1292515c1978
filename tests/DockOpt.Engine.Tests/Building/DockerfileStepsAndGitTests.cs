using DockOpt.Engine.Building;

namespace DockOpt.Engine.Tests.Building;

public class DockerfileStepsTests
{
    [Fact]
    public void StepsAreNumberedLikeTheClassicBuilderWithTheirFirstLine()
    {
        var text = "# syntax=docker/dockerfile:1\n# escape=\\\nARG BASE=busybox\n\nFROM $BASE AS build\n# a comment\nRUN echo a \\\n    && echo b \\\n\n    # comment inside\n    && echo c\nCOPY . /src\n\nFROM build\nCMD [\"sh\"]\n";
        var steps = DockerfileSteps.Parse(text);
        Assert.Equal(new[] { 3, 5, 7, 12, 14, 15 }, steps.Select(s => s.Line));
        Assert.Equal(new[] { "ARG", "FROM", "RUN", "COPY", "FROM", "CMD" }, steps.Select(s => s.Keyword));
    }

    [Fact]
    public void BacktickEscapeDirectiveContinuesLines()
    {
        var steps = DockerfileSteps.Parse("# escape=`\nFROM x\nRUN a `\n  b\nRUN c\n");
        Assert.Equal(new[] { 2, 3, 5 }, steps.Select(s => s.Line));
    }
}

public sealed class GitInfoTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "dockopt-git-" + Guid.NewGuid().ToString("n"));

    public GitInfoTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, true);

    const string Sha = "0123456789abcdef0123456789abcdef01234567";
    const string Sha2 = "89abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public void ReadsLooseAndPackedRefsAndWorktrees()
    {
        var git = Path.Combine(_root, "repo", ".git");
        Directory.CreateDirectory(Path.Combine(git, "refs", "heads"));
        File.WriteAllText(Path.Combine(git, "HEAD"), "ref: refs/heads/main\n");
        File.WriteAllText(Path.Combine(git, "refs", "heads", "main"), Sha + "\n");
        File.WriteAllText(Path.Combine(git, "packed-refs"), "# pack-refs with: peeled\n" + Sha2 + " refs/heads/release/1.0\n");
        Directory.CreateDirectory(Path.Combine(_root, "repo", "app", "sub"));
        Assert.Equal((Sha, "main"), GitInfo.Resolve(Path.Combine(_root, "repo", "app", "sub"), _ => null));

        // A worktree: .git is a file pointing at .git/worktrees/<name>, which has its own HEAD and a commondir.
        var wtGit = Path.Combine(git, "worktrees", "wt");
        Directory.CreateDirectory(wtGit);
        File.WriteAllText(Path.Combine(wtGit, "HEAD"), "ref: refs/heads/release/1.0\n");
        File.WriteAllText(Path.Combine(wtGit, "commondir"), "../..\n");
        Directory.CreateDirectory(Path.Combine(_root, "wt"));
        File.WriteAllText(Path.Combine(_root, "wt", ".git"), "gitdir: " + wtGit + "\n");
        Assert.Equal((Sha2, "release/1.0"), GitInfo.Resolve(Path.Combine(_root, "wt"), _ => null));
    }

    [Fact]
    public void CiVariablesWinAndDetachedHeadHasNoBranch()
    {
        var git = Path.Combine(_root, ".git");
        Directory.CreateDirectory(git);
        File.WriteAllText(Path.Combine(git, "HEAD"), Sha + "\n");
        Assert.Equal((Sha, (string?)null), GitInfo.Resolve(_root, _ => null));
        var env = new Dictionary<string, string> { ["BUILD_SOURCEVERSION"] = Sha2, ["BUILD_SOURCEBRANCHNAME"] = "main" };
        Assert.Equal((Sha2, "main"), GitInfo.Resolve(_root, k => env.TryGetValue(k, out var v) ? v : null));
        Assert.Equal((Sha2, (string?)null), GitInfo.Resolve(_root, k => k == "GITHUB_SHA" ? Sha2 : null));
    }
}
