using System.Text;
using DockOpt.Engine.Testing;

namespace DockOpt.Engine.Tests.Testing;

public class JUnitReportTotalsTests
{
    static ImageTestResult R(string image, string name, ImageTestOutcome o) => new()
    {
        Image = image, Category = "Files", Name = name, Outcome = o, Expected = "x", Actual = o == ImageTestOutcome.Passed ? "x" : "y",
        Message = o == ImageTestOutcome.Passed ? "" : $"{name} {o}", Timestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        Duration = TimeSpan.FromMilliseconds(12),
    };

    static string Xml(IReadOnlyList<ImageTestResult> results)
    {
        using var ms = new MemoryStream();
        JUnitReport.Write(ms, results, results.Select(r => r.Image).Distinct().Select(i => new ImageTestSummary { Image = i }).ToList());
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    [Fact]
    public void TotalsEqualTheTestCasesAtTheRootAndInEverySuite()
    {
        var results = new List<ImageTestResult>
        {
            R("app:1", "a", ImageTestOutcome.Passed), R("app:1", "b", ImageTestOutcome.Failed), R("app:1", "c", ImageTestOutcome.Error),
            R("app:1", "d", ImageTestOutcome.Skipped), R("app:1", "e", ImageTestOutcome.Failed),
            R("web:2", "a", ImageTestOutcome.Passed), R("web:2", "b", ImageTestOutcome.Skipped),
        };
        Assert.Equal((7, 2, 1, 2), JUnitTotals.AssertConsistent(Xml(results)));
    }

    [Fact]
    public void AnEmptyRunDeclaresZero() => Assert.Equal((0, 0, 0, 0), JUnitTotals.AssertConsistent(Xml(new List<ImageTestResult>())));

    [Fact]
    public void TheCheckCatchesAWrongTotal()
    {
        var xml = Xml(new List<ImageTestResult> { R("app:1", "a", ImageTestOutcome.Failed), R("app:1", "b", ImageTestOutcome.Passed) });
        Assert.ThrowsAny<Exception>(() => JUnitTotals.AssertConsistent(xml.Replace("tests=\"2\"", "tests=\"5\"")));
        Assert.ThrowsAny<Exception>(() => JUnitTotals.AssertConsistent(xml.Replace("failures=\"1\"", "failures=\"0\"")));
    }
}
