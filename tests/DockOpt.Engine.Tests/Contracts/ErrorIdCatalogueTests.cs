using System.Reflection;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.Tests.Contracts;

/// <summary>
/// The ErrorId catalogue (src/DockOpt.Contracts/ErrorIds) is the one source of ids: every constant is described, every
/// throw site uses a constant, every constant is thrown somewhere, and about_DockOpt_ErrorIds lists exactly the catalogue.
/// </summary>
public class ErrorIdCatalogueTests
{
    static readonly string Root = FindRoot();

    static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "build.ps1")) && Directory.Exists(Path.Combine(d.FullName, "src")))
                return d.FullName;
        throw new InvalidOperationException("No repository root (build.ps1 + src/) above " + AppContext.BaseDirectory);
    }

    static string CatalogueDir => Path.Combine(Root, "src", "DockOpt.Contracts", "ErrorIds");

    static IEnumerable<FieldInfo> Constants => typeof(ErrorIds)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string));

    /// <summary>Source files outside bin/obj and outside the catalogue, with their text.</summary>
    static IEnumerable<(string Path, string Text)> Sources() =>
        Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                        && !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")
                        && !p.StartsWith(CatalogueDir, StringComparison.Ordinal))
            .Select(p => (Path.GetRelativePath(Root, p), File.ReadAllText(p)));

    [Fact]
    public void EveryConstantHasTheAttributeACategoryAndAHint()
    {
        var constants = Constants.ToList();
        Assert.True(constants.Count >= 100, $"only {constants.Count} ids catalogued");
        foreach (var f in constants)
        {
            var attr = f.GetCustomAttribute<ErrorIdAttribute>();
            Assert.True(attr != null, $"ErrorIds.{f.Name} has no [ErrorId(category, hint)]");
            Assert.Equal(f.Name, (string)f.GetRawConstantValue()!);
            Assert.False(string.IsNullOrWhiteSpace(attr!.Hint), $"ErrorIds.{f.Name} has an empty hint");
            Assert.DoesNotContain('\n', attr.Hint);
            Assert.True(Enum.IsDefined(attr.Category), $"ErrorIds.{f.Name}: category {attr.Category}");
        }
        Assert.Equal(constants.Count, ErrorIds.All.Count);
    }

    [Fact]
    public void TerminatingIdsComeFromTheCatalogue()
    {
        foreach (var id in new[] { ErrorIds.EngineUnreachable, ErrorIds.InvalidEngineEndpoint, ErrorIds.DockerContextNotFound,
                     ErrorIds.DockerContextInvalid, ErrorIds.DockerConfigInvalid })
            Assert.True(ErrorIds.IsTerminating(id), id);
        Assert.False(ErrorIds.IsTerminating(ErrorIds.ImageNotFound));
        Assert.False(ErrorIds.IsTerminating("NoSuchId"));
        Assert.False(ErrorIds.IsTerminating(null));
    }

    // A literal id: a PascalCase string with at least two words, where an ErrorId goes.
    const string Lit = "\"[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+\"";
    static readonly Regex[] LiteralSites =
    {
        new(@"new\s+DockOptException\(\s*" + Lit),
        new(@"new\s+ErrorRecord\([^;]*?,\s*" + Lit + @"\s*,\s*ErrorCategory\."),
        new(@"\b(?:SendCheckedAsync|FromStatus|FromApi|PostJsonAsync|GetJsonAsync)\((?:[^;()]|\([^;()]*\))*?[(,]\s*" + Lit + @"\s*[,)]"),
        new(@"ErrorId\s*(?:is|==|!=)\s*" + Lit),
        new(@"ErrorId\s*is\s*(?:ErrorIds\.\w+|" + Lit + @")(?:\s*or\s*(?:ErrorIds\.\w+|" + Lit + @"))*\s*or\s*" + Lit),
        new(@"\b(?:notFoundErrorId|notFoundId|errorId)\s*=\s*" + Lit),
        new(@"(?<![\w.])(?:new|base)\(\s*" + Lit + @"\s*,\s*DockOptErrorCategory\."),
        new(@"\bstring\s+\w*MapId\w*\s*\([^)]*\)\s*=>\s*\w+\s+switch\s*\{[^}]*=>\s*" + Lit),
    };

    [Fact]
    public void NoThrowSiteUsesAStringLiteralId()
    {
        var found = new List<string>();
        foreach (var (path, text) in Sources())
            foreach (var rx in LiteralSites)
                foreach (Match m in rx.Matches(text))
                    found.Add($"{path}:{text[..m.Index].Count(c => c == '\n') + 1}: {m.Value.Split('\n')[0]}");
        Assert.True(found.Count == 0,
            "ErrorId literals at throw sites (run: python3 build/tools/errorids.py sweep):\n" + string.Join("\n", found));
    }

    [Fact]
    public void TheLiteralScanFindsALiteralId()
    {
        // The scan above must catch the forms the sweep replaces; otherwise it would pass on anything.
        var samples = new[]
        {
            "throw new DockOptException(\"ImageNotFound\", DockOptErrorCategory.ObjectNotFound, m);",
            "await e.SendCheckedAsync(HttpMethod.Get, $\"/images/{id}/json\", null, ct, \"ImageNotFound\", id);",
            "WriteError(new ErrorRecord(new PSArgumentException(m), \"HistoryPathMissing\", ErrorCategory.InvalidArgument, null));",
            "catch (DockOptException e) when (e.ErrorId is ErrorIds.TagImmutable or \"PushFailed\")",
            "string notFoundId = \"ContainerNotFound\")",
            "static DockOptException NotFound(string n) => new(\"ImageNotFound\", DockOptErrorCategory.ObjectNotFound, n);",
            ": base(\"BuildStepFailed\", DockOptErrorCategory.InvalidResult, message, target, recommendedAction)",
            "static string MapId(string type) => type switch\n{\n  \"AccessDeniedException\" => \"EcrAccessDenied\",\n  _ => ErrorIds.EcrApiError,\n};",
        };
        foreach (var s in samples)
            Assert.True(LiteralSites.Any(rx => rx.IsMatch(s)), s);
    }

    [Fact]
    public void EveryCataloguedIdIsRaisedSomewhere()
    {
        var all = string.Join("\n", Sources().Select(s => s.Text));
        var dead = Constants.Select(f => f.Name)
            .Where(id => !Regex.IsMatch(all, @"\bErrorIds\." + id + @"\b"))
            .ToList();
        Assert.True(dead.Count == 0, "catalogued ids nothing in src/ uses: " + string.Join(", ", dead));
    }

    [Fact]
    public void TheAboutPageListsExactlyTheCatalogue()
    {
        var page = Path.Combine(Root, "docs", "about_DockOpt_ErrorIds.md");
        Assert.True(File.Exists(page), page);
        var entries = Regex.Matches(File.ReadAllText(page), @"^- \*\*(\w+)\*\* \((\w+)(, terminating)?\): (.+)$", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value, m => m);
        var stale = "docs/about_DockOpt_ErrorIds.md is stale: run python3 build/tools/errorids.py docs";
        Assert.True(entries.Keys.OrderBy(k => k, StringComparer.Ordinal)
                .SequenceEqual(ErrorIds.All.Keys.OrderBy(k => k, StringComparer.Ordinal)), stale);
        foreach (var (id, attr) in ErrorIds.All)
        {
            var m = entries[id];
            Assert.True(m.Groups[2].Value == attr.Category.ToString(), $"{id}: category. {stale}");
            Assert.True(m.Groups[3].Success == attr.Terminating, $"{id}: terminating. {stale}");
            Assert.True(m.Groups[4].Value.TrimEnd('\r') == attr.Hint, $"{id}: hint. {stale}");
        }
    }
}
