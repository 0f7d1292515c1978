using System.Diagnostics;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Testing;

/// <summary>
/// Test-DockOptImage for an image that is not in the engine (docker://, docker-archive:, oci-archive:, oci:): the file
/// checks of the spec, read from the image's layers with <see cref="LayerFileSource"/> (no container, no pull). Checks
/// that need a container or the engine's metadata are reported once as Skipped, never as passed.
/// </summary>
public static class SourceFileTester
{
    public static async Task<ImageTestSummary> TestAsync(ImageSource source, string image, ImageTestSpec spec, ImageTestOptions options,
        Action<ImageTestResult> emit, CancellationToken ct)
    {
        var started = DateTime.UtcNow;
        var sw = Stopwatch.StartNew();
        var results = new List<ImageTestResult>();
        ImageTestResult Add(string category, string name, string expected, string actual, ImageTestOutcome outcome, string message)
        {
            var r = new ImageTestResult
            {
                Image = image, Category = category, Name = name, Expected = expected, Actual = actual, Outcome = outcome, Message = message,
                Timestamp = DateTime.UtcNow,
            };
            results.Add(r);
            emit(r);
            return r;
        }
        bool Wanted(string c) => options.Categories == null || options.Categories.Contains(c, StringComparer.OrdinalIgnoreCase);

        var files = Wanted(ImageTester.CatFiles) ? spec.Files : new List<FileSpec>();
        if (files.Count > 0)
        {
            var paths = files.Select(f => FileChecks.Normalize(f.Path)).Distinct().ToList();
            var content = files.Where(FileChecks.NeedsContent).Select(f => FileChecks.Normalize(f.Path)).Distinct().ToList();
            IReadOnlyDictionary<string, ImageFileEntry?>? entries = null;
            string? error = null;
            try
            {
                entries = await new LayerFileSource(_ => source).ReadAsync(image, paths, content, ct).ConfigureAwait(false);
            }
            catch (DockOptException e)
            {
                error = e.Message;
            }
            foreach (var f in files)
            {
                if (entries == null)
                {
                    Add(ImageTester.CatFiles, f.Name ?? f.Path, f.Exists ? "exists" : "absent", "", ImageTestOutcome.Error, error ?? "The image could not be read.");
                    continue;
                }
                entries.TryGetValue(FileChecks.Normalize(f.Path), out var entry);
                foreach (var _ in FileChecks.Check(f, entry, (n, e, a, o, m) => Add(ImageTester.CatFiles, n, e, a, o, m))) { }
            }
        }
        var other = spec.Runtime.Start == true || spec.Runtime.Http.Count > 0 || spec.Commands.Count > 0;
        if (other || results.Count == 0)
            Add(ImageTester.CatSuite, "Checks that need a container or the engine", "a local image", source.Description, ImageTestOutcome.Skipped,
                $"'{image}' is read from {source.Description} without the engine: only file checks run. Pull or load it to run the container, command and metadata checks.");
        var summary = new ImageTestSummary
        {
            Image = image, StartedAt = started, Total = results.Count,
            PassedCount = results.Count(r => r.Outcome == ImageTestOutcome.Passed),
            FailedCount = results.Count(r => r.Outcome == ImageTestOutcome.Failed),
            ErrorCount = results.Count(r => r.Outcome == ImageTestOutcome.Error),
            SkippedCount = results.Count(r => r.Outcome == ImageTestOutcome.Skipped),
            Duration = sw.Elapsed,
        };
        summary.Outcome = summary.ErrorCount > 0 ? ImageTestOutcome.Error : summary.FailedCount > 0 ? ImageTestOutcome.Failed
            : summary.PassedCount == 0 ? ImageTestOutcome.Error : ImageTestOutcome.Passed;
        summary.Success = summary.Outcome == ImageTestOutcome.Passed;
        return summary;
    }
}
