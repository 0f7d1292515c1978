using DockOpt.Engine.IO;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DockOpt.Engine.Analysis;

/// <summary>CI thresholds for Measure-DockOptImage. Null means the gate is off.</summary>
public sealed class AnalysisGates
{
    /// <summary>Fails when Efficiency is below this (0..1).</summary>
    public double? LowestEfficiency { get; set; }
    /// <summary>Fails when ReclaimableBytes is above this.</summary>
    public long? HighestReclaimableBytes { get; set; }
    /// <summary>Fails when UserWastedPercent (0..100) is above this.</summary>
    public double? HighestUserWastedPercent { get; set; }
    /// <summary>Fails when Score is below this.</summary>
    public int? MinimumScore { get; set; }
    public List<string> IgnorePaths { get; } = new();
    /// <summary>Files the settings came from, for messages.</summary>
    public List<string> Sources { get; } = new();

    public bool Any => LowestEfficiency != null || HighestReclaimableBytes != null || HighestUserWastedPercent != null || MinimumScore != null;

    /// <summary>The violated gates of one analysis, as sentences.</summary>
    public string[] Evaluate(ImageAnalysis a)
    {
        var v = new List<string>();
        var inv = CultureInfo.InvariantCulture;
        if (LowestEfficiency is { } le && a.Efficiency < le)
            v.Add(string.Format(inv, "{0}: Efficiency {1:0.####} is below the lowest allowed {2:0.####}", a.Image, a.Efficiency, le));
        if (HighestReclaimableBytes is { } hr && a.ReclaimableBytes > hr)
            v.Add(string.Format(inv, "{0}: ReclaimableBytes {1} ({2}) is above the highest allowed {3} ({4})", a.Image, a.ReclaimableBytes,
                ByteSize.Format(a.ReclaimableBytes), hr, ByteSize.Format(hr)));
        if (HighestUserWastedPercent is { } hu && a.UserWastedPercent > hu)
            v.Add(string.Format(inv, "{0}: UserWastedPercent {1:0.##} is above the highest allowed {2:0.##}", a.Image, a.UserWastedPercent, hu));
        if (MinimumScore is { } ms && a.Score < ms)
            v.Add(string.Format(inv, "{0}: Score {1} is below the minimum {2}", a.Image, a.Score, ms));
        return v.ToArray();
    }

    /// <summary>
    /// Reads <c>.dockopt.yml</c> (section <c>analysis:</c> with lowestEfficiency, highestReclaimableBytes,
    /// highestUserWastedPercent, minimumScore, ignorePaths) and, when present, dive's <c>.dive-ci</c> (section
    /// <c>rules:</c>; highestWastedBytes maps to HighestReclaimableBytes, the ratio highestUserWastedPercent to a
    /// percent). .dockopt.yml wins over .dive-ci; parameters win over both.
    /// </summary>
    public static AnalysisGates FromFiles(string directory, string? configPath)
    {
        var g = new AnalysisGates();
        var dive = Path.Combine(directory, ".dive-ci");
        if (File.Exists(dive))
        {
            var doc = MiniYaml.Parse(File.ReadAllText(dive), dive);
            if (doc.TryGetValue("rules", out var rulesObj) && rulesObj is Dictionary<string, object?> rules)
            {
                g.Sources.Add(dive);
                if (Get(rules, "lowestEfficiency") is { } le) g.LowestEfficiency = Ratio(le, dive, "lowestEfficiency");
                if (Get(rules, "highestWastedBytes") is { } hw) g.HighestReclaimableBytes = Bytes(hw, dive, "highestWastedBytes");
                if (Get(rules, "highestUserWastedPercent") is { } hu) g.HighestUserWastedPercent = Ratio(hu, dive, "highestUserWastedPercent") * 100;
            }
        }
        var path = configPath ?? Path.Combine(directory, ".dockopt.yml");
        if (configPath != null && !File.Exists(configPath))
            throw new DockOptException("AnalysisConfigNotFound", DockOptErrorCategory.ObjectNotFound, $"The configuration file '{configPath}' does not exist.",
                configPath, "Give the path of a .dockopt.yml file, or leave -ConfigPath out to use ./.dockopt.yml when present.");
        if (File.Exists(path))
        {
            var doc = MiniYaml.Parse(File.ReadAllText(path), path);
            if (doc.TryGetValue("analysis", out var secObj) && secObj is Dictionary<string, object?> sec)
            {
                g.Sources.Add(path);
                if (Get(sec, "lowestEfficiency") is { } le) g.LowestEfficiency = Ratio(le, path, "lowestEfficiency");
                if (Get(sec, "highestReclaimableBytes") is { } hr) g.HighestReclaimableBytes = Bytes(hr, path, "highestReclaimableBytes");
                if (Get(sec, "highestUserWastedPercent") is { } hu) g.HighestUserWastedPercent = Number(hu, path, "highestUserWastedPercent", 0, 100);
                if (Get(sec, "minimumScore") is { } ms) g.MinimumScore = (int)Number(ms, path, "minimumScore", 0, 100);
                if (sec.TryGetValue("ignorePaths", out var ip))
                {
                    if (ip is List<object?> list) g.IgnorePaths.AddRange(list.OfType<string>());
                    else if (ip is string one && one.Length > 0) g.IgnorePaths.Add(one);
                }
            }
        }
        return g;
    }

    static string? Get(Dictionary<string, object?> d, string key)
    {
        if (!d.TryGetValue(key, out var v) || v is not string s) return null;
        s = s.Trim();
        return s.Length == 0 || s is "disabled" or "off" or "false" ? null : s;
    }

