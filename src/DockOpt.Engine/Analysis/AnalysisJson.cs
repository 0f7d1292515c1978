using DockOpt.Engine.IO;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DockOpt.Engine.Analysis;

/// <summary>Writes analyses as JSON with a schema version, via a temp file and a rename.</summary>
public static class AnalysisJson
{
    static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Serialize(IReadOnlyList<ImageAnalysis> analyses, string[] gateViolations)
    {
        var doc = new Dictionary<string, object?>
        {
            ["schemaVersion"] = ImageAnalysis.CurrentSchemaVersion,
            ["tool"] = "DockOpt Measure-DockOptImage",
            ["generatedAt"] = DateTime.UtcNow,
            ["passed"] = gateViolations.Length == 0,
            ["gateViolations"] = gateViolations,
            ["images"] = analyses,
        };
        return JsonSerializer.Serialize(doc, Options);
    }

    public static void Write(string path, IReadOnlyList<ImageAnalysis> analyses, string[] gateViolations) =>
        AtomicFile.WriteAllText(path, Serialize(analyses, gateViolations));
}
