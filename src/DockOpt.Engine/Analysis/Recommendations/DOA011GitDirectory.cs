namespace DockOpt.Engine.Analysis.Recommendations;

/// <summary>DOA011: .git directories shipped in the image.</summary>
public sealed class DOA011GitDirectory : PathRecommendation
{
    public override RecommendationInfo Info { get; } = new("DOA011", "git-directory", Severity.Medium, ".git directories shipped", "5");

    protected override int Deduction => 5;
    protected override long Threshold => 1;
    protected override string Fix => "Add '.git' to .dockerignore, or copy only the files the service needs.";

    protected override bool Matches(string p) => p.Contains("/.git/", StringComparison.Ordinal) || p.StartsWith(".git/", StringComparison.Ordinal);
}
