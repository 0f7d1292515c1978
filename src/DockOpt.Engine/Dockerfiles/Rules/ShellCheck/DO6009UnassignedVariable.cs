using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>A lowercase variable is referenced but never assigned (ENV and ARG count as assigned). (ShellCheck SC2154).</summary>
public sealed class DO6009UnassignedVariable : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6009", "UnassignedVariable", Severity.Medium, "A lowercase variable is referenced but never assigned (ENV and ARG count as assigned).", "SC2154");

    protected override bool MayApply(string t) => t.Contains('$') || t.Contains("((", StringComparison.Ordinal);

    /// <summary>Lowercase names bash or common shell libraries set themselves.</summary>
    static readonly HashSet<string> SetElsewhere = new(StringComparer.Ordinal) { "rest", "histchars", "auto_resume", "flags_error", "flags_return" };

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        IReadOnlySet<string>? written = null, docker = null;
        foreach (var r in ShQueries.References(s))
        {
            // ShellCheck judges a name by its first read: a guarded first read (${x:-…}) settles it
            if (!r.Name.Any(char.IsLower) || !seen.Add(r.Name) || r.Guarded || SetElsewhere.Contains(r.Name)) continue;
            if ((written ??= ShQueries.WrittenNames(s)).Contains(r.Name) || (docker ??= ShQueries.DockerVariables(ctx, run)).Contains(r.Name)) continue;
            Report(ctx, run, r.Start, r.End, r.Name + " is referenced but not assigned.", "Assign it, declare it with ENV or ARG, or use ${" + r.Name + ":-default}.");
        }
    }
}
