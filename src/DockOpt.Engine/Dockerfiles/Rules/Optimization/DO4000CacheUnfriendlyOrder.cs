using System.Text.RegularExpressions;

namespace DockOpt.Engine.Dockerfiles.Rules.Optimization;

/// <summary>The whole build context is copied before the dependency install: every source change reinstalls dependencies.</summary>
public sealed class DO4000CacheUnfriendlyOrder : Rule
{
    public override RuleInfo Info { get; } = new("DO4000", "CacheUnfriendlyOrder", Severity.Medium, "The whole build context is copied before the dependency install: every source change reinstalls dependencies.");

    /// <summary>Dependency installs, one alternative per tool, and the manifest to copy before each.</summary>
    static readonly (string Pattern, string? Manifest)[] Installs =
    {
        (@"npm\s+(ci|install|i)\b", "package.json package-lock.json"),
        (@"pnpm\s+(i|install)\b", "package.json package-lock.json"),
        (@"yarn(\s+install)?\s*($|&&|;)", "package.json yarn.lock"),
        (@"pip[0-9.]*\s+install\b", "requirements.txt"),
        (@"python[0-9.]*\s+-m\s+pip\s+install\b", "requirements.txt"),
        (@"poetry\s+install\b", "pyproject.toml poetry.lock"),
        (@"pipenv\s+install\b", "Pipfile Pipfile.lock"),
        (@"bundle\s+install\b", "Gemfile Gemfile.lock"),
        (@"composer\s+install\b", "composer.json composer.lock"),
        (@"go\s+mod\s+download\b", "go.mod go.sum"),
        (@"mvn\b[^&;]*dependency:", "pom.xml"),
        (@"dotnet\s+restore\b", "*.csproj"),
        (@"cargo\s+fetch\b", "Cargo.toml Cargo.lock"),
        (@"apt-get\s+[^&;]*install\b", null),
        (@"apk\s+add\b", null),
        (@"gradle\b[^&;]*dependencies", "build.gradle settings.gradle"),
    };

    static readonly Regex[] InstallPatterns = Installs.Select(i => new Regex(@"\b" + i.Pattern, RegexOptions.Compiled)).ToArray();

    public override void Check(LintContext ctx)
    {
        foreach (var section in ctx.Sections)
        {
            Instruction? wholeCopy = null;
            foreach (var ins in section)
            {
                if (ins.Keyword is "COPY" or "ADD" && !ins.HasFlag("from") && wholeCopy == null)
                {
                    if (CopyArguments.Of(ctx, ins).Sources.Any(s => s.Value is "." or "./" or "*" or "./*" or "/")) wholeCopy = ins;
                }
                else if (ins.Keyword == "RUN" && wholeCopy != null && FirstInstall(ins) is var (what, manifest))
                {
                    Report(ctx, $"'{wholeCopy.KeywordText} {wholeCopy.Arguments.Text}' (line {wholeCopy.Range.Start.Line}) copies the whole context before '{what}' (line {ins.Range.Start.Line}): any source change re-runs the install.",
                        wholeCopy.Range, wholeCopy, manifest == null ? "Install system packages before copying the sources." : $"COPY {manifest} ./ first, RUN the install, then COPY . .");
                    wholeCopy = null; // one finding per copy
                }
            }
        }
    }

    /// <summary>The earliest dependency install in the RUN (its text and manifest), or null.</summary>
    static (string What, string? Manifest)? FirstInstall(Instruction run)
    {
        var text = run.ExecForm != null ? string.Join(" ", run.ExecForm) : run.Arguments.Text + "\n" + (run.HeredocCount == 0 ? "" : string.Join("\n", run.Heredocs.Select(h => h.Body.Text)));
        var best = InstallPatterns.Select((re, i) => (Match: re.Match(text), i)).Where(m => m.Match.Success).OrderBy(m => m.Match.Index).FirstOrDefault();
        if (best.Match == null) return null;
        return (best.Match.Value.Trim().TrimEnd('&', ';').Trim(), Installs[best.i].Manifest);
    }
}
