using System.Text.RegularExpressions;

namespace DockOpt.Engine.Dockerfiles.Rules.Optimization;

/// <summary>What a COPY/ADD source is: a URL, a Git repository, an archive.</summary>
internal static class Sources
{
    public static readonly string[] ArchiveExtensions = { ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".tzst", ".gz", ".bz2", ".xz", ".zst" };

    static readonly Regex UrlScheme = new(@"^(https?|ftp)://", RegexOptions.IgnoreCase | RegexOptions.Compiled);
    static readonly Regex GitSuffix = new(@"\.git(#.*)?$", RegexOptions.Compiled);

    public static bool IsUrl(string s) => UrlScheme.IsMatch(s);
    public static bool IsGit(string s) => s.StartsWith("git@", StringComparison.Ordinal) || GitSuffix.IsMatch(s) || s.StartsWith("git://", StringComparison.Ordinal);
    public static bool IsArchive(string s) => ArchiveExtensions.Any(a => s.EndsWith(a, StringComparison.OrdinalIgnoreCase));

    /// <summary>A tar archive that <c>tar -x</c> would unpack.</summary>
    public static bool IsTarArchive(string s) =>
        IsArchive(s) && s.Contains(".tar") || s.EndsWith(".tgz") || s.EndsWith(".txz") || s.EndsWith(".tbz2");
}
