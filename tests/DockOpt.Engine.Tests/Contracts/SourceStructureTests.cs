using System.Text.RegularExpressions;

namespace DockOpt.Engine.Tests.Contracts;

/// <summary>
/// The codebase stays one a maintainer finds their way in: namespaces follow folders, and no method grows past ~80 lines
/// (counted from its signature to its closing brace) — a longer one is split into steps with names.
/// </summary>
public class SourceStructureTests
{
    static readonly string Src = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src"));

    static IEnumerable<string> Sources(string project) =>
        Directory.EnumerateFiles(Path.Combine(Src, project), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));

    [Theory]
    [InlineData("DockOpt.Engine")]
    [InlineData("DockOpt.Cmdlets")]
    public void Namespaces_follow_folders(string project)
    {
        var root = Path.Combine(Src, project);
        var wrong = new List<string>();
        foreach (var f in Sources(project))
        {
            var rel = Path.GetRelativePath(root, Path.GetDirectoryName(f)!);
            var expected = rel == "." ? project : project + "." + rel.Replace(Path.DirectorySeparatorChar, '.');
            var text = File.ReadAllText(f);
            if (!text.Contains("namespace ") && Regex.IsMatch(text, @"^global using ", RegexOptions.Multiline)) continue; // global usings hold no type
            var m = Regex.Match(text, @"^namespace\s+([\w.]+)", RegexOptions.Multiline);
            if (!m.Success || m.Groups[1].Value != expected) wrong.Add($"{Path.GetRelativePath(Src, f)}: {(m.Success ? m.Groups[1].Value : "none")} (expected {expected})");
        }
        Assert.Empty(wrong);
    }

    // Modifiers are optional: a private method needs none. Statements that look like "type name(" at a member's
    // indentation (if, while, a call after 'return' or 'await') are not methods.
    static readonly Regex MethodStart = new(
        @"^(\s{4}|\s{8})(?!(?:if|for|foreach|while|switch|using|lock|catch|return|await|else|new|throw|yield|fixed)\b)(?:(?:public|private|internal|protected|static|async|override|sealed|virtual|unsafe|readonly|extern|new)\s+)*[\w<>\[\],.? ()]+\s+(\w+)\s*\(",
        RegexOptions.Compiled);

    static readonly HashSet<string> NotMethodNames = new(StringComparer.Ordinal) { "if", "for", "foreach", "while", "switch", "using", "lock", "catch", "when", "nameof", "typeof", "sizeof", "default" };

    /// <summary>Methods (and constructors) whose body runs from a line '{' to a line '}' at the signature's indentation.</summary>
    internal static IEnumerable<(string Name, int Lines)> LongMethods(string[] lines, int limit)
    {
        for (var i = 0; i < lines.Length; i++)
        {
            var m = MethodStart.Match(lines[i]);
            if (!m.Success || lines[i].TrimEnd().EndsWith(';') || lines[i].Contains("=>") || NotMethodNames.Contains(m.Groups[2].Value)) continue;
            var indent = m.Groups[1].Value;
            var open = i;
            while (open < lines.Length && open - i <= 6 && lines[open].TrimEnd() != indent + "{")
            {
                if (lines[open].TrimEnd().EndsWith(';') || lines[open].Contains("=>")) { open = -1; break; }
                open++;
            }
            if (open < 0 || open >= lines.Length || lines[open].TrimEnd() != indent + "{") continue;
            var close = open + 1;
            while (close < lines.Length && lines[close].TrimEnd() != indent + "}") close++;
            if (close - i + 1 > limit) yield return (m.Groups[2].Value, close - i + 1);
            i = close;
        }
    }

    [Fact]
    public void The_size_check_finds_a_long_method_and_passes_a_short_one()
    {
        var body = Enumerable.Range(0, 90).Select(n => $"        var x{n} = {n};");
        var text = new[] { "    public void Long()", "    {" }.Concat(body).Concat(new[] { "    }", "    void Short()", "    {", "        return;", "    }" }).ToArray();
        Assert.Equal(new[] { ("Long", 93) }, LongMethods(text, 80).ToArray());
        // Without a modifier (private by default) it counts the same; an if block at member indentation is not a method.
        var bare = new[] { "    ShCommand? Parse(int x)", "    {" }.Concat(body).Concat(new[] { "    }", "    if (x)", "    {" }).Concat(body).Concat(new[] { "    }" }).ToArray();
        Assert.Equal(new[] { ("Parse", 93) }, LongMethods(bare, 80).ToArray());
    }

    [Theory]
    [InlineData("DockOpt.Engine")]
    [InlineData("DockOpt.Cmdlets")]
    public void No_method_is_longer_than_80_lines(string project)
    {
        var longOnes = Sources(project)
            .SelectMany(f => LongMethods(File.ReadAllLines(f), 80).Select(l => $"{Path.GetRelativePath(Src, f)}: {l.Name} ({l.Lines} lines)"))
            .ToList();
        Assert.Empty(longOnes);
    }
}
