namespace DockOpt.Engine.Dockerfiles;

/// <summary>Finds the Dockerfiles under a folder (Dockerfile, Dockerfile.*, *.dockerfile, Containerfile, Containerfile.*).</summary>
public static class DockerfileDiscovery
{
    static readonly HashSet<string> SkippedFolders = new(StringComparer.Ordinal) { ".git", "node_modules", "bin", "obj", ".venv", "vendor" };

    /// <summary>Whether a file name is a Dockerfile's (case-insensitive; *.dockerignore never is).</summary>
    public static bool IsDockerfileName(string name)
    {
        const StringComparison c = StringComparison.OrdinalIgnoreCase;
        if (name.EndsWith(".dockerignore", c)) return false;
        return name.Equals("Dockerfile", c) || name.Equals("Containerfile", c)
            || name.StartsWith("Dockerfile.", c) || name.StartsWith("Containerfile.", c)
            || name.EndsWith(".dockerfile", c);
    }

    /// <summary>The Dockerfiles under a folder, depth first in ordinal order; skips VCS/dependency/build folders, symlinked folders and unreadable ones.</summary>
    public static IEnumerable<string> Find(string dir)
    {
        var stack = new Stack<string>();
        stack.Push(dir);
        while (stack.Count > 0)
        {
            var d = stack.Pop();
            List<string> files, dirs;
            try
            {
                files = Directory.EnumerateFiles(d).ToList();
                dirs = Directory.EnumerateDirectories(d).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            foreach (var f in files.Order(StringComparer.Ordinal))
                if (IsDockerfileName(Path.GetFileName(f))) yield return f;
            foreach (var sub in dirs.OrderDescending(StringComparer.Ordinal))
            {
                if (SkippedFolders.Contains(Path.GetFileName(sub))) continue;
                if (new DirectoryInfo(sub).LinkTarget != null) continue; // no symlink loops
                stack.Push(sub);
            }
        }
    }
}
