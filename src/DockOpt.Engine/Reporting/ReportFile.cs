using System.Text;

namespace DockOpt.Engine.Reporting;

/// <summary>Report formats of Export-DockOptReport.</summary>
public enum ReportFormat
{
    Html,
    Markdown,
}

/// <summary>Format inference and the atomic write of a report file (temp file in the same folder, then rename).</summary>
public static class ReportFile
{
    /// <summary>The format named by <paramref name="format"/>, else inferred from the extension of <paramref name="outFile"/>, else Html.</summary>
    public static ReportFormat Resolve(string? format, string? outFile)
    {
        if (!string.IsNullOrEmpty(format))
            return Enum.TryParse<ReportFormat>(format, true, out var f) ? f : throw Unknown(format, outFile);
        if (string.IsNullOrEmpty(outFile)) return ReportFormat.Html;
        return Path.GetExtension(outFile).ToLowerInvariant() switch
        {
            ".html" or ".htm" => ReportFormat.Html,
            ".md" or ".markdown" => ReportFormat.Markdown,
            _ => throw Unknown(null, outFile),
        };
    }

    static DockOptException Unknown(string? format, string? outFile) => new(ErrorIds.ReportFormatUnknown, DockOptErrorCategory.InvalidArgument,
        format != null ? $"Unknown report format '{format}': Export-DockOptReport writes Html or Markdown."
                       : $"Cannot tell the report format from '{Path.GetFileName(outFile)}': give -Format Html or Markdown, or an -OutFile ending in .html or .md.",
        (object?)outFile ?? format, "Give -Format Html or -Format Markdown, or an -OutFile ending in .html or .md.");

    /// <summary>Writes <paramref name="text"/> (UTF-8, no BOM) to <paramref name="path"/> atomically; never creates folders.</summary>
    public static void Write(string path, string text)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir))
            throw new DockOptException(ErrorIds.ReportFolderNotFound, DockOptErrorCategory.ObjectNotFound,
                $"The folder '{dir}' of the report file does not exist.", path, "Create the folder first; DockOpt never creates folders.");
        var tmp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("n").Substring(0, 8) + ".tmp");
        try
        {
            File.WriteAllText(tmp, text, new UTF8Encoding(false));
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw new DockOptException(ErrorIds.ReportWriteFailed, DockOptErrorCategory.WriteError,
                $"Could not write the report '{full}': {e.Message}", path, "Check that the folder is writable and has free space.");
        }
    }
}
