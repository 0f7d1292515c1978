using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.Testing;

/// <summary>
/// JSON and SARIF reports of image tests, beside <see cref="JUnitReport"/>. JSON: one object per image with its summary
/// and every check (durations in seconds, outcomes as names). SARIF 2.1.0: one run per image, one result per check with
/// <c>kind</c> pass, fail (Failed and Error) or notApplicable (Skipped), so a viewer shows what passed as well.
/// </summary>
public static class ImageTestReports
{
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string ToJson(IReadOnlyList<ImageTestResult> results, IReadOnlyList<ImageTestSummary> summaries)
    {
        var images = new JsonArray();
        foreach (var (image, s, rs) in Group(results, summaries))
        {
            var o = new JsonObject
            {
                ["image"] = image,
                ["imageId"] = s?.ImageId ?? rs.FirstOrDefault()?.ImageId,
                ["outcome"] = (s?.Outcome ?? Worst(rs)).ToString(),
                ["success"] = s?.Success ?? Worst(rs) == ImageTestOutcome.Passed,
                ["total"] = rs.Count,
                ["passed"] = rs.Count(r => r.Outcome == ImageTestOutcome.Passed),
                ["failed"] = rs.Count(r => r.Outcome == ImageTestOutcome.Failed),
                ["errors"] = rs.Count(r => r.Outcome == ImageTestOutcome.Error),
                ["skipped"] = rs.Count(r => r.Outcome == ImageTestOutcome.Skipped),
                ["startedAt"] = s?.StartedAt.ToUniversalTime().ToString("o"),
                ["durationSeconds"] = s?.DurationSeconds,
                ["startupSeconds"] = s?.StartupSeconds,
                ["peakMemoryBytes"] = s?.PeakMemory,
                ["checks"] = new JsonArray(rs.Select(r => (JsonNode?)new JsonObject
                {
                    ["category"] = r.Category,
                    ["name"] = r.Name,
                    ["outcome"] = r.Outcome.ToString(),
                    ["expected"] = r.Expected,
                    ["actual"] = r.Actual,
                    ["message"] = r.Message,
                    ["detail"] = r.Detail,
                    ["value"] = r.Value,
                    ["durationSeconds"] = r.DurationSeconds,
                    ["timestamp"] = r.Timestamp.ToUniversalTime().ToString("o"),
                }).ToArray()),
            };
            images.Add(o);
        }
        var root = new JsonObject
        {
            ["total"] = results.Count,
            ["passed"] = results.Count(r => r.Outcome == ImageTestOutcome.Passed),
            ["failed"] = results.Count(r => r.Outcome == ImageTestOutcome.Failed),
            ["errors"] = results.Count(r => r.Outcome == ImageTestOutcome.Error),
            ["skipped"] = results.Count(r => r.Outcome == ImageTestOutcome.Skipped),
            ["images"] = images,
        };
        return root.ToJsonString(Indented);
    }