    static DockOptException Bad(string file, string key, string value, string expected) =>
        new("AnalysisConfigInvalid", DockOptErrorCategory.InvalidData, $"'{key}: {value}' in '{file}' is not valid: expected {expected}.", file,
            $"Fix '{key}' in '{file}' (or set it to 'disabled').");

    static double Ratio(string v, string file, string key) => Number(v, file, key, 0, 1);

    static double Number(string v, string file, string key, double min, double max)
    {
        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || d < min || d > max)
            throw Bad(file, key, v, $"a number from {min} to {max}");
        return d;
    }

    /// <summary>Parses sizes the way dive does (go-humanize): <c>20MB</c> = 20,000,000, <c>20MiB</c> = 20,971,520, plain numbers are bytes.</summary>
    public static long Bytes(string v, string file, string key)
    {
        var s = v.Trim().Replace(" ", "", StringComparison.Ordinal);
        var i = 0;
        while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '.')) i++;
        if (i == 0 || !double.TryParse(s.AsSpan(0, i), NumberStyles.Float, CultureInfo.InvariantCulture, out var n)) throw Bad(file, key, v, "a size such as 20MB or 50MiB");
        var unit = s.Substring(i).ToLowerInvariant();
        double mult = unit switch
        {
            "" or "b" => 1,
            "k" or "kb" => 1e3, "m" or "mb" => 1e6, "g" or "gb" => 1e9, "t" or "tb" => 1e12,
            "ki" or "kib" => 1024, "mi" or "mib" => 1024d * 1024, "gi" or "gib" => 1024d * 1024 * 1024, "ti" or "tib" => 1024d * 1024 * 1024 * 1024,
            _ => throw Bad(file, key, v, "a size such as 20MB or 50MiB"),
        };
        return (long)Math.Round(n * mult);
    }
}

/// <summary>A small YAML subset reader for the flat settings files (maps by indentation, scalars, <c>- item</c> lists, comments).</summary>
internal static class MiniYaml
{
    public static Dictionary<string, object?> Parse(string text, string file)
    {
        var root = new Dictionary<string, object?>(StringComparer.Ordinal);
        var stack = new List<(int Indent, object Container)> { (-1, root) };
        string? pendingKey = null;
        var pendingIndent = 0;
        Dictionary<string, object?>? pendingParent = null;
        var lineNo = 0;
        foreach (var raw in text.Replace("\r\n", "\n").Split('\n'))
        {
            lineNo++;
            var line = StripComment(raw).TrimEnd();
            if (line.Trim().Length == 0 || line.Trim() == "---") continue;
            var indent = line.Length - line.TrimStart().Length;
            var content = line.Trim();
            var isItem = content.StartsWith("- ", StringComparison.Ordinal) || content == "-";
            if (pendingKey != null)
            {
                // The previous key had no value: a deeper line (or a list item at the same depth) opens its block.
                if (indent > pendingIndent || (isItem && indent == pendingIndent))
                {
                    object child = isItem ? new List<object?>() : new Dictionary<string, object?>(StringComparer.Ordinal);
                    pendingParent![pendingKey] = child;
                    stack.Add((isItem && indent == pendingIndent ? pendingIndent - 1 : pendingIndent, child));
                }
                pendingKey = null;
            }
            while (stack.Count > 1 && indent <= stack[^1].Indent) stack.RemoveAt(stack.Count - 1);
            var container = stack[^1].Container;
            while (!isItem && container is List<object?> && stack.Count > 1)
            {
                stack.RemoveAt(stack.Count - 1);
                container = stack[^1].Container;
            }
            if (isItem)
            {
                if (container is not List<object?> list) throw Invalid(file, lineNo);
                list.Add(Unquote(content.Length > 1 ? content.Substring(2).Trim() : ""));
                continue;
            }
            var colon = FindColon(content);
            if (colon < 0 || container is not Dictionary<string, object?> map) throw Invalid(file, lineNo);
            var key = Unquote(content.Substring(0, colon).Trim());
            var value = content.Substring(colon + 1).Trim();
            if (value.Length == 0)
            {
                map[key] = null;
                pendingKey = key;
                pendingIndent = indent;
                pendingParent = map;
            }
            else if (value.StartsWith('[') && value.EndsWith(']'))
                map[key] = value[1..^1].Split(',').Select(x => (object?)Unquote(x.Trim())).Where(x => ((string)x!).Length > 0).ToList();
            else map[key] = Unquote(value);
        }
        return root;
    }

    static int FindColon(string s)
    {
        var q = '\0';
        for (var i = 0; i < s.Length; i++)
        {
            if (q != '\0') { if (s[i] == q) q = '\0'; continue; }
            if (s[i] is '"' or '\'') q = s[i];
            else if (s[i] == ':' && (i + 1 == s.Length || s[i + 1] == ' ')) return i;
        }
        return -1;
    }

    static string StripComment(string s)
    {
        var q = '\0';
        for (var i = 0; i < s.Length; i++)
        {
            if (q != '\0') { if (s[i] == q) q = '\0'; continue; }
            if (s[i] is '"' or '\'') q = s[i];
            else if (s[i] == '#' && (i == 0 || char.IsWhiteSpace(s[i - 1]))) return s.Substring(0, i);
        }
        return s;
    }

    static string Unquote(string s) =>
        s.Length >= 2 && ((s[0] == '"' && s[^1] == '"') || (s[0] == '\'' && s[^1] == '\'')) ? s[1..^1] : s;

    static DockOptException Invalid(string file, int line) =>
        new("AnalysisConfigInvalid", DockOptErrorCategory.ParserError, $"'{file}' line {line} is not valid YAML for DockOpt settings.", file,
            "Use 'key: value' lines under 'analysis:' (see about_DockOpt_Analysis).");
}

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
