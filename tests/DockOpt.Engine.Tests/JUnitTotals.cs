using System.Xml.Linq;

namespace DockOpt.Engine.Tests;

/// <summary>
/// The JUnit rule every DockOpt JUnit writer must keep: at the root and in every suite, <c>tests</c> is the number of
/// <c>testcase</c> elements and <c>failures</c>, <c>errors</c>, <c>skipped</c> count the test cases holding a
/// <c>failure</c>, <c>error</c> or <c>skipped</c> element (one outcome per case).
/// </summary>
public static class JUnitTotals
{
    public static (int Tests, int Failures, int Errors, int Skipped) AssertConsistent(string xml)
    {
        var doc = XDocument.Parse(xml);
        var root = doc.Root!;
        var suites = root.Name.LocalName == "testsuites" ? root.Elements("testsuite").ToList() : new List<XElement> { root };
        foreach (var scope in suites.Append(root).Distinct())
        {
            var cases = scope.Descendants("testcase").ToList();
            foreach (var c in cases)
                Assert.True(c.Elements().Count(e => e.Name.LocalName is "failure" or "error" or "skipped") <= 1, $"test case '{c.Attribute("name")?.Value}' has more than one outcome");
            var where = scope == root ? "root" : $"suite '{scope.Attribute("name")?.Value}'";
            Assert.True(cases.Count == Count(scope, "tests"), $"{where}: tests={Count(scope, "tests")} but {cases.Count} test cases");
            Assert.True(cases.Count(c => c.Element("failure") != null) == Count(scope, "failures"), $"{where}: failures attribute");
            Assert.True(cases.Count(c => c.Element("error") != null) == Count(scope, "errors"), $"{where}: errors attribute");
            Assert.True(cases.Count(c => c.Element("skipped") != null) == Count(scope, "skipped"), $"{where}: skipped attribute");
        }
        return (Count(root, "tests"), Count(root, "failures"), Count(root, "errors"), Count(root, "skipped"));
    }

    static int Count(XElement e, string attribute) =>
        int.Parse(e.Attribute(attribute)?.Value ?? throw new Xunit.Sdk.XunitException($"<{e.Name.LocalName}> has no '{attribute}' attribute"),
            System.Globalization.CultureInfo.InvariantCulture);
}
