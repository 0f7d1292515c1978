using System.Text.RegularExpressions;
using DockOpt.Engine.Analysis.Gates;
using DockOpt.Engine.Analysis.Recommendations;

namespace DockOpt.Engine.Tests.Analysis;

/// <summary>docs/rules/analysis.md documents every recommendation and gate, and nothing else.</summary>
public class AnalysisDocumentationTests
{
    static readonly string Page = File.ReadAllText(Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "docs", "rules", "analysis.md")));

    static string Section(string heading)
    {
        var m = Regex.Match(Page, @"^## " + Regex.Escape(heading) + @"\s*$(?<body>.*?)(?=^#{1,2} |\z)", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(m.Success, $"docs/rules/analysis.md has no '## {heading}' section");
        return m.Groups["body"].Value;
    }

    [Fact]
    public void EverySectionIsARuleOrAGateAndEveryRuleAndGateHasOne()
    {
        var headings = Regex.Matches(Page, @"^## (\S+)\s*$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        var known = RecommendationCatalog.All.Select(r => r.Id).Concat(AnalysisGateCatalog.All.Select(g => g.Name)).ToList();
        Assert.Equal(known.OrderBy(x => x, StringComparer.Ordinal), headings.OrderBy(x => x, StringComparer.Ordinal));
    }

    [Fact]
    public void EachRuleSectionStatesItsNameSeverityAndDeductionAsTheCatalogue()
    {
        foreach (var r in RecommendationCatalog.All)
        {
            var s = Section(r.Id);
            Assert.Contains($"**{r.Name}** — {r.Message}.", s);
            Assert.Contains($"- Severity: {r.Severity}", s);
            Assert.Contains($"- Score deduction: {r.Deduction}", s);
        }
    }

    [Fact]
    public void EachGateSectionStatesItsParameterAndKeys()
    {
        foreach (var g in AnalysisGateCatalog.All)
        {
            var s = Section(g.Name);
            Assert.Contains(g.Description, s);
            Assert.Contains($"`{g.Parameter}`", s);
            Assert.Contains($"`analysis.{g.ConfigKey}`", s);
            if (g.DiveKey != null) Assert.Contains($"`rules.{g.DiveKey}`", s);
        }
    }
}
