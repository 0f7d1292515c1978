using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DockOpt.Engine.Dockerfiles;

/// <summary>Reads .dockopt.yml and .hadolint.yaml (same keys; DockOpt adds enable, build-args, target).</summary>
public static class LintConfigLoader
{
    public static readonly string[] HadolintNames = { ".hadolint.yaml", ".hadolint.yml" };
    public static readonly string[] DockOptNames = { ".dockopt.yml", ".dockopt.yaml" };

    /// <summary>Finds config files: first in each directory given (Dockerfile folder, then current folder) wins per kind.</summary>
    public static List<string> Discover(params string?[] directories)
    {
        var found = new List<string>();
        foreach (var names in new[] { HadolintNames, DockOptNames })
        {
            foreach (var d in directories.Where(d => !string.IsNullOrEmpty(d)).Distinct())
            {
                var hit = names.Select(n => Path.Combine(d!, n)).FirstOrDefault(File.Exists);
                if (hit != null) { found.Add(hit); break; }
            }
        }
        return found;
    }

    public static void Load(string path, LintOptions into)
    {
        string text;
        try { text = SourceFile.ReadAllText(path, "lint configuration"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DockOptException(ErrorIds.LintConfigUnreadable, DockOptErrorCategory.ReadError, $"Cannot read lint configuration '{path}': {e.Message}", path,
                "Check the path and permissions of the configuration file.", e);
        }
        var stream = new YamlStream();
        try { stream.Load(new StringReader(text)); }
        catch (YamlException e)
        {
            throw new DockOptException(ErrorIds.LintConfigInvalid, DockOptErrorCategory.InvalidData,
                $"Lint configuration '{path}' is not valid YAML (line {e.Start.Line}, column {e.Start.Column}): {e.Message}", path, "Fix the YAML syntax.", e);
        }
        into.Sources.Add(path);
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root) return;
        foreach (var (k, v) in root.Children)
        {
            var key = ((k as YamlScalarNode)?.Value ?? "").ToLowerInvariant().Replace("_", "-");
            switch (key)
            {
                case "ignored" or "ignore":
                    into.Ignored.UnionWith(List(v));
                    break;
                case "enable" or "enabled":
                    into.Enabled.UnionWith(List(v));
                    break;
                case "override":
                    if (v is YamlMappingNode ov)
                        foreach (var (sk, sv) in ov.Children)
                            foreach (var id in List(sv))
                                into.SeverityOverrides[id] = ParseSeverity(((YamlScalarNode)sk).Value ?? "", path);
                    break;
                case "failure-threshold" or "failurethreshold":
                    var t = Scalar(v).ToLowerInvariant();
                    into.FailureThreshold = t is "none" or "ignore" or "" ? null : ParseSeverity(t, path);
                    break;
                case "trustedregistries" or "trusted-registries":
                    into.TrustedRegistries.AddRange(List(v));
                    break;
                case "label-schema" or "labelschema" or "required-labels":
                    if (v is YamlMappingNode ls)
                        foreach (var (lk, lv) in ls.Children) into.RequiredLabels[Scalar(lk)] = Scalar(lv);
                    else foreach (var l in List(v)) into.RequiredLabels[l] = "text";
                    break;
                case "strict-labels":
                    into.StrictLabels = Bool(v);
                    break;
                case "disable-ignore-pragma":
                    into.DisableInlineIgnore |= Bool(v);
                    break;
                case "build-args" or "buildargs":
                    if (v is YamlMappingNode ba)
                        foreach (var (bk, bv) in ba.Children) into.BuildArgs.TryAdd(Scalar(bk), Scalar(bv));
                    break;
                case "target":
                    into.Target ??= Scalar(v);
                    break;
            }
        }
    }

    /// <summary>
    /// A severity word of a configuration file: hadolint's (style, info, warning, error — so <c>info</c> is Low, as in
    /// hadolint) or one of DockOpt's higher names (low, medium, high, critical).
    /// </summary>
    public static DockOpt.Severity ParseSeverity(string s, string source) =>
        LintLevels.FromHadolint(s)
        ?? (Enum.TryParse<DockOpt.Severity>(s, true, out var named) && named is not DockOpt.Severity.Unknown and not DockOpt.Severity.Info ? named
        : throw new DockOptException(ErrorIds.LintConfigInvalid, DockOptErrorCategory.InvalidData, $"Unknown severity '{s}' in '{source}'.", source,
            "Use error, warning, info or style (or low, medium, high, critical)."));

    static string Scalar(YamlNode n) => (n as YamlScalarNode)?.Value ?? "";
    static bool Bool(YamlNode n) => bool.TryParse(Scalar(n), out var b) && b;
    static IEnumerable<string> List(YamlNode n) => n switch
    {
        YamlSequenceNode s => s.Children.Select(Scalar).Where(x => x.Length > 0),
        YamlScalarNode sc when !string.IsNullOrEmpty(sc.Value) => new[] { sc.Value! },
        _ => Array.Empty<string>(),
    };
}
