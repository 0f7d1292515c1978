using System.Text.RegularExpressions;
using DockOpt.Engine.Dockerfiles.Shell;

namespace DockOpt.Engine.Dockerfiles.Rules.ShellCheck;

/// <summary>
/// A variable the RUN script assigns and never reads (each RUN is its own shell: the value is gone at the next
/// instruction — ENV or ARG keep a value). (ShellCheck SC2034).
/// </summary>
public sealed class DO6020UnusedVariable : ShellCheckRule
{
    public override RuleInfo Info { get; } = new("DO6020", "UnusedVariable", Severity.Medium, "A variable is assigned but never used in the RUN script.", "SC2034");

    protected override bool MayApply(string t) => t.Contains('=') || t.Contains("read", StringComparison.Ordinal) || t.Contains("for", StringComparison.Ordinal);

    /// <summary>Variables the shell or common tools read themselves: assigning them has an effect (ShellCheck does not report them).</summary>
    static readonly HashSet<string> Special = new(StringComparer.Ordinal)
    {
        "PATH", "IFS", "HOME", "PWD", "OLDPWD", "CDPATH", "LANG", "LANGUAGE", "TERM", "SHELL", "USER", "UID", "EUID", "PS1", "PS2",
        "PS3", "PS4", "OPTIND", "OPTARG", "OPTERR", "REPLY", "RANDOM", "SECONDS", "LINENO", "COLUMNS", "LINES", "HOSTNAME", "TMPDIR",
        "MAIL", "MAILPATH", "ENV", "PPID", "TZ", "POSIXLY_CORRECT", "SHELLOPTS", "BASHOPTS", "BASH_ENV", "GLOBIGNORE", "HISTFILE",
        "HISTSIZE", "HISTFILESIZE", "HISTCONTROL", "PIPESTATUS", "TIMEFORMAT", "FUNCNAME", "BASH_XTRACEFD", "PROMPT_COMMAND", "MAILCHECK",
    };

    static readonly Regex Identifier = new("[A-Za-z_][A-Za-z0-9_]*", RegexOptions.Compiled);
    static readonly Regex DollarName = new(@"\$\{?#?([A-Za-z_][A-Za-z0-9_]*)", RegexOptions.Compiled);

    static bool Reportable(string name) => name.Length > 0 && name[0] != '_' && !Special.Contains(name) && !name.StartsWith("LC_", StringComparison.Ordinal);

    protected override void Check(LintContext ctx, RunShellScript run, ShScript s)
    {
        var assigned = new List<(string Name, ShNode At)>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in s.Nodes)
            switch (n)
            {
                case ShParam p: used.Add(p.Name); break;
                case ShArith a: foreach (Match m in Identifier.Matches(a.Text)) used.Add(m.Value); break;
                case ShArithCommand ac: foreach (Match m in Identifier.Matches(ac.Text)) used.Add(m.Value); break;
                case ShFor f: assigned.Add((f.Variable, f)); break;
                case ShSimpleCommand c:
                    if (c.Words.Count == 0) foreach (var a in c.Assignments) assigned.Add((a.Name, a)); // FOO=1 cmd: exported to cmd, not kept
                    switch (c.Name)
                    {
                        case "export": // exported names are used by whatever runs next
                            foreach (var w in c.Words.Skip(1)) if (w.Literal is { } e) used.Add(e.Split('=')[0]);
                            break;
                        case "local" or "declare" or "typeset" or "readonly":
                            foreach (var w in c.Words.Skip(1))
                                if (w.Literal is { } l && !l.StartsWith('-') && Identifier.Match(l) is { Success: true, Index: 0 } m) assigned.Add((m.Value, w));
                                else if (w.Parts.FirstOrDefault() is ShLiteral lit && Identifier.Match(lit.Text) is { Success: true, Index: 0 } m2 && lit.Text.Length > m2.Length && lit.Text[m2.Length] == '=') assigned.Add((m2.Value, w));
                            break;
                        case "read":
                            for (var k = 1; k < c.Words.Count; k++)
                            {
                                var l = c.Words[k].Literal;
                                if (l is "-p" or "-d" or "-n" or "-N" or "-t" or "-u" or "-i") { k++; continue; } // the option's argument
                                if (l is "-a") continue; // -a NAME: the next word is the (array) variable
                                if (l != null && l.StartsWith('-')) continue;
                                if (l != null && Identifier.Match(l) is { Success: true } m && m.Length == l.Length) assigned.Add((l, c.Words[k]));
                            }
                            break;
                    }
                    break;
            }
        // Heredoc bodies are not parsed: a $name in an unquoted one (<<EOF, not <<'EOF') reads the variable.
        // A Dockerfile heredoc (RUN cat <<EOF … EOF) is part of the script the shell runs: its $name reads the variable too.
        if (s.Text.Contains("<<", StringComparison.Ordinal))
        {
            foreach (Match m in DollarName.Matches(s.Text)) used.Add(m.Groups[1].Value);
            foreach (var h in run.Run.Heredocs)
                if (!h.Quoted) foreach (Match m in DollarName.Matches(h.Body.Text)) used.Add(m.Groups[1].Value);
        }
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, at) in assigned)
            if (Reportable(name) && !used.Contains(name) && reported.Add(name + "@" + at.Start))
                Report(ctx, run, at.Start, at is ShFor ? at.Start + 3 : at.Start + name.Length, name + " appears unused. Verify use (or export if used externally).",
                    "Remove the assignment, or use ENV/ARG for a value later instructions need.");
    }
}
