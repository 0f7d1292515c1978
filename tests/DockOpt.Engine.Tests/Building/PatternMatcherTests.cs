using DockOpt.Engine.Building;

namespace DockOpt.Engine.Tests.Building;

public class PatternMatcherTests
{
    static bool Excluded(string file, params string[] patterns) => new PatternMatcher(patterns).MatchesOrParentMatches(file);

    // The examples of the .dockerignore reference (docs.docker.com/build/concepts/context/#dockerignore-files).
    [Theory]
    [InlineData("*/temp*", "somedir/temporary.txt", true)]
    [InlineData("*/temp*", "somedir/temp", true)]
    [InlineData("*/temp*", "temp.txt", false)]
    [InlineData("*/*/temp*", "somedir/subdir/temporary.txt", true)]
    [InlineData("*/*/temp*", "somedir/temporary.txt", false)]
    [InlineData("temp?", "tempa", true)]
    [InlineData("temp?", "tempb", true)]
    [InlineData("temp?", "temp", false)]
    [InlineData("temp?", "tempab", false)]
    [InlineData("**/*.go", "main.go", true)]
    [InlineData("**/*.go", "cmd/app/main.go", true)]
    [InlineData("**/*.go", "cmd/app/main.gox", false)]
    public void DocumentedExamples(string pattern, string file, bool excluded) =>
        Assert.Equal(excluded, Excluded(file, pattern));

    [Fact]
    public void ExceptionsApplyInOrderAndTheLastMatchWins()
    {
        Assert.False(Excluded("README.md", "*.md", "!README.md"));
        Assert.True(Excluded("CHANGELOG.md", "*.md", "!README.md"));

        // *.md / !README*.md / README-secret.md: the secret README stays out, the others come back.
        string[] a = { "*.md", "!README*.md", "README-secret.md" };
        Assert.True(Excluded("README-secret.md", a));
        Assert.False(Excluded("README-public.md", a));

        // *.md / README-secret.md / !README*.md: the last line brings every README back, the secret one too.
        string[] b = { "*.md", "README-secret.md", "!README*.md" };
        Assert.False(Excluded("README-secret.md", b));
        Assert.True(Excluded("notes.md", b));
    }

    [Theory]
    [InlineData("**", "file", true)]
    [InlineData("**", "dir/file", true)]
    [InlineData("**/", "file", true)]
    [InlineData("**/**", "dir/file", true)]
    [InlineData("**/file", "file", true)]
    [InlineData("**/file", "dir/file", true)]
    [InlineData("**/file", "dir/dir/file", true)]
    [InlineData("**/file*", "dir/file1", true)]
    [InlineData("**/*.txt", "file.txt", true)]
    [InlineData("**/**/*.txt", "a/b/c/file.txt", true)]
    [InlineData("dir/**", "dir/file", true)]
    [InlineData("dir/**", "dir/dir2/file", true)]
    [InlineData("dir/**", "dir", false)]
    [InlineData("**/dir2/*", "dir/dir2/file", true)]
    [InlineData("**/dir2/**", "dir/dir2/dir3/file", true)]
    [InlineData("**file", "file", true)]
    [InlineData("**file", "dir/file", true)]
    [InlineData("**/foo/bar", "foo/bar", true)]
    [InlineData("**/foo/bar", "dir/foo/bar", true)]
    [InlineData("**/.foo", ".foo", true)]
    [InlineData("**/.foo", "bar.foo", false)]
    [InlineData("abc.def", "abcdef", false)]
    [InlineData("abc.def", "abc.def", true)]
    [InlineData("abc?def", "abcZdef", true)]
    [InlineData("abc?def", "abcdef", false)]
    [InlineData("a?c", "a/c", false)]
    [InlineData("a*", "ab/c", true)] // a directory match excludes what is below it
    [InlineData("a[b-d]e", "ace", true)]
    [InlineData("a[b-d]e", "aee", false)]
    [InlineData("a[^b]e", "ace", true)]
    [InlineData(@"a\*b", "a*b", true)]
    [InlineData(@"a\*b", "axb", false)]
    [InlineData("a(b)c/def", "a(b)c/def", true)]
    [InlineData("a(b)c/def", "a(b)c/xyz", false)]
    [InlineData("a.|)$(}+{bc", "a.|)$(}+{bc", true)]
    [InlineData("dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", true)]
    public void PatternmatcherSemantics(string pattern, string file, bool excluded) =>
        Assert.Equal(excluded, Excluded(file, pattern));

    [Theory]
    [InlineData("/foo/bar/", "foo/bar")]
    [InlineData("./foo/../bar", "bar")]
    [InlineData("foo//bar/.", "foo/bar")]
    [InlineData("!/keep/", "!keep")]
    [InlineData("! spaced ", "!spaced")]
    [InlineData("  trimmed  ", "trimmed")]
    [InlineData("/", "/")]
    [InlineData("..", "..")]
    public void IgnoreFileCleansPatterns(string line, string expected) =>
        Assert.Equal(new[] { expected }, DockerIgnoreFile.Parse(line));

    [Fact]
    public void IgnoreFileSkipsCommentsBlankLinesAndBom()
    {
        var parsed = DockerIgnoreFile.Parse("\uFEFF# comment\r\n\r\n  \n *.log\n #not-a-comment\nfoo\n");
        Assert.Equal(new[] { "*.log", "#not-a-comment", "foo" }, parsed);
    }

    [Fact]
    public void LeadingAndTrailingSlashesAreTheSamePattern()
    {
        var a = DockerIgnoreFile.Parse("/foo/bar/");
        Assert.True(new PatternMatcher(a).MatchesOrParentMatches("foo/bar/baz.txt"));
        Assert.False(new PatternMatcher(a).MatchesOrParentMatches("x/foo/bar"));
    }

