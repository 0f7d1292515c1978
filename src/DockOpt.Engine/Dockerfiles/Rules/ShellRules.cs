using System.Text.RegularExpressions;

namespace DockOpt.Engine.Dockerfiles.Rules;

/// <summary>Rules over the shell commands of RUN (shell form, sh -c exec form and shell heredoc bodies).</summary>
internal static class ShellRules
{
    static readonly string[] Pointless = { "ssh", "vim", "shutdown", "service", "ps", "free", "top", "kill", "mount", "ifconfig" };
    static readonly Regex VersionedPip = new(@"(==|>=|<=|~=|!=|===|<|>|@)", RegexOptions.Compiled);

    static bool IsAptGet(ShellCommand c) => c.Program is "apt-get";
    static bool IsPip(ShellCommand c, out int installIndex)
    {
        installIndex = -1;
        var p = c.Program;
        var w = c.Words;
        var pi = c.ProgramIndex;
        if (Regex.IsMatch(p, @"^pip[0-9.]*$")) { installIndex = IndexOf(c, "install", pi + 1); return installIndex > 0; }
        if (Regex.IsMatch(p, @"^python[0-9.]*$") && pi + 2 < w.Count && w[pi + 1].Value == "-m" && w[pi + 2].Value is "pip")
        { installIndex = IndexOf(c, "install", pi + 3); return installIndex > 0; }
        return false;
    }

    static int IndexOf(ShellCommand c, string value, int from)
    {
        for (var i = from; i < c.Words.Count; i++) if (c.Words[i].Value == value) return i;
        return -1;
    }

    static bool HasCacheMount(Instruction run, params string[] targets) =>
        run.FlagsNamed("mount").Any(f => f.Value != null && DockerfileParser.ParseMount(f.Value) is var m
            && (m.TryGetValue("type", out var t) && (t is "cache" or "tmpfs"))
            && targets.Any(x => (m.GetValueOrDefault("target") ?? m.GetValueOrDefault("dst") ?? m.GetValueOrDefault("destination") ?? "").TrimEnd('/').StartsWith(x, StringComparison.Ordinal)));

    static TextEdit? InsertAfter(Instruction run, ShellCommand c, Word w, string text) =>
        run.ExecForm != null ? null : new TextEdit(c.Source.EndOf(w.End).Line, c.Source.EndOf(w.End).Column, 0, text);

