using System.Text.RegularExpressions;

namespace DockOpt.Engine.Dockerfiles.Rules.Shell;

/// <summary>How package-manager command lines are read: pip invocations and the package words after a subcommand.</summary>
internal static class PackageCommands
{
    static readonly Regex PipProgram = new(@"^pip[0-9.]*$", RegexOptions.Compiled);
    static readonly Regex PythonProgram = new(@"^python[0-9.]*$", RegexOptions.Compiled);

    /// <summary>Is this <c>pip install</c> or <c>python -m pip install</c>? <paramref name="installIndex"/> is the word index of install.</summary>
    public static bool IsPipInstall(ShellCommand c, out int installIndex)
    {
        installIndex = -1;
        var w = c.Words;
        var pi = c.ProgramIndex;
        if (PipProgram.IsMatch(c.Program)) { installIndex = IndexOf(c, "install", pi + 1); return installIndex > 0; }
        if (PythonProgram.IsMatch(c.Program) && pi + 2 < w.Count && w[pi + 1].Value == "-m" && w[pi + 2].Value is "pip")
        { installIndex = IndexOf(c, "install", pi + 3); return installIndex > 0; }
        return false;
    }

    static int IndexOf(ShellCommand c, string value, int from)
    {
        for (var i = from; i < c.Words.Count; i++) if (c.Words[i].Value == value) return i;
        return -1;
    }

    /// <summary>Non-option words after a subcommand (options that take a value, such as -t, are skipped with it).</summary>
    public static IEnumerable<Word> Packages(ShellCommand c, Word sub)
    {
        var started = false;
        var skip = false;
        foreach (var w in c.Words)
        {
            if (!started) { if (w.Start == sub.Start) started = true; continue; }
            if (skip) { skip = false; continue; }
            if (w.Value is "-t" or "--target-release" or "-o" or "--option" or "--virtual" or "-X" or "--repository" or "-v" or "--version" or "--registry") { skip = true; continue; }
            if (w.Value.StartsWith('-') || w.Value.Length == 0 || w.Value.StartsWith('<') || w.Value.StartsWith('>')) continue;
            yield return w;
        }
    }
}
