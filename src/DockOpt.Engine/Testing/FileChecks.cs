using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.Testing;

/// <summary>One path in the image's final filesystem (after all layers and whiteouts).</summary>
public sealed class ImageFileEntry
{
    public string Path { get; init; } = "";

    /// <summary>file, directory, symlink, hardlink or other.</summary>
    public string Type { get; init; } = "file";

    /// <summary>Permission bits including setuid/setgid/sticky (07777).</summary>
    public int Mode { get; init; }
    public long Uid { get; init; }
    public long Gid { get; init; }
    public long Size { get; init; }
    public string? LinkTarget { get; init; }

    /// <summary>The content of a regular file, when asked for (the first <see cref="LayerFileSource.MaxContentBytes"/> bytes).</summary>
    public byte[]? Content { get; init; }

    /// <summary>SHA-256 (hex) of the whole content, when content was asked for.</summary>
    public string? Sha256 { get; init; }
}

/// <summary>Reads paths from an image's layers without running it (works on images with no shell).</summary>
public interface IImageFileSource
{
    /// <summary>
    /// Looks up <paramref name="paths"/> in the image's final filesystem. A missing path maps to null. Regular files
    /// in <paramref name="contentPaths"/> come with their content.
    /// </summary>
    Task<IReadOnlyDictionary<string, ImageFileEntry?>> ReadAsync(string imageId, IReadOnlyCollection<string> paths,
        IReadOnlyCollection<string> contentPaths, CancellationToken ct);

    /// <summary>
    /// The regular files directly in <paramref name="directory"/> (not below), with their content, keyed by path with a
    /// leading '/'; empty when the directory is absent. For package databases kept one file per package (distroless's
    /// /var/lib/dpkg/status.d).
    /// </summary>
    Task<IReadOnlyDictionary<string, ImageFileEntry>> ReadDirectoryAsync(string imageId, string directory, CancellationToken ct);
}

