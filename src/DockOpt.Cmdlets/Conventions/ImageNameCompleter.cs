using System.Collections;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace DockOpt.Cmdlets.Conventions;

/// <summary>
/// Completes local image names (repository:tag) for every -Name that takes images, by asking Get-DockOptImage in the
/// current runspace (so -Engine, when already typed, is honoured). Declared on the parameter with
/// <c>[ArgumentCompleter(typeof(ImageNameCompleter))]</c>; the conventions test requires it on every image -Name.
/// </summary>
public sealed class ImageNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = (wordToComplete ?? "").Trim('\'', '"');
        var pattern = word.Length == 0 ? "*" : WildcardPattern.ContainsWildcardCharacters(word) ? word : word + "*";
        Collection<PSObject> found;
        try
        {
            using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
            ps.AddCommand("Get-DockOptImage").AddParameter("Name", pattern).AddParameter("ErrorAction", ActionPreference.Ignore);
            if (fakeBoundParameters?["Engine"] is { } engine) ps.AddParameter("Engine", engine.ToString());
            found = ps.Invoke();
        }
        catch (Exception e) when (e is RuntimeException or InvalidOperationException)
        {
            return Array.Empty<CompletionResult>();
        }
        var wildcard = new WildcardPattern(pattern, WildcardOptions.IgnoreCase);
        return found
            .Select(o => o.BaseObject as ImageInfo)
            .Where(i => i != null)
            .SelectMany(i => i!.RepoTags)
            .Where(t => wildcard.IsMatch(t))
            .Distinct(StringComparer.Ordinal)
            .OrderBy(t => t, StringComparer.Ordinal)
            .Select(t => new CompletionResult(Quote(t), t, CompletionResultType.ParameterValue, t))
            .ToList();
    }

    static string Quote(string s) => s.IndexOfAny(new[] { ' ', '$', '`', '\'', '"', ';', '(', ')', '{', '}', '@', '#', ',' }) >= 0
        ? "'" + s.Replace("'", "''") + "'"
        : s;
}
