namespace DockOpt.Engine.Building;

/// <summary>
/// The commit and branch a build context comes from. CI variables win (runners check out a detached HEAD):
/// GITHUB_SHA / BUILD_SOURCEVERSION and GITHUB_REF_NAME / BUILD_SOURCEBRANCHNAME; otherwise the repository that
/// holds the context is read directly (.git directory or file, worktrees, loose and packed refs), without running git.
/// Each file's type is checked first: a FIFO or device there fails the read with FileNotRegular instead of hanging it.
/// </summary>
public static class GitInfo
{
    public static (string? Commit, string? Branch) Resolve(string directory, Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        var commit = NonEmpty(env("GITHUB_SHA")) ?? NonEmpty(env("BUILD_SOURCEVERSION"));
        var branch = NonEmpty(env("GITHUB_REF_NAME")) ?? NonEmpty(env("BUILD_SOURCEBRANCHNAME"));
        if (commit != null && branch != null) return (commit, branch);
        try
        {
            var (repoCommit, repoBranch) = ReadRepository(directory);
            return (commit ?? repoCommit, branch ?? repoBranch);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (commit, branch);
        }
    }

    static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    internal static (string? Commit, string? Branch) ReadRepository(string directory)
    {
        var gitDir = FindGitDir(directory);
        if (gitDir == null) return (null, null);
        var commonDir = gitDir;
        var commonFile = Path.Combine(gitDir, "commondir");
        if (File.Exists(commonFile))
            commonDir = Path.GetFullPath(Read(commonFile).Trim(), gitDir);
        var headFile = Path.Combine(gitDir, "HEAD");
        if (!File.Exists(headFile)) return (null, null);
        var head = Read(headFile).Trim();
        if (!head.StartsWith("ref:", StringComparison.Ordinal))
            return (IsSha(head) ? head : null, null);
        var refName = head.Substring(4).Trim();
        var branch = refName.StartsWith("refs/heads/", StringComparison.Ordinal) ? refName.Substring(11) : refName;
        return (ResolveRef(gitDir, commonDir, refName), branch);
    }

    static string? ResolveRef(string gitDir, string commonDir, string refName)
    {
        foreach (var dir in new[] { gitDir, commonDir })
        {
            var loose = Path.Combine(dir, refName.Replace('/', Path.DirectorySeparatorChar));
            if (File.Exists(loose))
            {
                var v = Read(loose).Trim();
                if (IsSha(v)) return v;
            }
        }
        var packed = Path.Combine(commonDir, "packed-refs");
        if (File.Exists(packed))
            foreach (var line in Dockerfiles.SourceFile.ReadAllLines(packed, "git metadata file"))
            {
                if (line.StartsWith('#') || line.StartsWith('^')) continue;
                var parts = line.Split(' ', 2);
                if (parts.Length == 2 && parts[1].Trim() == refName && IsSha(parts[0])) return parts[0];
            }
        return null; // an unborn branch
    }

    /// <summary>A git metadata file's text; a FIFO or device there is refused with FileNotRegular (reading it would hang).</summary>
    static string Read(string path) => Dockerfiles.SourceFile.ReadAllText(path, "git metadata file");

    static bool IsSha(string s) => s.Length is 40 or 64 && s.All(Uri.IsHexDigit);

    static string? FindGitDir(string directory)
    {
        for (var d = new DirectoryInfo(Path.GetFullPath(directory)); d != null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, ".git");
            if (Directory.Exists(candidate)) return candidate;
            if (File.Exists(candidate))
            {
                var text = Read(candidate).Trim();
                if (text.StartsWith("gitdir:", StringComparison.Ordinal))
                    return Path.GetFullPath(text.Substring(7).Trim(), d.FullName);
            }
        }
        return null;
    }
}