/// <summary>Checks files against <see cref="FileSpec"/>s.</summary>
public static class FileChecks
{
    public static string Normalize(string path)
    {
        var parts = new List<string>();
        foreach (var p in path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (p == ".") continue;
            if (p == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(p);
        }
        return "/" + string.Join('/', parts);
    }

    public static bool NeedsContent(FileSpec f) => f.Exists && (f.Contains.Count > 0 || f.NotContains.Count > 0 || f.Sha256 != null);

    public static IEnumerable<ImageTestResult> Check(FileSpec f, ImageFileEntry? e, Func<string, string, string, ImageTestOutcome, string, ImageTestResult> make)
    {
        var name = f.Name ?? f.Path;
        if (!f.Exists)
        {
            yield return make($"{name} is absent", "absent", e == null ? "absent" : e.Type,
                e == null ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, e == null ? "" : $"{f.Path} exists in the image ({e.Type}).");
            yield break;
        }
        if (e == null)
        {
            yield return make($"{name} exists", "exists", "absent", ImageTestOutcome.Failed, $"{f.Path} is not in the image's filesystem.");
            yield break;
        }
        yield return make($"{name} exists", "exists", e.Type, ImageTestOutcome.Passed, "");
        if (f.Type != null && f.Type != "any")
            yield return make($"{name} type", f.Type, e.Type, e.Type == f.Type ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, "");
        if (f.Mode != null)
        {
            var (bits, type) = ParseMode(f.Mode)!.Value;
            var ok = (e.Mode & 0x0FFF) == bits && (type == null || type == e.Type);
            yield return make($"{name} mode", FormatMode(bits, type ?? e.Type), FormatMode(e.Mode & 0x0FFF, e.Type),
                ok ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, "");
        }
        if (f.ExecutableBy != null)
        {
            var bit = f.ExecutableBy switch { "owner" => 64, "group" => 8, "other" => 1, _ => 73 };
            var ok = (e.Mode & bit) != 0;
            yield return make($"{name} executable by {f.ExecutableBy}", $"x bit for {f.ExecutableBy}", FormatMode(e.Mode & 0x0FFF, e.Type),
                ok ? ImageTestOutcome.Passed : ImageTestOutcome.Failed,
                ok ? "" : $"{f.Path} has no execute bit for {f.ExecutableBy}" + (e.Type == "symlink" ? " (a symlink's own mode; check its target)." : "."));
        }
        if (f.Uid != null || f.Gid != null)
        {
            var want = $"{(f.Uid?.ToString(CultureInfo.InvariantCulture) ?? "*")}:{(f.Gid?.ToString(CultureInfo.InvariantCulture) ?? "*")}";
            var ok = (f.Uid == null || f.Uid == e.Uid) && (f.Gid == null || f.Gid == e.Gid);
            yield return make($"{name} owner", want, $"{e.Uid}:{e.Gid}", ok ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, "");
        }
        if (!NeedsContent(f)) yield break;
        if (e.Content == null)
        {
            yield return make($"{name} content", "a regular file", e.Type, e.Type == "file" ? ImageTestOutcome.Error : ImageTestOutcome.Failed,
                e.Type == "file" ? "The file content could not be read."
                : e.Type == "symlink" ? $"{f.Path} is a symlink to '{e.LinkTarget}', which is not a regular file in the image."
                : $"{f.Path} is a {e.Type}, not a regular file.");
            yield break;
        }
        var text = Encoding.UTF8.GetString(e.Content);
        foreach (var rx in f.Contains)
        {
            var ok = Regex.IsMatch(text, rx, RegexOptions.Multiline, TimeSpan.FromSeconds(5));
            yield return make($"{name} contains /{rx}/", $"matches /{rx}/", ok ? "matches" : "no match",
                ok ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, ok ? "" : $"{e.Size} bytes, first line: {FirstLine(text)}");
        }
        foreach (var rx in f.NotContains)
        {
            var m = Regex.Match(text, rx, RegexOptions.Multiline, TimeSpan.FromSeconds(5));
            yield return make($"{name} does not contain /{rx}/", $"no match for /{rx}/", m.Success ? $"matches at offset {m.Index}" : "no match",
                m.Success ? ImageTestOutcome.Failed : ImageTestOutcome.Passed, "");
        }
        if (f.Sha256 != null)
        {
            var h = e.Sha256 ?? Convert.ToHexString(SHA256.HashData(e.Content)).ToLowerInvariant();
            yield return make($"{name} SHA-256", f.Sha256, h, h == f.Sha256 ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, "");
        }
    }

    static string FirstLine(string s)
    {
        var l = s.Split('\n', 2)[0];
        return l.Length > 80 ? l.Substring(0, 80) + "…" : l;
    }

    /// <summary>Parses <c>0755</c>/<c>755</c> or <c>-rwxr-xr-x</c>/<c>drwxr-xr-x</c>; returns the bits and the type the string implies.</summary>
    public static (int Bits, string? Type)? ParseMode(string s)
    {
        s = s.Trim();
        if (Regex.IsMatch(s, "^0?[0-7]{3,4}$")) return (Convert.ToInt32(s, 8), null);
        var m = Regex.Match(s, "^([-dlLug]?)([r-][w-][xsS-][r-][w-][xsS-][r-][w-][xtT-])$");
        if (!m.Success) return null;
        var type = m.Groups[1].Value switch { "-" => "file", "d" => "directory", "l" or "L" => "symlink", _ => null };
        var p = m.Groups[2].Value;
        var bits = 0;
        for (var i = 0; i < 9; i++)
        {
            var c = p[i];
            if (c is 'r' or 'w' or 'x' or 's' or 't') bits |= 1 << (8 - i);
        }
        if (p[2] is 's' or 'S') bits |= 0x800;
        if (p[5] is 's' or 'S') bits |= 0x400;
        if (p[8] is 't' or 'T') bits |= 0x200;
        return (bits, type);
    }

    public static string FormatMode(int bits, string? type)
    {
        var sb = new StringBuilder("0" + Convert.ToString(bits & 0xFFF, 8).PadLeft(3, '0') + " (");
        sb.Append(type switch { "directory" => 'd', "symlink" => 'l', _ => '-' });
        const string rwx = "rwxrwxrwx";
        for (var i = 0; i < 9; i++)
        {
            var on = (bits & (1 << (8 - i))) != 0;
            var c = on ? rwx[i] : '-';
            if (i == 2 && (bits & 0x800) != 0) c = on ? 's' : 'S';
            if (i == 5 && (bits & 0x400) != 0) c = on ? 's' : 'S';
            if (i == 8 && (bits & 0x200) != 0) c = on ? 't' : 'T';
            sb.Append(c);
        }
        return sb.Append(')').ToString();
    }
}
