using System.Text.RegularExpressions;
using DockOpt.Engine.Dockerfiles.Rules;

namespace DockOpt.Engine.Dockerfiles;

/// <summary>The result of linting one Dockerfile.</summary>
public sealed class DockerfileLintResult
{
    public string Path { get; init; } = "";
    public string Text { get; init; } = "";
    public DockerfileDocument Document { get; init; } = null!;
    public DockerfileModel Model { get; init; } = null!;
    public List<LintFinding> Findings { get; } = new();
    /// <summary>Safe rewrites of the reported (not suppressed) findings.</summary>
    public List<(LintFinding Finding, IReadOnlyList<TextEdit> Edits)> Fixes { get; } = new();
}

/// <summary>Parses, models and lints a Dockerfile; applies inline ignores and configuration.</summary>
public static class DockerfileLinter
{
    // Rules use a few dozen static patterns through Regex.IsMatch; the default cache of 15 would re-parse them per file.
    static DockerfileLinter() => Regex.CacheSize = Math.Max(Regex.CacheSize, 256);

    static readonly Regex IgnorePragma = new(@"^#\s*(hadolint|dockopt)\s+(?:(global|stage)\s+)?ignore\s*=\s*([A-Za-z0-9_\-]+(?:\s*,\s*[A-Za-z0-9_\-]+)*)", RegexOptions.IgnoreCase | RegexOptions.Compiled);

    public static DockerfileLintResult Lint(string text, string? path, LintOptions options) =>
        Lint(DockerfileParser.Parse(text), text, path, options);

    public static DockerfileLintResult Lint(DockerfileDocument doc, string text, string? path, LintOptions options)
    {
        var model = new DockerfileModel(doc, options.BuildArgs, options.Target);
        var ctx = new LintContext(doc, model, options, path);
        foreach (var issue in doc.Issues)
            ctx.Report(issue.RuleId, issue.Message, issue.Range, issue.Instruction, issue.Fix);
        InstructionRules.Run(ctx);
        ShellRules.Run(ctx);
        OptimizationRules.Run(ctx);
        SecurityRules.Run(ctx);

        // Inline ignores.
        var global = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var perInstruction = new Dictionary<Instruction, HashSet<string>>();
        var perStage = new Dictionary<int, HashSet<string>>();
        var checkSkipAll = false;
        if (!options.DisableInlineIgnore)
        {
            foreach (var c in doc.Comments)
            {
                var m = IgnorePragma.Match(c.Text);
                if (m.Success && m.Groups[2].Value.Equals("global", StringComparison.OrdinalIgnoreCase)) global.UnionWith(Ids(m.Groups[3].Value));
            }
            foreach (var ins in doc.Instructions)
            {
                foreach (var c in ins.Comments)
                {
                    var m = IgnorePragma.Match(c.Text);
                    if (!m.Success) continue;
                    var kind = m.Groups[2].Value.ToLowerInvariant();
                    if (kind == "") Set(perInstruction, ins).UnionWith(Ids(m.Groups[3].Value));
                    else if (kind == "stage" && ins.Keyword == "FROM") Set(perStage, ins.StageIndex).UnionWith(Ids(m.Groups[3].Value));
                }
            }
            if (doc.Directives.TryGetValue("check", out var check))
            {
                foreach (var part in check.Value.Split(';'))
                {
                    var kv = part.Split('=', 2);
                    if (kv.Length == 2 && kv[0].Trim().Equals("skip", StringComparison.OrdinalIgnoreCase))
                        foreach (var id in Ids(kv[1]))
                            if (id.Equals("all", StringComparison.OrdinalIgnoreCase)) checkSkipAll = true; else global.Add(id);
                }
            }
        }

        var result = new DockerfileLintResult { Path = path ?? "<content>", Text = text, Document = doc, Model = model };
        foreach (var f in ctx.Findings.OrderBy(f => f.Range.Start.Line).ThenBy(f => f.Range.Start.Column).ThenBy(f => f.Rule.Id))
        {
            var rule = f.Rule;
            var hadolint = f.Hadolint ?? rule.Hadolint;
            var ids = new[] { rule.Id, rule.Name, hadolint, rule.BuildCheck }.Where(s => !string.IsNullOrEmpty(s)).ToArray();
            bool Hit(ISet<string> set) => ids.Any(set.Contains);
            var optedIn = rule.EnabledByDefault || ids.Any(options.Enabled.Contains) || ids.Any(options.SeverityOverrides.ContainsKey);
            if (!optedIn || Hit(options.Ignored) || Hit(global)) continue;
            if (checkSkipAll && rule.BuildCheck.Length > 0) continue;
            var owner = f.Instruction?.Parent ?? f.Instruction;
            if (owner != null && perInstruction.TryGetValue(owner, out var pi) && Hit(pi)) continue;
            if (f.StageIndex >= 0 && perStage.TryGetValue(f.StageIndex, out var ps) && Hit(ps)) continue;
            var severity = rule.Severity;
            foreach (var id in ids)
                if (options.SeverityOverrides.TryGetValue(id, out var o)) severity = o;
            var stage = f.StageIndex >= 0 && f.StageIndex < model.Stages.Count ? model.Stages[f.StageIndex].DisplayName : "";
            var lf = new LintFinding
            {
                RuleId = rule.Id,
                RuleName = rule.Name,
                Severity = severity,
                Message = f.Message,
                Path = result.Path,
                Line = f.Range.Start.Line,
                Column = f.Range.Start.Column,
                EndLine = f.Range.End.Line,
                EndColumn = f.Range.End.Column,
                Stage = stage,
                Instruction = f.Instruction == null ? "" : f.Instruction.Parent != null ? "ONBUILD " + f.Instruction.Keyword : f.Instruction.Keyword,
                Fix = f.Fix,
                Fixable = f.Edits.Count > 0,
                HelpUri = f.Hadolint is { Length: > 0 } h && h != rule.Hadolint ? "https://github.com/hadolint/hadolint/wiki/" + h : rule.HelpUri,
                HadolintId = hadolint,
                BuildCheckId = rule.BuildCheck,
            };
            result.Findings.Add(lf);
            if (f.Edits.Count > 0) result.Fixes.Add((lf, f.Edits));
        }
        return result;
    }

    static HashSet<string> Set<TKey>(Dictionary<TKey, HashSet<string>> d, TKey key) where TKey : notnull
    {
        if (!d.TryGetValue(key, out var s)) d[key] = s = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        return s;
    }

    static IEnumerable<string> Ids(string list) => list.Split(',').Select(x => x.Trim()).Where(x => x.Length > 0);
}