    public static void Run(LintContext ctx)
    {
        foreach (var st in ctx.Model.Stages)
        {
            var sawCurl = false;
            var sawWget = false;
            // RUN and ONBUILD RUN (the trigger runs in the child image's build).
            foreach (var run in st.Instructions.Select(i => i.Trigger ?? i).Where(i => i.Keyword == "RUN"))
            {
                if (!ctx.IsPosixShell(run)) continue;
                var cmds = ctx.Commands(run);
                var all = string.Join(" ; ", cmds.Select(c => c.Text));
                var shipped = ctx.IsShipped(run);
                var shell = ctx.ShellFor(run);
                var pipefailSet = shell != null && shell.Any(s => s.Contains("pipefail"));
                var hasAptUpdate = false;
                var hasAptInstall = false;
                ShellCommand? aptUpdate = null;
                for (var ci = 0; ci < cmds.Count; ci++)
                {
                    var c = cmds[ci];
                    var prog = c.Program;
                    var pw = c.ProgramIndex < c.Words.Count ? c.Words[c.ProgramIndex] : default;
                    var progRange = c.ProgramIndex < c.Words.Count ? c.RangeOfWord(pw) : c.Range;

                    if (prog == "set" && c.Args.Any(a => a.Value == "pipefail" || a.Value.Contains("pipefail"))) pipefailSet = true;
                    if (prog == "cd")
                        ctx.Report("DO3000", "Use WORKDIR instead of cd: a cd does not carry to the next instruction.", progRange, run, "WORKDIR " + (c.Args.FirstOrDefault().Value ?? "/path"));
                    for (var k = 0; k < c.ProgramIndex; k++)
                        if (c.Words[k].Value == "sudo")
                            ctx.Report("DO3001", "sudo in a build has unpredictable TTY and signal behaviour.", c.RangeOfWord(c.Words[k]), run, "Run as root during the build, then set USER; use gosu at run time.");
                    if (Pointless.Contains(prog))
                        ctx.Report("DO3009", $"'{prog}' makes no sense in a container build.", progRange, run, "Remove it.");
                    if (prog == "apt")
                        ctx.Report("DO3008", "apt has no stable CLI for scripts.", progRange, run, "Use apt-get (or apt-cache).");

                    // Upgrades.
                    var up = c.Subcommand("upgrade", "dist-upgrade", "full-upgrade", "dup");
                    if (up != null && (prog is "apt-get" or "apt" or "apk" or "zypper" or "aptitude") || (prog is "yum" or "dnf" or "microdnf" && c.Subcommand("upgrade", "update") is Word yu && c.Args.SkipWhile(a => a.Value != yu.Value).Skip(1).All(a => a.Value.StartsWith('-'))))
                    {
                        var w = up ?? c.Subcommand("upgrade", "update")!.Value;
                        ctx.Report("DO3002", $"'{prog} {w.Value}' upgrades every package at build time; the result depends on the day of the build.", c.RangeOfWord(w), run,
                            "Use a newer base image tag instead; install specific packages if needed.", prog == "zypper" && w.Value is "dist-upgrade" or "dup" ? "DL3035" : "");
                    }

                    // apt-get install.
                    if (prog is "apt-get" or "apt")
                    {
                        if (c.Subcommand("update") != null) { hasAptUpdate = true; aptUpdate = c; }
                        var inst = c.Subcommand("install");
                        if (inst is Word iw)
                        {
                            hasAptInstall = true;
                            if (prog == "apt-get" && !c.HasOption('y', "--yes", "--assume-yes") && !c.Args.Any(a => a.Value == "-qq" || a.Value == "-q=2"))
                            {
                                var f = ctx.Report("DO3003", "apt-get install without -y waits for a confirmation a build cannot give.", c.RangeOfWord(iw), run, "apt-get install -y …", "DL3014");
                                if (InsertAfter(run, c, iw, " -y") is TextEdit e) f.Edits.Add(e);
                            }
                            if (!c.HasArg("--no-install-recommends") && !c.Args.Any(a => a.Value.Contains("Install-Recommends=false", StringComparison.OrdinalIgnoreCase) || a.Value.Contains("Install-Recommends=0")))
                            {
                                var f = ctx.Report("DO3004", "apt-get install without --no-install-recommends pulls in recommended packages.", c.RangeOfWord(iw), run, "apt-get install --no-install-recommends …");
                                if (InsertAfter(run, c, iw, " --no-install-recommends") is TextEdit e) f.Edits.Add(e);
                            }
                            foreach (var p in Packages(c, iw)) if (!p.Value.Contains('=') && !p.Value.EndsWith(".deb") && !p.Value.Contains('$') && !p.Value.Contains('/'))
                                ctx.Report("DO3005", $"Package '{p.Value}' is not pinned.", c.RangeOfWord(p), run, $"{p.Value}=<version>", "DL3008");
                            if (shipped && !Regex.IsMatch(all, @"rm\s+(-\w+\s+)*[^;&|]*/var/lib/apt/lists") && !HasCacheMount(run, "/var/lib/apt", "/var/cache/apt"))
                                ctx.Report("DO3006", "apt lists stay in this shipped layer (tens of MB).", c.RangeOfWord(iw), run,
                                    "End the RUN with '&& rm -rf /var/lib/apt/lists/*', or use RUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked.", "DL3009");
                        }
                    }
                    // apk.
                    if (prog == "apk" && c.Subcommand("add") is Word aw)
                    {
                        if (shipped && !c.HasArg("--no-cache") && !Regex.IsMatch(all, @"rm\s+(-\w+\s+)*[^;&|]*/var/cache/apk") && !HasCacheMount(run, "/var/cache/apk", "/etc/apk/cache"))
                            ctx.Report("DO3006", "apk add keeps its index cache in this shipped layer.", c.RangeOfWord(aw), run, "apk add --no-cache …, or RUN --mount=type=cache,target=/var/cache/apk", "DL3019");
                        foreach (var p in Packages(c, aw)) if (!p.Value.Contains('=') && !p.Value.Contains('$') && !p.Value.EndsWith(".apk"))
                            ctx.Report("DO3005", $"Package '{p.Value}' is not pinned.", c.RangeOfWord(p), run, $"{p.Value}=<version>", "DL3018");
                    }
                    // yum/dnf/microdnf/zypper.
                    if (prog is "yum" or "dnf" or "microdnf" or "zypper" && c.Subcommand("install", "in") is Word yw)
                    {
                        var hid = prog switch { "yum" => "DL3030", "zypper" => "DL3034", _ => "DL3038" };
                        if (!c.HasOption(prog == "zypper" ? 'n' : 'y', "--assumeyes", "--yes", "--non-interactive", "-y") && !(prog == "zypper" && c.Words.Any(x => x.Value is "-n" or "--non-interactive")))
                            ctx.Report("DO3003", $"{prog} install without -y waits for a confirmation.", c.RangeOfWord(yw), run, $"{prog} install -y …", hid);
                        foreach (var p in Packages(c, yw)) if (!Regex.IsMatch(p.Value, @"-\d") && !p.Value.Contains('$') && !p.Value.EndsWith(".rpm") && !p.Value.Contains('/'))
                            ctx.Report("DO3005", $"Package '{p.Value}' is not pinned.", c.RangeOfWord(p), run, $"{p.Value}-<version>", prog switch { "yum" => "DL3033", "zypper" => "DL3037", _ => "DL3041" });
                        var cleanRe = prog == "zypper" ? @"zypper\s+(-\w+\s+)*(clean|cc)" : prog + @"\s+clean\s+all|rm\s+(-\w+\s+)*[^;&|]*/var/cache/(yum|dnf)";
                        if (shipped && !Regex.IsMatch(all, cleanRe) && !HasCacheMount(run, "/var/cache/yum", "/var/cache/dnf", "/var/cache/zypp"))
                            ctx.Report("DO3006", $"{prog} metadata and package cache stay in this shipped layer.", c.RangeOfWord(yw), run,
                                prog == "zypper" ? "End the RUN with '&& zypper clean'." : $"End the RUN with '&& {prog} clean all'.",
                                prog switch { "yum" => "DL3032", "zypper" => "DL3036", _ => "DL3040" });
                    }
                    // yarn.
                    if (prog == "yarn" && (c.Subcommand("install") != null || c.Args.All(a => a.Value.StartsWith('-'))) && shipped
                        && !Regex.IsMatch(all, @"yarn\s+cache\s+clean") && !HasCacheMount(run, "/usr/local/share/.cache/yarn", "/root/.yarn", "/root/.cache/yarn", "/home"))
                        ctx.Report("DO3006", "yarn install leaves its cache in this shipped layer.", progRange, run, "End the RUN with '&& yarn cache clean', or use a cache mount.", "DL3060");
                    // pip.
                    if (IsPip(c, out var pi))
                    {
                        var piw = c.Words[pi];
                        var noCacheEnv = ctx.Model.Variable(run, "PIP_NO_CACHE_DIR") is (true, string v) && v.Length > 0 && v != "0" && !v.Equals("false", StringComparison.OrdinalIgnoreCase);
                        if (shipped && !c.HasArg("--no-cache-dir") && !noCacheEnv && !HasCacheMount(run, "/root/.cache", "/root/.cache/pip", "/home"))
                        {
                            var f = ctx.Report("DO3007", "pip install keeps downloaded wheels in ~/.cache/pip in this shipped layer.", c.RangeOfWord(piw), run,
                                "pip install --no-cache-dir …, or RUN --mount=type=cache,target=/root/.cache/pip");
                            if (InsertAfter(run, c, piw, " --no-cache-dir") is TextEdit e) f.Edits.Add(e);
                        }
                        var skipNext = false;
                        foreach (var a in c.Words.Skip(pi + 1))
                        {
                            if (skipNext) { skipNext = false; continue; }
                            if (a.Value is "-r" or "--requirement" or "-c" or "--constraint" or "-e" or "--editable" or "-i" or "--index-url" or "--extra-index-url" or "-f" or "--find-links" or "--target" or "-t" or "--prefix" or "--root") { skipNext = true; continue; }
                            if (a.Value.StartsWith('-') || a.Value.Contains('/') || a.Value == "." || a.Value.Contains('$') || a.Value.EndsWith(".whl") || VersionedPip.IsMatch(a.Value)) continue;
                            ctx.Report("DO3005", $"Python package '{a.Value}' is not pinned.", c.RangeOfWord(a), run, $"{a.Value}==<version>", "DL3013");
                        }
                    }
                    // npm / gem / go pinning.
                    if (prog == "npm" && c.Subcommand("install", "i", "add") is Word nw)
                        foreach (var p in Packages(c, nw))
                            if (!(p.Value.StartsWith('@') ? p.Value.IndexOf('@', 1) > 0 : p.Value.Contains('@')) && !p.Value.Contains('/') && !p.Value.StartsWith('.') && !p.Value.Contains('$'))
                                ctx.Report("DO3005", $"npm package '{p.Value}' is not pinned.", c.RangeOfWord(p), run, $"{p.Value}@<version>", "DL3016");
                    if (prog == "gem" && c.Subcommand("install") is Word gw && !c.HasOption('v', "--version"))
                        foreach (var p in Packages(c, gw)) if (!p.Value.Contains(':') && !p.Value.Contains('$'))
                            ctx.Report("DO3005", $"gem '{p.Value}' is not pinned.", c.RangeOfWord(p), run, $"{p.Value}:<version>", "DL3028");
                    if (prog == "go" && c.Subcommand("install") is Word gow)
                        foreach (var p in Packages(c, gow)) if (!p.Value.Contains('@') && !p.Value.StartsWith('.'))
                            ctx.Report("DO3005", $"go install of '{p.Value}' without @version.", c.RangeOfWord(p), run, $"{p.Value}@<version>", "DL3062");

                    // useradd with a long UID.
                    if (prog == "useradd" && !c.HasOption('l', "--no-log-init"))
                    {
                        var uid = c.Words.SkipWhile(w => w.Value is not ("-u" or "--uid")).Skip(1).FirstOrDefault();
                        var inline = c.Words.FirstOrDefault(w => w.Value.StartsWith("--uid=") || (w.Value.StartsWith("-u") && w.Value.Length > 2 && char.IsDigit(w.Value[2])));
                        var val = uid.Value ?? (inline.Value == null ? null : inline.Value.TrimStart('-', 'u').Replace("-uid=", "").Replace("uid=", ""));
                        if (val != null && val.Length > 5 && val.All(char.IsDigit))
                            ctx.Report("DO3010", $"useradd with UID {val} without -l writes a huge sparse /var/log/lastlog.", progRange, run, "useradd -l …");
                    }
                    if (prog == "wget")
                    {
                        if (!c.Args.Any(a => a.Value.StartsWith("--progress") || a.Value is "-q" or "--quiet" or "-nv" or "--no-verbose" || (a.Value.StartsWith('-') && !a.Value.StartsWith("--") && a.Value.Contains('q'))))
                            ctx.Report("DO3011", "wget without --progress floods the build log.", progRange, run, "wget --progress=dot:giga … (or -q)");
                        if (sawCurl) ctx.Report("DO3012", "This stage uses both curl and wget.", progRange, run, "Use one download tool.");
                        sawWget = true;
                    }
                    if (prog == "curl")
                    {
                        if (sawWget) ctx.Report("DO3012", "This stage uses both curl and wget.", progRange, run, "Use one download tool.");
                        sawCurl = true;
                    }
                    if (prog == "ln" && c.Args.LastOrDefault().Value == "/bin/sh" && c.Args.Any(a => a.Value.StartsWith('-') && a.Value.Contains('s')))
                        ctx.Report("DO3014", "Replacing /bin/sh by a link changes the shell for every later RUN silently.", progRange, run, "SHELL [\"/bin/bash\", \"-c\"]");
                    // TLS / signatures off.
                    foreach (var w in c.Args)
                    {
                        var bad = (prog == "curl" && w.Value is "-k" or "--insecure")
                            || (prog == "wget" && w.Value == "--no-check-certificate")
                            || (IsPip(c, out _) && w.Value.StartsWith("--trusted-host"))
                            || (prog is "apt-get" or "apt" && (w.Value is "--allow-unauthenticated" or "--force-yes" || w.Value.Contains("AllowUnauthenticated=true", StringComparison.OrdinalIgnoreCase) || w.Value.Contains("Verify-Peer=false", StringComparison.OrdinalIgnoreCase)))
                            || (prog is "yum" or "dnf" or "microdnf" or "rpm" && w.Value is "--nogpgcheck" or "--nosignature")
                            || (prog == "git" && w.Value.Contains("sslVerify=false", StringComparison.OrdinalIgnoreCase))
                            || (prog is "npm" or "yarn" && w.Value == "strict-ssl" && c.Args.Any(x => x.Value == "false"));
                        if (bad) ctx.Report("DO3015", $"'{w.Value}' turns off TLS or signature verification for {prog}.", c.RangeOfWord(w), run, "Install the CA certificate or key instead.");
                    }
                    // Pipes.
                    if (c.After == "|" && c.Before != "|" && !pipefailSet && (shell == null || shell[0].EndsWith("sh")))
                        ctx.Report("DO3013", "A pipe without 'set -o pipefail': the RUN succeeds even if this command fails.", c.Range, run,
                            "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"] before the RUN, or 'set -o pipefail &&' in it.");
                }
                if (hasAptUpdate && !hasAptInstall && aptUpdate != null && !Regex.IsMatch(all, @"\b(upgrade|dist-upgrade)\b"))
                    ctx.Report("DO3016", "apt-get update alone in a RUN: the cached layer keeps stale lists for later installs.", aptUpdate.Range, run, "Run apt-get update && apt-get install in the same RUN.");
            }
        }
    }

    /// <summary>Non-option words after a subcommand (options with a value such as -t are skipped).</summary>
    static IEnumerable<Word> Packages(ShellCommand c, Word sub)
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
