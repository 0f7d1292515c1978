using System.Diagnostics;
using System.Text;
using DockOpt.Engine.Dockerfiles;
using DockOpt.Engine.Dockerfiles.Rules;
using Xunit.Abstractions;

namespace DockOpt.Engine.Tests.Dockerfiles;

/// <summary>Linting time grows linearly with the number of instructions (issue 18 item 6).</summary>
public class LintScalingTests(ITestOutputHelper output)
{
    /// <summary>A Dockerfile of about <paramref name="bytes"/> bytes: one FROM and then RUN lines, as the probe used.</summary>
    internal static string Generate(int bytes)
    {
        var sb = new StringBuilder("FROM alpine:3.19\n", bytes + 64);
        for (var n = 0; sb.Length < bytes; n++) sb.Append("RUN echo line").Append(n).Append(" && true\n");
        return sb.ToString();
    }

    static double Seconds(string text)
    {
        var best = double.MaxValue;
        for (var k = 0; k < 2; k++)
        {
            var sw = Stopwatch.StartNew();
            var r = DockerfileLinter.Lint(text, "Dockerfile", new LintOptions());
            sw.Stop();
            Assert.NotEmpty(r.Findings);
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return best;
    }

    [Fact]
    public void FourTimesTheInstructionsTakeLessThanSixTimesTheTime()
    {
        DockerfileLinter.Lint(Generate(16 * 1024), null, new LintOptions()); // warm up JIT and regex caches
        var one = Seconds(Generate(1024 * 1024));
        var four = Seconds(Generate(4 * 1024 * 1024));
        output.WriteLine($"1 MiB {one:F3} s, 4 MiB {four:F3} s, ratio {four / one:F2}");
        // A ratio, not an absolute time: the machine may be slow, but quadratic work makes this 16x (it was 9x+ before).
        Assert.True(four / one < 6, $"lint time grew {four / one:F1}x for 4x the instructions (1 MiB {one:F2} s, 4 MiB {four:F2} s): quadratic somewhere");
    }

    [Fact(Skip = "profiling aid: run by hand to see which rule is slow")]
    public void PerRuleTimes()
    {
        var text = Generate(1024 * 1024);
        var sw = Stopwatch.StartNew();
        var doc = DockerfileParser.Parse(text);
        output.WriteLine($"parse {sw.Elapsed.TotalSeconds:F3}"); sw.Restart();
        var model = new DockerfileModel(doc, new Dictionary<string, string>(), null);
        output.WriteLine($"model {sw.Elapsed.TotalSeconds:F3}");
        var ctx = new LintContext(doc, model, new LintOptions(), "Dockerfile");
        foreach (var rule in RuleCatalog.Rules)
        {
            sw.Restart();
            rule.Check(ctx);
            if (sw.Elapsed.TotalSeconds > 0.05) output.WriteLine($"{rule.Info.Id} {sw.Elapsed.TotalSeconds:F3}");
        }
        sw.Restart();
        DockerfileLinter.Lint(doc, text, "Dockerfile", new LintOptions());
        output.WriteLine($"whole lint {sw.Elapsed.TotalSeconds:F3}");
    }
}
