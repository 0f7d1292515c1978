namespace DockOpt.Engine.Dockerfiles.Rules.Optimization;

/// <summary>COPY/ADD of a path that .dockerignore excludes: the build fails or copies nothing (build check CopyIgnoredFile).</summary>
public sealed class DO4010CopyIgnoredFile : Rule
{
    public override RuleInfo Info { get; } = new("DO4010", "CopyIgnoredFile", Severity.Medium, "COPY/ADD of a path that .dockerignore excludes: the build fails or copies nothing.", "", "CopyIgnoredFile");

    public override void Check(LintContext ctx)
    {
        if (BuildContextIgnore.For(ctx) is not { Exists: true } ignore) return;
        foreach (var ins in BuildContextIgnore.ContextCopies(ctx))
            foreach (var (value, word) in CopyArguments.Of(ctx, ins).Sources)
            {
                var rel = value.Replace('\\', '/').TrimStart('.').TrimStart('/').TrimEnd('/');
                if (rel.Length == 0 || Sources.IsUrl(value) || Sources.IsGit(value) || rel.Contains('$') || rel.Contains('*') || !ignore.Excludes(rel)) continue;
                Report(ctx, $"'{value}' is excluded by {ignore.FileName}: it is not in the build context.",
                    ins.ExecForm == null ? ins.Arguments.RangeOf(word.Start, word.End) : ins.Arguments.RangeOf(0, ins.Arguments.Length), ins,
                    $"Remove the pattern from {ignore.FileName} or add an exception '!{rel}'.");
            }
    }
}
