using System.Runtime.CompilerServices;
using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>
/// An uppercase variable is read but never assigned, and a name one letter away is (ENV, ARG and the proxy arguments
/// count as assigned): probably a typo. (ShellCheck SC2153).
/// </summary>
public sealed class DO6026PossibleMisspelling : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6026", "PossibleMisspelling", Severity.Low, "An uppercase variable is read but not assigned, and a similar name is: possible misspelling.", "SC2153");

    protected override bool MayApply(string t) => t.Contains('$') || t.Contains("((", StringComparison.Ordinal);

    /// <summary>
    /// Variables the shell, the system or common libraries set: never reported (checked one by one with the shellcheck
    /// 0.9.0 binary: an assigned name one letter longer does not make them a misspelling).
    /// </summary>
    internal static readonly HashSet<string> SetElsewhere = new(StringComparer.Ordinal)
    {
        "BASH", "BASHOPTS", "BASHPID", "BASH_ALIASES", "BASH_ARGC", "BASH_ARGV", "BASH_ARGV0", "BASH_CMDS", "BASH_COMMAND", "BASH_COMPAT",
        "BASH_ENV", "BASH_EXECUTION_STRING", "BASH_LINENO", "BASH_LOADABLES_PATH", "BASH_REMATCH", "BASH_SOURCE", "BASH_SUBSHELL",
        "BASH_VERSINFO", "BASH_VERSION", "BASH_XTRACEFD", "CDPATH", "CHILD_MAX", "COLUMNS", "COMPREPLY", "COMP_CWORD", "COMP_KEY",
        "COMP_LINE", "COMP_POINT", "COMP_TYPE", "COMP_WORDBREAKS", "COMP_WORDS", "COPROC", "DIRSTACK", "DISPLAY", "EMACS", "ENV",
        "EPOCHREALTIME", "EPOCHSECONDS", "EUID", "EXECIGNORE", "FCEDIT", "FIGNORE", "FUNCNAME", "FUNCNEST", "GLOBIGNORE", "GROUPS",
        "HISTCMD", "HISTCONTROL", "HISTFILE", "HISTFILESIZE", "HISTIGNORE", "HISTSIZE", "HISTTIMEFORMAT", "HOME", "HOSTFILE", "HOSTNAME",
        "HOSTTYPE", "IFS", "IGNOREEOF", "INPUTRC", "INSIDE_EMACS", "KRB5CCNAME", "LANG", "LANGUAGE", "LC_ALL", "LC_COLLATE", "LC_CTYPE",
        "LC_MESSAGES", "LC_MONETARY", "LC_NUMERIC", "LC_TIME", "LD_LIBRARY_PATH", "LINENO", "LINES", "LOGNAME", "MACHTYPE", "MAIL",
        "MAILCHECK", "MAILPATH", "MAPFILE", "OLDPWD", "OPTARG", "OPTERR", "OPTIND", "OSTYPE", "PATH", "PIPESTATUS", "POSIXLY_CORRECT",
        "PPID", "PROMPT_COMMAND", "PROMPT_DIRTRIM", "PS0", "PS1", "PS2", "PS3", "PS4", "PWD", "RANDOM", "READLINE_ARGUMENT",
        "READLINE_LINE", "READLINE_MARK", "READLINE_POINT", "REPLY", "REST", "SECONDS", "SHELL", "SHELLOPTS", "SHLVL", "SRANDOM", "TERM",
        "TIMEFORMAT", "TMOUT", "TMPDIR", "TZ", "UID", "USER", "XAUTHORITY", "FLAGS_ARGC", "FLAGS_ARGV", "FLAGS_ERROR", "FLAGS_FALSE",
        "FLAGS_HELP", "FLAGS_PARENT", "FLAGS_RESERVED", "FLAGS_TRUE", "FLAGS_VERSION",
    };

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        HashSet<string>? seen = null;
        IReadOnlySet<string>? written = null, docker = null;
        foreach (var r in ShQueries.References(s))
        {
            // ShellCheck judges a name by its first read: a guarded first read (${X:-…}) settles it
            if (!(seen ??= new HashSet<string>(StringComparer.Ordinal)).Add(r.Name) || r.Guarded || r.Name.Any(char.IsLower) || SetElsewhere.Contains(r.Name)) continue;
            if ((written ??= ShQueries.WrittenNames(s)).Contains(r.Name) || (docker ??= ShQueries.DockerVariables(ctx, run)).Contains(r.Name)) continue;
            if (BestMatch(r.Name, Near(written, r.Name).Concat(Near(docker, r.Name))) is not { } match) continue;
            Report(ctx, run, r.Start, r.End, $"Possible misspelling: {r.Name} may not be assigned. Did you mean {match}?",
                $"Write ${match}, or assign {r.Name} (ENV, ARG or in the script) if it is a different variable.");
        }
    }

    /// <summary>
    /// The closest assigned name, if close enough: a name that differs only in case, or one edit away (insert, delete or
    /// replace one character) for names longer than 3 characters, two edits for names longer than 7; the first in
    /// ordinal order wins a tie, as in ShellCheck.
    /// </summary>
    internal static string? BestMatch(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestScore = int.MaxValue;
        foreach (var c in candidates)
        {
            if (c == name || Math.Abs(c.Length - name.Length) > 2 || !ShQueries.IsVariableName(c)) continue;
            var score = string.Equals(c, name, StringComparison.OrdinalIgnoreCase) ? 1 : Distance(name, c, 2);
            if (score < bestScore || (score == bestScore && string.CompareOrdinal(c, best) < 0)) { best = c; bestScore = score; }
        }
        return best != null && ((best.Length > 3 && bestScore <= 1) || (best.Length > 7 && bestScore <= 2)) ? best : null;
    }

    /// <summary>
    /// The names that may be within two edits of <paramref name="name"/>: all of a small set (comparing is cheaper than
    /// indexing), else those an index of the set finds (built once per set: the names of a stage are one set shared by its RUNs).
    /// </summary>
    static IEnumerable<string> Near(IReadOnlySet<string> names, string name) =>
        names.Count <= 64 ? names : Indexes.GetValue(names, n => new NameIndex(n)).Near(name);

    static readonly ConditionalWeakTable<IReadOnlySet<string>, NameIndex> Indexes = new();

    /// <summary>
    /// Names by the strings left after deleting up to two of their characters (and by their lowercase form): two names
    /// within two edits share one of those, so the names near a typo are found without comparing it with every name.
    /// </summary>
    sealed class NameIndex
    {
        readonly Dictionary<string, List<string>> _byDeletion = new(StringComparer.Ordinal);
        readonly Dictionary<string, List<string>> _byLower = new(StringComparer.Ordinal);

        public NameIndex(IEnumerable<string> names)
        {
            foreach (var n in names)
            {
                if (!ShQueries.IsVariableName(n)) continue;
                foreach (var k in Deletions(n)) Add(_byDeletion, k, n);
                Add(_byLower, n.ToLowerInvariant(), n);
            }
        }

        public IEnumerable<string> Near(string name)
        {
            foreach (var k in Deletions(name))
                if (_byDeletion.TryGetValue(k, out var l)) foreach (var c in l) yield return c;
            if (_byLower.TryGetValue(name.ToLowerInvariant(), out var m)) foreach (var c in m) yield return c;
        }

        static void Add(Dictionary<string, List<string>> d, string key, string name)
        {
            if (!d.TryGetValue(key, out var l)) d[key] = l = new List<string>(1);
            l.Add(name);
        }

        static HashSet<string> Deletions(string s)
        {
            var set = new HashSet<string>(StringComparer.Ordinal) { s };
            for (var i = 0; i < s.Length; i++)
            {
                var one = s.Remove(i, 1);
                if (!set.Add(one)) continue;
                for (var j = i; j < one.Length; j++) set.Add(one.Remove(j, 1));
            }
            return set;
        }
    }

    /// <summary>Levenshtein distance, capped at <paramref name="cap"/> + 1.</summary>
    static int Distance(string a, string b, int cap)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            var rowMin = cur[0];
            for (var j = 1; j <= b.Length; j++)
            {
                cur[j] = Math.Min(Math.Min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                rowMin = Math.Min(rowMin, cur[j]);
            }
            if (rowMin > cap) return cap + 1;
            (prev, cur) = (cur, prev);
        }
        return Math.Min(prev[b.Length], cap + 1);
    }
}