    [Theory]
    [InlineData("!")]
    [InlineData("[")]
    [InlineData("a[")]
    [InlineData("[]")]
    [InlineData("[a-]")]
    [InlineData("abc\\")]
    public void InvalidPatternsAreRejected(string pattern) =>
        Assert.Throws<FormatException>(() => new PatternMatcher(new[] { pattern }));

    [Fact]
    public void ParentResultsGiveTheSameAnswerAsFullParentMatching()
    {
        var pm = new PatternMatcher(new[] { "node_modules", "!node_modules/keep", "**/*.pyc", "!src/deep/x.pyc", "docs/**/secret.md" });
        pm.Matches("node_modules", null, out var nm);
        Assert.True(pm.Matches("node_modules/pkg", nm, out _));
        Assert.False(pm.Matches("node_modules/keep", nm, out var keep));
        Assert.False(pm.Matches("node_modules/keep/index.js", keep, out _));
        pm.Matches("src", null, out var src);
        pm.Matches("src/deep", src, out var deep);
        Assert.False(pm.Matches("src/deep/x.pyc", deep, out _));
        Assert.True(pm.Matches("src/deep/y.pyc", deep, out _));
        Assert.True(pm.MatchesOrParentMatches("docs/a/b/secret.md"));
        Assert.True(pm.MatchesOrParentMatches("docs/secret.md"));
    }

    [Fact]
    public void LegacyMatchesOnlyLooksAtOneParentLevel()
    {
        // The CLI's TrimBuildFilesFromExcludes still uses the deprecated matcher.
        Assert.True(PatternMatcher.LegacyMatches("Dockerfile", new[] { "*" }));
        Assert.True(PatternMatcher.LegacyMatches("sub/Dockerfile", new[] { "sub" }));
        Assert.False(PatternMatcher.LegacyMatches("a/b/c/Dockerfile", new[] { "**/c" }));
        Assert.True(new PatternMatcher(new[] { "**/c" }).MatchesOrParentMatches("a/b/c/Dockerfile"));
        Assert.False(PatternMatcher.LegacyMatches(".", new[] { "*" }));
    }

    [Theory]
    [InlineData("a/b/../c", "a/c")]
    [InlineData("../../x", "../../x")]
    [InlineData("/../x", "/x")]
    [InlineData("", ".")]
    [InlineData("a/..", ".")]
    [InlineData("//a//b//", "/a/b")]
    public void GoPathClean(string input, string expected) => Assert.Equal(expected, GoPath.Clean(input));

    [Fact]
    public void ReusedResultArray_GivesTheSameAnswersAsAFreshOne()
    {
        // The packer's walk reuses one result array for every entry; a slot a pattern skips must not keep the last entry's answer.
        var m = new PatternMatcher(new[] { "**/*.tmp", "**/*.log", "!dir7/keep-7.log", "Dockerfile", "!Dockerfile" });
        var parent = new bool[m.Patterns.Count];
        m.Matches("dir7", null, parent);
        var scratch = new bool[m.Patterns.Count];
        foreach (var file in new[] { "dir7/f1.tmp", "dir7/keep-7.log", "dir7/f0.txt", "dir7/f6.log", "dir7/f0.txt", "dir7/keep-7.log" })
        {
            var reused = m.Matches(file, parent, scratch);
            var fresh = m.Matches(file, parent, out bool[] freshInfo);
            Assert.Equal(fresh, reused);
            Assert.Equal(freshInfo, scratch);
        }
        Assert.False(m.Matches("dir7/keep-7.log", parent, scratch));
        Assert.True(m.Matches("dir7/f6.log", parent, scratch));
        Assert.False(m.Matches("dir7/f0.txt", parent, scratch));
    }

    // Literal heads and tails are checked before the regex, and **/*LITERAL is decided by the tail alone: the answers
    // must be the regex's (Go's), including '$' meaning the very end (a name may end with a newline on Linux).
    [Theory]
    [InlineData("**/*.tmp", "x/y/z.tmp", true)]
    [InlineData("**/*.tmp", "z.tmp", true)]
    [InlineData("**/*.tmp", ".tmp", true)]
    [InlineData("**/*.tmp", "z.tmpx", false)]
    [InlineData("**/*.tmp", "z.tmp\n", false)]
    [InlineData("*.md", "README.md\n", false)]
    [InlineData("*.md", "docs/README.md", false)]
    [InlineData("**/*", "any/thing", true)]
    [InlineData("**/*/x.txt", "a/b/x.txt", true)]
    [InlineData("**/*/x.txt", "x.txt", false)]
    [InlineData("dir*/x?.txt", "dir1/xa.txt", true)]
    [InlineData("dir*/x?.txt", "adir1/xa.txt", false)]
    [InlineData("dir*/x?.txt", "dir1/xa.txt.bak", false)]
    [InlineData("a\\*b", "a*b", true)]
    [InlineData("a\\*b", "axb", false)]
    [InlineData("**/*\\?", "dir/what?", true)]
    [InlineData("**/*\\?", "dir/whatx", false)]
    [InlineData("[ab]*.log", "a1.log", true)]
    [InlineData("[ab]*.log", "c1.log", false)]
    public void LiteralHeadsAndTails_GiveTheRegexAnswers(string pattern, string file, bool excluded) =>
        Assert.Equal(excluded, new PatternMatcher(new[] { pattern }).Matches(file.Replace("\\n", "\n"), new bool[1], out _));
}
