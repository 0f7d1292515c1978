using System.Text.RegularExpressions;
using DockOpt.Engine.Reporting;

namespace DockOpt.Engine.Tests.Reporting;

public class HtmlReportKpiTests
{
    static string SecurityKpi(SecurityReport report)
    {
        var data = new ReportData();
        Assert.True(data.Add(report));
        var html = HtmlReportRenderer.Render(data, "t", new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc));
        var m = Regex.Match(html, "<div class=\"kpi ([a-z]*)\" data-kpi=\"Critical / High\">.*?</div></div>|<div class=\"kpi ([a-z]*)\" data-kpi=\"Critical / High\">(?:(?!<div class=\"kpi ).)*");
        Assert.True(m.Success, "no Critical / High KPI");
        return m.Value;
    }

    [Fact]
    public void AScanWithoutVulnerabilityDataIsNotShownAsAGoodZero()
    {
        var kpi = SecurityKpi(new SecurityReport { Image = "app:1", Outcome = "Passed", VulnerabilitySources = Array.Empty<string>() });
        Assert.Contains("without vulnerability data", kpi);
        Assert.DoesNotContain("kpi good", kpi);
    }

    [Fact]
    public void AScanWithVulnerabilityDataAndNoCriticalOrHighIsGood()
    {
        var kpi = SecurityKpi(new SecurityReport { Image = "app:1", Outcome = "Passed", VulnerabilitySources = new[] { "OSV:/db" } });
        Assert.Contains("kpi good", kpi);
        Assert.DoesNotContain("without vulnerability data", kpi);
    }
}
