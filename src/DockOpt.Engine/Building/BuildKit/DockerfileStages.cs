using System.Text.RegularExpressions;

namespace DockOpt.Engine.Building.BuildKit;

/// <summary>
/// Maps BuildKit's step vertex names (<c>[stage i/n] INSTRUCTION</c>) back to Dockerfile lines. The 20.10 frontend
/// numbers the steps of each stage: a FROM of an image (not scratch, not another stage), then every RUN, COPY, ADD
/// and WORKDIR. An unnamed stage is called <c>stage-N</c>; a single-stage Dockerfile shows no stage name.
/// </summary>
public sealed class DockerfileStages
{
    static readonly Regex FromLine = new(@"^\s*FROM\s+(?:--\S+\s+)*(?<image>\S+)(?:\s+AS\s+(?<name>\S+))?", RegexOptions.IgnoreCase | RegexOptions.Compiled);
    static readonly Regex Heredoc = new(@"<<-?\s*([""']?)[A-Za-z_][A-Za-z0-9_]*\1", RegexOptions.Compiled);
    static readonly Regex SyntaxDirective = new(@"^#\s*syntax\s*=\s*(?<image>\S+)", RegexOptions.IgnoreCase | RegexOptions.Compiled);

    public sealed record Stage(int Index, string Name, string? AsName, IReadOnlyList<DockerfileSteps.Instruction> Counted);

    public IReadOnlyList<Stage> Stages { get; }

    /// <summary>The <c># syntax=</c> image and its line, when the Dockerfile names an external frontend.</summary>
    public (string Image, int Line)? Syntax { get; }

    /// <summary>First line that uses a heredoc (<c>RUN &lt;&lt;EOF</c>, <c>COPY &lt;&lt;EOF</c>), if any.</summary>
    public (int Line, string Keyword)? FirstHeredoc { get; }

    DockerfileStages(List<Stage> stages, (string, int)? syntax, (int, string)? heredoc)
    {
        Stages = stages;
        Syntax = syntax;
        FirstHeredoc = heredoc;
    }

    public static DockerfileStages Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        (string, int)? syntax = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var t = lines[i].Trim();
            if (!t.StartsWith('#')) break;
            var m = SyntaxDirective.Match(t);
            if (m.Success)
            {
                syntax = (m.Groups["image"].Value, i + 1);
                break;
            }
        }
        var instructions = DockerfileSteps.Parse(text);
        var stages = new List<Stage>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        List<DockerfileSteps.Instruction>? counted = null;
        string? asName = null;
        (int, string)? heredoc = null;
        foreach (var ins in instructions)
        {
            if (ins.Keyword == "FROM")
            {
                if (counted != null) stages.Add(new Stage(stages.Count, asName ?? $"stage-{stages.Count}", asName, counted));
                counted = new List<DockerfileSteps.Instruction>();
                var m = FromLine.Match(lines[ins.Line - 1]);
                var image = m.Success ? m.Groups["image"].Value : "";
                asName = m.Success && m.Groups["name"].Success ? m.Groups["name"].Value : null;
                if (!image.Equals("scratch", StringComparison.OrdinalIgnoreCase) && !names.Contains(image)) counted.Add(ins);
                if (asName != null) names.Add(asName);
                continue;
            }
            if (ins.Keyword is "RUN" or "COPY" or "ADD" && heredoc == null && Heredoc.IsMatch(lines[ins.Line - 1]))
                heredoc = (ins.Line, ins.Keyword);
            if (counted != null && ins.Keyword is "RUN" or "COPY" or "ADD" or "WORKDIR") counted.Add(ins);
        }
        if (counted != null) stages.Add(new Stage(stages.Count, asName ?? $"stage-{stages.Count}", asName, counted));
        return new DockerfileStages(stages, syntax, heredoc);
    }

    static readonly Regex StepName = new(@"^\[(?<head>[^\]]*?)(?<i>\d+)/(?<n>\d+)\]\s+(?<instr>.*)$", RegexOptions.Compiled | RegexOptions.Singleline);

    /// <summary>Parses a step vertex name; null for internal vertexes (<c>[internal] …</c>, exporting, cache).</summary>
    public static (string? Stage, int Index, int Total, string Instruction)? ParseStepName(string name)
    {
        var m = StepName.Match(name);
        if (!m.Success) return null;
        var head = m.Groups["head"].Value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // head: [platform] [stage]
        string? stage = head.Length switch
        {
            0 => null,
            1 => head[0].Contains('/') ? null : head[0],
            _ => head[^1],
        };
        return (stage, int.Parse(m.Groups["i"].Value, System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(m.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups["instr"].Value);
    }

    /// <summary>The Dockerfile line of step <paramref name="index"/> (1-based) of <paramref name="stage"/> (null: the only stage).</summary>
    public int? LineOf(string? stage, int index)
    {
        Stage? s = stage == null
            ? (Stages.Count >= 1 ? Stages[^1] : null)
            : Stages.FirstOrDefault(x => string.Equals(x.Name, stage, StringComparison.OrdinalIgnoreCase));
        if (s == null || index < 1 || index > s.Counted.Count) return null;
        return s.Counted[index - 1].Line;
    }

    /// <summary>The stage name for a step (the only stage's name when the vertex carried none).</summary>
    public string? StageName(string? stage) => stage ?? (Stages.Count >= 1 ? Stages[^1].Name : null);
}
