using System.Text.RegularExpressions;
using DockOpt.Engine.Dockerfiles.Rules;

namespace DockOpt.Engine.Tests.Dockerfiles;

/// <summary>Every discovered rule has a section on its family's page under docs/rules/, and every section names a rule.</summary>
public class RuleDocumentationTests
{
    static string RulesDocDir()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        {
            var p = Path.Combine(d.FullName, "docs", "rules");
            if (Directory.Exists(p) && File.Exists(Path.Combine(d.FullName, "DockOpt.psd1"))) return p;
        }
        throw new DirectoryNotFoundException("docs/rules not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Rule id → page file name, from the <c>## DOnnnn</c> headings of every page.</summary>
    static Dictionary<string, List<string>> DocumentedRules()
    {
        var found = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var page in Directory.GetFiles(RulesDocDir(), "DO*.md"))
            foreach (Match m in Regex.Matches(File.ReadAllText(page), @"^## (DO\d{4})\s*$", RegexOptions.Multiline))
            {
                if (!found.TryGetValue(m.Groups[1].Value, out var pages)) found[m.Groups[1].Value] = pages = new List<string>();
                pages.Add(Path.GetFileName(page));
            }
        return found;
    }

    [Fact]
    public void DiscoveryFindsEveryRuleClassOnceWithAUniqueId()
    {
        Assert.True(RuleCatalog.Rules.Count >= 79, $"only {RuleCatalog.Rules.Count} rules discovered");
        Assert.Equal(RuleCatalog.All.Count, RuleCatalog.All.Select(r => r.Id).Distinct().Count());
        foreach (var rule in RuleCatalog.Rules)
        {
            var type = rule.GetType();
            Assert.Equal(rule.Info.Id + rule.Info.Name, type.Name); // the class (and its file) is named for the rule
            Assert.EndsWith("." + rule.Info.Family, type.Namespace);
        }
    }

    [Fact]
    public void EveryRuleIsDocumentedOnItsFamilyPageAndEverySectionIsARule()
    {
        var documented = DocumentedRules();
        var undocumented = RuleCatalog.All.Where(r => !documented.ContainsKey(r.Id)).Select(r => r.Id).ToList();
        Assert.True(undocumented.Count == 0, "No section in docs/rules/ for: " + string.Join(", ", undocumented));
        var unknown = documented.Keys.Where(id => !RuleCatalog.TryGet(id, out _)).ToList();
        Assert.True(unknown.Count == 0, "docs/rules/ documents rules that do not exist: " + string.Join(", ", unknown));
        foreach (var rule in RuleCatalog.All)
            Assert.Equal(new[] { RuleDocs.PageOf(rule.Family) }, documented[rule.Id]);
    }

    [Fact]
    public void HelpUriIsAnAbsoluteUrlToTheRuleSection()
    {
        foreach (var rule in RuleCatalog.All)
        {
            Assert.True(Uri.TryCreate(rule.HelpUri, UriKind.Absolute, out var uri) && uri.Scheme == "https", rule.Id + ": " + rule.HelpUri);
            Assert.Equal(RuleDocs.BaseUrl + RuleDocs.PageOf(rule.Family) + "#" + rule.Id.ToLowerInvariant(), rule.HelpUri);
        }
    }
}
