namespace DockOpt.Cmdlets.Conventions;

/// <summary>
/// The one rule of -Format and -OutFile on every reporting cmdlet: -Format without -OutFile writes the report text to the
/// pipeline; -OutFile without -Format takes the format from the extension (.sarif Sarif, .json Json, .xml JUnit,
/// .md Markdown, .html Html, .txt Text) or fails with ReportFormatUnknown; both given: -Format wins.
/// </summary>
internal static class ReportFormat
{
    static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".sarif"] = "Sarif",
        [".json"] = "Json",
        [".xml"] = "JUnit",
        [".md"] = "Markdown",
        [".html"] = "Html",
        [".txt"] = "Text",
    };

    /// <summary>The format to write, or null for no report. Throws ReportFormatUnknown.</summary>
    public static string? Resolve(string? format, string? outFile, IReadOnlyCollection<string> supported)
    {
        if (format != null)
            return supported.FirstOrDefault(s => s.Equals(format, StringComparison.OrdinalIgnoreCase)) ?? format;
        if (outFile == null) return null;
        var ext = System.IO.Path.GetExtension(outFile);
        if (ByExtension.TryGetValue(ext, out var f) && supported.FirstOrDefault(s => s.Equals(f, StringComparison.OrdinalIgnoreCase)) is { } match)
            return match;
        throw new DockOptException(ErrorIds.ReportFormatUnknown, DockOptErrorCategory.InvalidArgument,
            string.IsNullOrEmpty(ext)
                ? $"-OutFile '{outFile}' has no extension to take the report format from."
                : $"-OutFile '{outFile}': the extension '{ext}' does not name a format this command writes ({string.Join(", ", supported)}).",
            outFile, $"Give -Format ({string.Join(", ", supported)}), or an -OutFile with a matching extension.");
    }
}
