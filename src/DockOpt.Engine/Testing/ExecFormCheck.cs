using System.Text;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.Testing;

/// <summary>
/// Static judgement of whether the image's stop signal reaches the app. Passes when:
/// <list type="bullet">
/// <item>ENTRYPOINT/CMD is exec form (the app, or a script the engine execs, is PID 1);</item>
/// <item>an init is PID 1: tini, dumb-init, docker-init, catatonit, s6's /init, or the container runs with <c>--init</c>;</item>
/// <item>a <c>sh -c</c> script's last command is <c>exec …</c> (the shell replaces itself with the app);</item>
/// <item>a <c>sh -c</c> script traps the stop signal and forwards it with <c>kill</c> (<c>trap 'kill $pid' TERM</c>).</item>
/// </list>
/// A trap that ignores the signal (<c>trap '' TERM</c>) or a script with neither fails. When the graceful-shutdown check ran,
/// its result decides instead (see <see cref="ImageTester"/>).
/// </summary>
public static class ExecFormCheck
{
    public sealed record Verdict(bool Ok, string Actual, string Reason);

    static readonly HashSet<string> Inits = new(StringComparer.Ordinal)
    {
        "tini", "tini-static", "dumb-init", "docker-init", "catatonit", "s6-svscan", "init", "runit", "runsvdir", "pid1",
    };

    public const string ShellFormFix =
        "Shell form runs the app as a child of '/bin/sh -c', which does not pass the stop signal on: 'docker stop' waits the grace period and kills it. " +
        "Use exec form (ENTRYPOINT [\"/app\"]), end the script with 'exec app …', trap the signal and forward it (trap 'kill $pid' TERM; …; wait $pid), or run an init as PID 1 (tini, dumb-init, docker run --init).";

    /// <summary>The init's name when <paramref name="exe"/> is one (by basename: /sbin/tini, /usr/bin/dumb-init, /init).</summary>
    public static string? InitName(string exe)
    {
        var b = exe.Replace('\\', '/');
        b = b.Substring(b.LastIndexOf('/') + 1);
        if (b == "init" && exe != "/init" && exe != "/sbin/init") return null; // a relative 'init' is probably the app
        return Inits.Contains(b) ? b : null;
    }

    public static Verdict Judge(string[] entrypoint, string[] cmd, bool initFlag, string? stopSignal)
    {
        var actual = entrypoint.Length > 0 ? "ENTRYPOINT " + MetadataChecks.Json(entrypoint) + (cmd.Length > 0 ? " CMD " + MetadataChecks.Json(cmd) : "")
            : "CMD " + MetadataChecks.Json(cmd);
        if (entrypoint.Length == 0 && cmd.Length == 0)
            return new(initFlag, initFlag ? "none, --init" : "none", initFlag ? "docker's init is PID 1." : "The image has neither ENTRYPOINT nor CMD.");
        if (initFlag)
            return new(true, actual + ", --init", "docker's init (--init, tini) is PID 1 and forwards the stop signal.");
        var argv = entrypoint.Length > 0 ? (MetadataChecks.IsShellForm(entrypoint) ? entrypoint : entrypoint.Concat(cmd).ToArray()) : cmd;
        if (InitName(argv[0]) is { } init)
            return new(true, actual, $"{init} is PID 1: it forwards the stop signal and reaps zombies.");
        if (!MetadataChecks.IsShellForm(argv))
            return new(true, actual, "");
        var script = argv.Length > 2 ? argv[2] : "";
        var signal = MetadataChecks.NormalizeSignal(stopSignal ?? "SIGTERM");
        var commands = SplitCommands(script);
        var last = commands.Count > 0 ? commands[^1] : "";
        var execRx = new Regex(@"^exec\s+(?![0-9]*[<>&])(\S+)");
        if (execRx.Match(last) is { Success: true } m)
        {
            var target = m.Groups[1].Value;
            return new(true, actual, InitName(target) is { } i2 ? $"The script ends with 'exec {target}': {i2} replaces the shell as PID 1."
                : $"The script ends with 'exec {target}': the app replaces the shell as PID 1 and gets {signal}.");
        }
        foreach (var t in Traps(commands))
        {
            if (!t.Signals.Any(s => MetadataChecks.NormalizeSignal(s) == signal)) continue;
            if (t.Action.Length == 0 || t.Action == "-")
                return new(false, actual, $"The script traps {signal} with '{(t.Action.Length == 0 ? "''" : "-")}': it ignores or resets the signal instead of forwarding it. " + ShellFormFix);
            if (Regex.IsMatch(t.Action, @"(^|[\s;&|(])(kill|exec)\b|\bexit\b"))
                return new(true, actual, $"The script traps {signal} and handles it ('{t.Action}')" +
                    (Regex.IsMatch(script, @"(^|[\s;&|])wait\b") ? " while it waits for the app." : "."));
        }
        return new(false, actual, ShellFormFix);
    }