    public static string ToSarif(IReadOnlyList<ImageTestResult> results, IReadOnlyList<ImageTestSummary> summaries, string toolVersion)
    {
        var runs = new JsonArray();
        foreach (var (image, s, rs) in Group(results, summaries))
        {
            var rules = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            var sarifResults = new JsonArray();
            foreach (var r in rs)
            {
                var ruleId = RuleId(r);
                rules.TryAdd(ruleId, new JsonObject
                {
                    ["id"] = ruleId,
                    ["name"] = r.Category + "/" + r.Name,
                    ["shortDescription"] = new JsonObject { ["text"] = $"{r.Category}: {r.Name}" },
                    ["properties"] = new JsonObject { ["category"] = r.Category, ["tags"] = new JsonArray("image-test", r.Category.ToLowerInvariant()) },
                });
                var text = r.Outcome switch
                {
                    ImageTestOutcome.Passed => $"{r.Name}: {r.Actual}",
                    ImageTestOutcome.Skipped => $"{r.Name} was not run: {r.Message}",
                    _ => $"{r.Name}: expected {r.Expected}, got {r.Actual}." + (r.Message.Length > 0 ? " " + r.Message : ""),
                };
                var o = new JsonObject
                {
                    ["ruleId"] = ruleId,
                    ["kind"] = r.Outcome switch { ImageTestOutcome.Passed => "pass", ImageTestOutcome.Skipped => "notApplicable", _ => "fail" },
                    ["level"] = r.Outcome switch { ImageTestOutcome.Failed => "error", ImageTestOutcome.Error => "error", _ => "none" },
                    ["message"] = new JsonObject { ["text"] = text },
                    ["locations"] = new JsonArray(Location(image, r)),
                    ["properties"] = new JsonObject
                    {
                        ["outcome"] = r.Outcome.ToString(), ["expected"] = r.Expected, ["actual"] = r.Actual, ["detail"] = r.Detail,
                        ["value"] = r.Value, ["durationSeconds"] = r.DurationSeconds,
                    },
                };
                sarifResults.Add(o);
            }
            runs.Add(new JsonObject
            {
                ["tool"] = new JsonObject
                {
                    ["driver"] = new JsonObject
                    {
                        ["name"] = "DockOpt Test-DockOptImage", ["version"] = toolVersion, ["informationUri"] = "https://github.com/dockopt/dockopt",
                        ["rules"] = new JsonArray(rules.Values.Select(x => (JsonNode)x).ToArray()),
                    },
                },
                ["results"] = sarifResults,
                ["invocations"] = new JsonArray(Invocation(rs, s)),
                ["properties"] = new JsonObject
                {
                    ["image"] = image, ["imageId"] = s?.ImageId ?? rs.FirstOrDefault()?.ImageId, ["outcome"] = (s?.Outcome ?? Worst(rs)).ToString(),
                },
            });
        }
        var root = new JsonObject
        {
            ["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json",
            ["version"] = "2.1.0",
            ["runs"] = runs,
        };
        return root.ToJsonString(Indented);
    }

    /// <summary>A stable rule id: category and the check's name with paths, numbers and punctuation folded (Files/etc-passwd-exists).</summary>
    public static string RuleId(ImageTestResult r) =>
        $"DOIT/{r.Category}/" + Regex.Replace(r.Name.ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');

    static JsonNode Location(string image, ImageTestResult r)
    {
        var loc = new JsonObject
        {
            ["logicalLocations"] = new JsonArray(new JsonObject { ["name"] = image, ["fullyQualifiedName"] = image + "/" + r.Category, ["kind"] = "module" }),
        };
        // A file check names its path: the artifact inside the image.
        var path = r.Category == ImageTester.CatFiles ? Regex.Match(r.Name, @"(?<![\w])(/[^\s]+)").Groups[1].Value : "";
        if (path.Length > 0)
            loc["physicalLocation"] = new JsonObject { ["artifactLocation"] = new JsonObject { ["uri"] = Uri.EscapeDataString(path.TrimStart('/')).Replace("%2F", "/") } };
        return loc;
    }

    static JsonObject Invocation(List<ImageTestResult> rs, ImageTestSummary? s)
    {
        var o = new JsonObject { ["executionSuccessful"] = rs.All(r => r.Outcome != ImageTestOutcome.Error) };
        if (s != null) o["startTimeUtc"] = s.StartedAt.ToUniversalTime().ToString("o");
        return o;
    }

    static ImageTestOutcome Worst(IReadOnlyCollection<ImageTestResult> rs) =>
        rs.Count == 0 ? ImageTestOutcome.Error
        : rs.Any(r => r.Outcome == ImageTestOutcome.Error) ? ImageTestOutcome.Error
        : rs.Any(r => r.Outcome == ImageTestOutcome.Failed) ? ImageTestOutcome.Failed
        : rs.Any(r => r.Outcome == ImageTestOutcome.Passed) ? ImageTestOutcome.Passed : ImageTestOutcome.Error;

    static IEnumerable<(string Image, ImageTestSummary? Summary, List<ImageTestResult> Results)> Group(IReadOnlyList<ImageTestResult> results, IReadOnlyList<ImageTestSummary> summaries)
    {
        var order = results.Select(r => r.Image).Concat(summaries.Select(s => s.Image)).Distinct(StringComparer.Ordinal);
        foreach (var image in order)
            yield return (image, summaries.FirstOrDefault(s => s.Image == image), results.Where(r => r.Image == image).ToList());
    }
}
