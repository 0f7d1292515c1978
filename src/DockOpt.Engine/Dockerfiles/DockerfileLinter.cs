using System.Text.RegularExpressions;
using DockOpt.Engine.Dockerfiles.Rules;
using DockOpt.Engine.Dockerfiles.Rules.Shell;
using DockOpt.Engine.Dockerfiles.Rules.ShellCheck;
using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles;

/// <summary>Parses, models and lints a Dockerfile with every discovered rule; applies inline ignores and configuration.</summary>
public static class DockerfileLinter
{
    // Rules use a few dozen static patterns through Regex.IsMatch; the default cache of 15 would re-parse them per file.
    static DockerfileLinter() => Regex.CacheSize = Math.Max(Regex.CacheSize, 256);

    public static DockerfileLintResult Lint(string text, string? path, LintOptions options) =>
        Lint(DockerfileParser.Parse(text), text, path, options);

    public static DockerfileLintResult Lint(DockerfileDocument doc, string text, string? path, LintOptions options)
    {
        var model = new DockerfileModel(doc, options.BuildArgs, options.Target);
        var ctx = new LintContext(doc, model, options, path);
        RunRules(ctx);

        var suppressions = options.DisableInlineIgnore ? new InlineSuppressions() : new InlineSuppressions(doc);
        var result = new DockerfileLintResult { Path = path ?? "<content>", Text = text, Document = doc, Model = model };
        foreach (var f in ctx.Findings.OrderBy(f => f.Range.Start.Line).ThenBy(f => f.Range.Start.Column).ThenBy(f => f.Rule.Id, StringComparer.Ordinal))
        {
            var rule = f.Rule;
            var hadolint = f.Hadolint ?? rule.Hadolint; // "" when the finding maps to no hadolint rule
            var ids = new[] { rule.Id, rule.Name, hadolint, rule.BuildCheck }.Where(s => !string.IsNullOrEmpty(s)).ToArray();
            var optedIn = rule.EnabledByDefault || ids.Any(options.Enabled.Contains) || ids.Any(options.SeverityOverrides.ContainsKey);
            if (!optedIn || ids.Any(options.Ignored.Contains) || suppressions.Suppresses(f, ids)) continue;
            var lf = ToFinding(f, hadolint, SeverityOf(rule, ids, options), result.Path, model);
            result.Findings.Add(lf);
            if (f.Edits.Count > 0) result.Fixes.Add((lf, f.Edits));
        }
        return result;
    }

    /// <summary>ShellCheck rules that check one RUN script at a time (those that do not override the whole-document check).</summary>
    static readonly ShellCheckRule[] PerScriptRules = RuleCatalog.Rules.OfType<ShellCheckRule>().Where(r => !OverridesCheck(r, typeof(ShellCheckRule))).ToArray();

    /// <summary>Shell rules that check one RUN at a time (likewise).</summary>
    static readonly ShellRule[] PerRunRules = RuleCatalog.Rules.OfType<ShellRule>().Where(r => !OverridesCheck(r, typeof(ShellRule))).ToArray();

    /// <summary>
    /// A script is parsed only when some ShellCheck rule could fire on it: each has a cheap test of the text (a rule about
    /// expansions needs a '$'), and a RUN that none of them passes would be parsed only to be skipped by all of them.
    /// </summary>
    static readonly Func<string, ShDialect, bool> AnyRuleWants = (text, dialect) =>
    {
        foreach (var rule in PerScriptRules)
            if (rule.Wants(text, dialect)) return true;
        return false;
    };

    static bool OverridesCheck(IRule rule, Type family) =>
        rule.GetType().GetMethod(nameof(IRule.Check), new[] { typeof(LintContext) })!.DeclaringType != family;

    /// <summary>
    /// Every rule on the document. Rules that look at one RUN at a time run RUN by RUN: the shell rules on each RUN's
    /// commands while they are hot in the cache, the ShellCheck rules on each RUN's script, parsed once, checked by all
    /// of them and dropped, so syntax trees never pile up. Findings are sorted afterwards, and each rule still sees the
    /// RUNs in document order, so the order in which rules run does not show.
    /// </summary>
    static void RunRules(LintContext ctx)
    {
        foreach (var rule in RuleCatalog.Rules)
            if (rule is not (ShellRule or ShellCheckRule) || (rule is ShellRule r && Array.IndexOf(PerRunRules, r) < 0)
                || (rule is ShellCheckRule s && Array.IndexOf(PerScriptRules, s) < 0))
                rule.Check(ctx);
        foreach (var run in RunScript.All(ctx))
            foreach (var rule in PerRunRules) rule.CheckRun(ctx, run);
        foreach (var script in RunShellScripts.Parse(ctx, AnyRuleWants))
            foreach (var rule in PerScriptRules) rule.CheckScript(ctx, script);
    }

    /// <summary>The rule's severity, or the last configured override for any of its ids.</summary>
    static Severity SeverityOf(RuleInfo rule, IEnumerable<string> ids, LintOptions options)
    {
        var severity = rule.Severity;
        foreach (var id in ids)
            if (options.SeverityOverrides.TryGetValue(id, out var o)) severity = o;
        return severity;
    }

    static LintFinding ToFinding(RawFinding f, string hadolint, Severity severity, string path, DockerfileModel model) => new()
    {
        RuleId = f.Rule.Id,
        RuleName = f.Rule.Name,
        Severity = severity,
        Message = f.Message,
        Path = path,
        Line = f.Range.Start.Line,
        Column = f.Range.Start.Column,
        EndLine = f.Range.End.Line,
        EndColumn = f.Range.End.Column,
        Stage = f.StageIndex >= 0 && f.StageIndex < model.Stages.Count ? model.Stages[f.StageIndex].DisplayName : "",
        Instruction = f.Instruction == null ? "" : f.Instruction.Parent != null ? "ONBUILD " + f.Instruction.Keyword : f.Instruction.Keyword,
        Fix = f.Fix,
        Fixable = f.Edits.Count > 0,
        HelpUri = f.Rule.HelpUri,
        HadolintId = hadolint,
        BuildCheckId = f.Rule.BuildCheck,
        ShellCheckId = hadolint.StartsWith("SC", StringComparison.Ordinal) ? hadolint : "",
    };
}