    sealed record Trap(string Action, List<string> Signals);

    static IEnumerable<Trap> Traps(List<string> commands)
    {
        foreach (var c in commands)
        {
            var words = Words(c);
            if (words.Count < 3 || words[0] != "trap") continue;
            yield return new Trap(words[1], words.Skip(2).Select(w => w.ToUpperInvariant()).ToList());
        }
    }

    /// <summary>Top-level commands of a shell script: split on newlines, ';', '&&', '||', '&' and '|', outside quotes.</summary>
    public static List<string> SplitCommands(string script)
    {
        var r = new List<string>();
        var cur = new StringBuilder();
        char quote = '\0';
        var depth = 0; // $( … ) and { … } are kept whole
        for (var i = 0; i < script.Length; i++)
        {
            var ch = script[i];
            if (quote != '\0')
            {
                cur.Append(ch);
                if (ch == '\\' && quote == '"' && i + 1 < script.Length) cur.Append(script[++i]);
                else if (ch == quote) quote = '\0';
                continue;
            }
            if (ch == '\\' && i + 1 < script.Length) { cur.Append(ch).Append(script[++i]); continue; }
            if (ch is '\'' or '"') { quote = ch; cur.Append(ch); continue; }
            if (ch == '#' && (cur.Length == 0 || char.IsWhiteSpace(cur[^1])))
            {
                while (i + 1 < script.Length && script[i + 1] != '\n') i++;
                continue;
            }
            if (ch is '(' or '{') depth++;
            if (ch is ')' or '}') depth = Math.Max(0, depth - 1);
            if (depth == 0 && ch is '\n' or ';' or '&' or '|')
            {
                // '>&2', '2>&1': a redirection, not a separator
                if (ch == '&' && cur.Length > 0 && cur[^1] is '>' or '<') { cur.Append(ch); continue; }
                Flush();
                continue;
            }
            cur.Append(ch);
        }
        Flush();
        return r;

        void Flush()
        {
            var s = cur.ToString().Trim();
            if (s.Length > 0 && s != "}" && s != "fi" && s != "done") r.Add(s);
            cur.Clear();
        }
    }

    /// <summary>Words of one command with quotes removed.</summary>
    static List<string> Words(string command)
    {
        var words = new List<string>();
        var cur = new StringBuilder();
        var inWord = false;
        char quote = '\0';
        foreach (var ch in command)
        {
            if (quote != '\0')
            {
                if (ch == quote) quote = '\0';
                else cur.Append(ch);
                continue;
            }
            if (ch is '\'' or '"') { quote = ch; inWord = true; continue; }
            if (char.IsWhiteSpace(ch))
            {
                if (inWord) { words.Add(cur.ToString()); cur.Clear(); inWord = false; }
                continue;
            }
            cur.Append(ch);
            inWord = true;
        }
        if (inWord) words.Add(cur.ToString());
        return words;
    }
}
