namespace DockOpt.Engine.Dockerfiles.Rules.Optimization;

/// <summary>No .dockerignore, or one that does not exclude .git / node_modules present in the context.</summary>
public sealed class DO4006DockerignoreMissing : Rule
{
    public override RuleInfo Info { get; } = new("DO4006", "DockerignoreMissing", Severity.Low, "No .dockerignore, or it does not exclude .git / node_modules present in the context.");

    public override void Check(LintContext ctx)
    {
        if (BuildContextIgnore.For(ctx) is not { } ignore) return;
        var first = ignore.FirstCopy;
        if (!ignore.Exists)
        {
            Report(ctx, $"No .dockerignore next to the Dockerfile: the whole directory ({ignore.Folder}) is sent as build context.", first.Range, first,
                "Add a .dockerignore excluding .git, build output and dependencies (node_modules, bin, obj, __pycache__).");
            return;
        }
        foreach (var heavy in new[] { ".git", "node_modules" })
            if (Directory.Exists(Path.Combine(ignore.Folder, heavy)) && !ignore.Excludes(heavy))
                Report(ctx, $"{heavy}/ exists in the context but .dockerignore does not exclude it.", first.Range, first, $"Add '{heavy}' to {ignore.FileName}.");
    }
}
