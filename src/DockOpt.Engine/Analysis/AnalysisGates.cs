using System.Globalization;
using DockOpt.Engine.Analysis.Gates;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace DockOpt.Engine.Analysis;

/// <summary>
/// CI thresholds for Measure-DockOptImage. Null means the gate is off. Each gate is one class under Analysis/Gates/
/// (found by <see cref="AnalysisGateCatalog"/>); this class holds their settings and reads them from files.
/// </summary>
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

    public bool Any => AnalysisGateCatalog.Gates.Any(g => g.IsSet(this));

    /// <summary>The violated gates of one analysis, as sentences.</summary>
    public string[] Evaluate(ImageAnalysis a) =>
        AnalysisGateCatalog.Gates.Select(g => g.Evaluate(a, this)).OfType<string>().ToArray();

    /// <summary>
    /// Reads <c>.dockopt.yml</c> (section <c>analysis:</c> with each gate's key and ignorePaths) and, when present, dive's
    /// <c>.dive-ci</c> (section <c>rules:</c>; highestWastedBytes maps to HighestReclaimableBytes, the ratio
    /// highestUserWastedPercent to a percent). .dockopt.yml wins over .dive-ci; parameters win over both.
    /// A value of <c>disabled</c>, <c>off</c>, <c>false</c> or nothing leaves the gate off.
    /// </summary>
    public static AnalysisGates FromFiles(string directory, string? configPath)
    {
        var g = new AnalysisGates();
        var dive = Path.Combine(directory, ".dive-ci");
        if (File.Exists(dive) && Section(ReadYaml(dive), "rules") is { } rules)
        {
            g.Sources.Add(dive);
            foreach (var gate in AnalysisGateCatalog.Gates)
                if (gate.Info.DiveKey is { } key && Scalar(rules, key) is { } v) gate.Read(v, dive, fromDive: true, g);
        }
        var path = configPath ?? Path.Combine(directory, ".dockopt.yml");
        if (configPath != null && !File.Exists(configPath))
            throw new DockOptException(ErrorIds.AnalysisConfigNotFound, DockOptErrorCategory.ObjectNotFound, $"The configuration file '{configPath}' does not exist.",
                configPath, "Give the path of a .dockopt.yml file, or leave -ConfigPath out to use ./.dockopt.yml when present.");
        if (File.Exists(path) && Section(ReadYaml(path), "analysis") is { } sec)
        {
            g.Sources.Add(path);
            foreach (var gate in AnalysisGateCatalog.Gates)
                if (Scalar(sec, gate.Info.ConfigKey) is { } v) gate.Read(v, path, fromDive: false, g);
            if (sec.TryGetValue("ignorePaths", out var ip))
            {
                if (ip is List<object?> list) g.IgnorePaths.AddRange(list.OfType<string>().Where(s => s.Length > 0));
                else if (ip is string one && one.Length > 0) g.IgnorePaths.Add(one);
            }
        }
        return g;
    }

    static readonly IDeserializer Yaml = new DeserializerBuilder().Build();

    /// <summary>The file as YAML maps, lists and string scalars (an empty file is an empty map).</summary>
    static Dictionary<string, object?> ReadYaml(string file)
    {
        object? doc;
        try
        {
            doc = Yaml.Deserialize<object?>(QuoteGlobAliases(Dockerfiles.SourceFile.ReadAllText(file, "DockOpt settings file")));
        }
        catch (YamlException e)
        {
            throw new DockOptException(ErrorIds.AnalysisConfigInvalid, DockOptErrorCategory.ParserError,
                $"'{file}' line {e.Start.Line} is not valid YAML for DockOpt settings: {e.InnerException?.Message ?? e.Message}", file,
                "Use 'key: value' lines under 'analysis:' (see about_DockOpt_Analysis).", e);
        }
        return doc == null ? new Dictionary<string, object?>(StringComparer.Ordinal)
            : Map(doc) ?? throw new DockOptException(ErrorIds.AnalysisConfigInvalid, DockOptErrorCategory.ParserError,
                $"'{file}' is not a YAML map of settings.", file, "Use 'key: value' lines under 'analysis:' (see about_DockOpt_Analysis).");
    }

    // A plain scalar starting with '*' is a YAML alias; settings files never use anchors, and globs such as "- *.log"
    // were always accepted as text, so such values are quoted before parsing.
    static readonly System.Text.RegularExpressions.Regex GlobAlias = new(
        @"^(?<lead>\s*(?:-\s+|[A-Za-z0-9_.-]+:\s+))(?<glob>\*[^\s'""#]*)(?<rest>\s*(?:#.*)?)$",
        System.Text.RegularExpressions.RegexOptions.Multiline | System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    static string QuoteGlobAliases(string text) =>
        GlobAlias.Replace(text.Replace("\r\n", "\n", StringComparison.Ordinal), m => $"{m.Groups["lead"].Value}'{m.Groups["glob"].Value}'{m.Groups["rest"].Value}");

    /// <summary>A YAML map with string keys (nested maps and lists converted alike), or null when the node is not a map.</summary>
    static Dictionary<string, object?>? Map(object? node) =>
        node is IDictionary<object, object?> d
            ? d.ToDictionary(kv => Convert.ToString(kv.Key, CultureInfo.InvariantCulture) ?? "", kv => Normalize(kv.Value), StringComparer.Ordinal)
            : null;

    static object? Normalize(object? node) => node switch
    {
        IDictionary<object, object?> => Map(node),
        IList<object?> list => list.Select(Normalize).ToList(),
        _ => node,
    };

    static Dictionary<string, object?>? Section(Dictionary<string, object?> doc, string name) =>
        doc.TryGetValue(name, out var s) ? s as Dictionary<string, object?> : null;

    static string? Scalar(Dictionary<string, object?> d, string key)
    {
        if (!d.TryGetValue(key, out var v) || v is not string s) return null;
        s = s.Trim();
        return s.Length == 0 || s is "disabled" or "off" or "false" ? null : s;
    }

    /// <summary>Parses sizes the way dive does (go-humanize): <c>20MB</c> = 20,000,000, <c>20MiB</c> = 20,971,520, plain numbers are bytes.</summary>
    public static long Bytes(string v, string file, string key)
    {
        var s = v.Trim().Replace(" ", "", StringComparison.Ordinal);
        var i = 0;
        while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '.')) i++;
        if (i == 0 || !double.TryParse(s.AsSpan(0, i), NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
            throw GateValues.Bad(file, key, v, "a size such as 20MB or 50MiB");
        var unit = s.Substring(i).ToLowerInvariant();
        double mult = unit switch
        {
            "" or "b" => 1,
            "k" or "kb" => 1e3, "m" or "mb" => 1e6, "g" or "gb" => 1e9, "t" or "tb" => 1e12,
            "ki" or "kib" => 1024, "mi" or "mib" => 1024d * 1024, "gi" or "gib" => 1024d * 1024 * 1024, "ti" or "tib" => 1024d * 1024 * 1024 * 1024,
            _ => throw GateValues.Bad(file, key, v, "a size such as 20MB or 50MiB"),
        };
        return (long)Math.Round(n * mult);
    }
}
