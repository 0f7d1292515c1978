using System.Text.RegularExpressions;

namespace DockOpt.Engine.Dockerfiles.Rules.Optimization;

/// <summary>
/// The .dockerignore that applies to a Dockerfile on disk (<c>&lt;Dockerfile&gt;.dockerignore</c> first, then the
/// folder's <c>.dockerignore</c>), read with Docker's semantics: a pattern excludes a path or one of its parent
/// folders, <c>!</c> re-includes, the last matching pattern wins.
/// </summary>
internal sealed class BuildContextIgnore
{
    BuildContextIgnore(string folder, string path, List<string> patterns, Instruction firstCopy)
    {
        Folder = folder;
        FilePath = path;
        Patterns = patterns;
        FirstCopy = firstCopy;
    }

    public string Folder { get; }
    /// <summary>The ignore file that applies (it may not exist).</summary>
    public string FilePath { get; }
    public bool Exists => File.Exists(FilePath);
    public string FileName => Path.GetFileName(FilePath);
    public List<string> Patterns { get; }
    /// <summary>The first COPY/ADD from the build context.</summary>
    public Instruction FirstCopy { get; }

    /// <summary>COPY/ADD instructions that read the build context (no --from, no heredoc).</summary>
    public static IEnumerable<Instruction> ContextCopies(LintContext ctx) =>
        ctx.Document.Instructions.Where(i => i.Keyword is "COPY" or "ADD" && !i.HasFlag("from") && i.Heredocs.Count == 0);

    /// <summary>The ignore file of the Dockerfile, or null for -Content or a file that never copies from the context.</summary>
    public static BuildContextIgnore? For(LintContext ctx)
    {
        if (ctx.FilePath == null || ContextCopies(ctx).FirstOrDefault() is not { } first) return null;
        var folder = Path.GetDirectoryName(Path.GetFullPath(ctx.FilePath))!;
        var specific = ctx.FilePath + ".dockerignore";
        var path = File.Exists(specific) ? specific : Path.Combine(folder, ".dockerignore");
        if (File.Exists(path)) SourceFile.EnsureRegular(path, ".dockerignore"); // a FIFO would block the read
        var patterns = File.Exists(path)
            ? File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList()
            : new List<string>();
        return new BuildContextIgnore(folder, path, patterns, first);
    }

    /// <summary>Is the context-relative path (forward slashes) excluded?</summary>
    public bool Excludes(string path)
    {
        var parts = path.Split('/');
        var prefixes = Enumerable.Range(1, parts.Length).Select(n => string.Join('/', parts.Take(n))).ToList();
        var excluded = false;
        foreach (var p in Patterns)
        {
            var neg = p.StartsWith('!');
            var pat = (neg ? p.Substring(1) : p).Trim().TrimStart('/').TrimEnd('/');
            if (pat.StartsWith("./")) pat = pat.Substring(2);
            var re = "^" + Regex.Escape(pat).Replace(@"\*\*/", "(.*/)?").Replace(@"\*\*", ".*").Replace(@"\*", "[^/]*").Replace(@"\?", "[^/]") + "$";
            if (prefixes.Any(x => Regex.IsMatch(x, re))) excluded = !neg;
        }
        return excluded;
    }
}
