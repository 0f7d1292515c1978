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

    /// <summary>Writes <paramref name="text"/> (UTF-8, no BOM) to <paramref name="path"/> through the one atomic writer; never creates folders.</summary>
    public static void Write(string path, string text) => DockOpt.Engine.IO.AtomicFile.WriteAllText(path, text);
}
