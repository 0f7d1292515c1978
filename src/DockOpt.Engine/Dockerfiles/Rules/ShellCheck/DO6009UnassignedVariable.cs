using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>A lowercase variable is referenced but never assigned (ENV and ARG count as assigned). (ShellCheck SC2154).</summary>
public sealed class DO6009UnassignedVariable : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6009", "UnassignedVariable", Severity.Medium, "A lowercase variable is referenced but never assigned (ENV and ARG count as assigned).", "SC2154");

    protected override bool MayApply(string t) => t.Contains('$');

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        var assigned = s.AssignedNames;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in s.All<ShParam>())
        {
            if (p.Name.Length == 0 || !ShQueries.IsIdentifierStart(p.Name[0]) || !p.Name.Any(char.IsLower)) continue;
            if (assigned.Contains(p.Name) || run.DockerVariables.Contains(p.Name) || seen.Contains(p.Name)) continue;
            if (p.Braced && p.Body.Length > p.Name.Length && !p.IsLength && p.Body[p.Name.Length..] is var op && (op.StartsWith(":") || op[0] is '-' or '=' or '?' or '+')) continue;
            seen.Add(p.Name);
            Report(ctx, run, p, p.Name + " is referenced but not assigned.", "Assign it, declare it with ENV or ARG, or use ${" + p.Name + ":-default}.");
        }
    }
}
