using System.Text.RegularExpressions;

namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>One word of EXPOSE after substitution: <c>port[-port][/protocol]</c>.</summary>
internal sealed record ExposedPort(string Value, SourceRange Range, Match Match)
{
    /// <summary>port, optional -end port, optional /protocol.</summary>
    static readonly Regex PortPattern = new(@"^(?<port>\d+)(?:-(?<end>\d+))?(?:/(?<proto>[A-Za-z]+))?$", RegexOptions.Compiled);

    /// <summary>The words of every EXPOSE whose value is known at lint time.</summary>
    public static IEnumerable<(Instruction Ins, ExposedPort Port)> All(LintContext ctx)
    {
        foreach (var ins in ctx.Document.Instructions.Where(i => i.Keyword == "EXPOSE"))
            foreach (var w in DockerfileParser.Words(ins.Arguments.Text))
            {
                var r = ctx.Model.Expand(ins, w.Raw);
                if (r.Resolved) yield return (ins, new ExposedPort(r.Value, ins.Arguments.RangeOf(w.Start, w.End), PortPattern.Match(r.Value)));
            }
    }

    public bool MapsHost => Value.Contains(':');
    public string? Protocol => Match.Groups["proto"].Success ? Match.Groups["proto"].Value : null;

    public bool IsValid => !MapsHost && Match.Success && InRange("port") && InRange("end")
        && (Protocol == null || Protocol.ToLowerInvariant() is "tcp" or "udp" or "sctp");

    bool InRange(string group) => !Match.Groups[group].Success || (int.TryParse(Match.Groups[group].Value, out var p) && p <= 65535);
}
