using System.Text.RegularExpressions;

namespace DockOpt.Engine.Tests.Contracts;

/// <summary>
/// Every test class that sets an environment variable or redirects the console belongs to the
/// <see cref="ProcessStateCollection"/>, so no parallel class sees the change (a CI run once failed one test that way).
/// </summary>
public class ProcessStateGuardTests
{
    static readonly string TestsRoot = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", ".."));

    static readonly Regex TopLevelClass = new(@"^(?:public |internal )?(?:sealed |static |abstract )*(?:partial )?class (\w+)(?=\s*[:<{]|\s*$|\s+where\b)", RegexOptions.Compiled);
    static readonly Regex Mutation = new(@"Environment\.SetEnvironmentVariable\(|Console\.Set(?:Out|Error|In)\(", RegexOptions.Compiled);

    /// <summary>Top-level classes (declared at column 0 under a file-scoped namespace) that mutate process state without the collection.</summary>
    internal static IEnumerable<string> Offenders(string[] lines)
    {
        string? current = null;
        var tagged = false;
        var reported = new HashSet<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var m = TopLevelClass.Match(lines[i]);
            if (m.Success)
            {
                current = m.Groups[1].Value;
                tagged = false;
                for (var j = i - 1; j >= 0 && (lines[j].StartsWith('[') || lines[j].StartsWith("///")); j--)
                    if (lines[j].Contains("[Collection(ProcessStateCollection.Name)]") || lines[j].Contains("[Collection(\"ProcessState\")]")) tagged = true;
                continue;
            }
            if (current != null && !tagged && Mutation.IsMatch(lines[i]) && reported.Add(current)) yield return current;
        }
    }

    [Fact]
    public void The_guard_finds_an_untagged_class_and_passes_a_tagged_one()
    {
        var text = new[]
        {
            "public class Loose", "{", "    void T() => Environment." + "SetEnvironmentVariable(\"X\", \"1\");", "}",
            "[Collection(ProcessStateCollection.Name)]", "public sealed class Tagged", "{", "    void T() => Console." + "SetOut(TextWriter.Null);", "}",
        };
        Assert.Equal(new[] { "Loose" }, Offenders(text).ToArray());
    }

    [Fact]
    public void Every_class_that_changes_process_state_runs_alone()
    {
        var files = Directory.EnumerateFiles(TestsRoot, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .ToList();
        Assert.True(files.Count > 50, $"found only {files.Count} test sources under {TestsRoot}");
        var offenders = files.SelectMany(f => Offenders(File.ReadAllLines(f)).Select(c => $"{Path.GetRelativePath(TestsRoot, f)}: {c}")).ToList();
        Assert.Empty(offenders);
    }
}
