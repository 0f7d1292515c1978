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

    /// <summary>
    /// CPU time of this thread in seconds (Linux: /proc/thread-self/schedstat, nanoseconds on a CPU), so a loaded machine,
    /// where wall time grows with every other process, still measures the linter's own work; elsewhere wall time.
    /// </summary>
    static double ThreadCpuSeconds()
    {
        const string schedstat = "/proc/thread-self/schedstat";
        if (!File.Exists(schedstat)) return Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
        return long.Parse(File.ReadAllText(schedstat).Split(' ')[0]) / 1e9;
    }

    /// <summary>The best of three lints of <paramref name="text"/>: CPU seconds and bytes allocated on this thread.</summary>
    static (double Seconds, long Bytes) Cost(string text)
    {
        var best = (Seconds: double.MaxValue, Bytes: long.MaxValue);
        for (var k = 0; k < 3; k++)
        {
            var bytes = GC.GetAllocatedBytesForCurrentThread();
            var cpu = ThreadCpuSeconds();
            var r = DockerfileLinter.Lint(text, "Dockerfile", new LintOptions());
            var seconds = ThreadCpuSeconds() - cpu;
            bytes = GC.GetAllocatedBytesForCurrentThread() - bytes;
            Assert.NotEmpty(r.Findings);
            best = (Math.Min(best.Seconds, seconds), Math.Min(best.Bytes, bytes));
        }
        return best;
    }

    [Fact]
    public void FourTimesTheInstructionsCostLessThanSixTimesTheWork()
    {
        DockerfileLinter.Lint(Generate(16 * 1024), null, new LintOptions()); // warm up JIT and regex caches
        var one = Cost(Generate(1024 * 1024));
        var four = Cost(Generate(4 * 1024 * 1024));
        AssertLinear("1 MiB", one, "4 MiB", four);
    }

    /// <summary>
    /// Ratios, not absolute times (bench/lint.ps1 -Scaling measures those): quadratic work makes them 16x for 4x the input
    /// (time was 9x+ before the RUN fix, 13x before the ENV fix). CPU time of the linting thread, not wall time, so other
    /// processes on a loaded CI machine don't count.
    /// </summary>
    void AssertLinear(string small, (double Seconds, long Bytes) one, string large, (double Seconds, long Bytes) four)
    {
        var time = four.Seconds / one.Seconds;
        var memory = (double)four.Bytes / one.Bytes;
        output.WriteLine($"{small} {one.Seconds:F3} s CPU, {one.Bytes / 1048576.0:F0} MiB allocated; {large} {four.Seconds:F3} s, {four.Bytes / 1048576.0:F0} MiB; ratios {time:F2} and {memory:F2}");
        Assert.True(time < 6, $"lint CPU time grew {time:F1}x from {small} ({one.Seconds:F2} s) to {large} ({four.Seconds:F2} s): quadratic somewhere");
        Assert.True(memory < 6, $"lint allocations grew {memory:F1}x from {small} to {large}: quadratic somewhere");
    }

    /// <summary>A Dockerfile of <paramref name="pairs"/> ENV lines, each followed by a RUN that reads the variable.</summary>
    internal static string GenerateEnvPairs(int pairs)
    {
        var sb = new StringBuilder("FROM alpine:3.19\n", pairs * 32);
        for (var n = 0; n < pairs; n++) sb.Append("ENV V").Append(n).Append('=').Append(n).Append("\nRUN echo $V").Append(n).Append('\n');
        return sb.ToString();
    }

    [Fact]
    public void FourTimesTheEnvLinesCostLessThanSixTimesTheWork()
    {
        // Every ENV changes the scope the next instruction sees: a model that copies every variable at each change is
        // quadratic here (8,000 pairs took 7.4 s against 0.47 s for 2,000) though it is linear on RUN-only files.
        DockerfileLinter.Lint(GenerateEnvPairs(200), null, new LintOptions());
        var one = Cost(GenerateEnvPairs(2000));
        var four = Cost(GenerateEnvPairs(8000));
        AssertLinear("2,000 ENV+RUN pairs", one, "8,000 pairs", four);
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
