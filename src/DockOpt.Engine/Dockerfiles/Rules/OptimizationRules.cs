using DockOpt.Engine.Images;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.Dockerfiles.Rules;

/// <summary>Image size and build-cache rules that no other linter has.</summary>
internal static class OptimizationRules
{
    static readonly Regex DepInstall = new(
        @"\b(npm\s+(ci|install|i)\b|yarn(\s+install)?\s*($|&&|;)|pnpm\s+(i|install)\b|pip[0-9.]*\s+install\b|python[0-9.]*\s+-m\s+pip\s+install\b|poetry\s+install\b|pipenv\s+install\b|bundle\s+install\b|composer\s+install\b|go\s+mod\s+download\b|mvn\b[^&;]*dependency:|dotnet\s+restore\b|cargo\s+fetch\b|apt-get\s+[^&;]*install\b|apk\s+add\b|gradle\b[^&;]*dependencies)",
        RegexOptions.Compiled);

    static readonly Regex ToolchainPkg = new(@"^(build-essential|gcc|g\+\+|gcc-\d+|clang|make|cmake|autoconf|automake|libtool|golang(-go)?|golang-\d.*|maven|gradle|default-jdk|openjdk-\d+-jdk(-headless)?|cargo|rustc|python3?-dev|.*-dev|.*-devel|musl-dev|alpine-sdk|build-base|dotnet-sdk.*)$", RegexOptions.Compiled);
    static readonly Regex BuildCmd = new(@"\b(go\s+build|cargo\s+build|mvn\s+[^&;]*(package|install|verify)|gradle\w*\s+[^&;]*(build|assemble|jar)|\./gradlew\s|dotnet\s+(publish|build)|npm\s+run\s+build|yarn\s+build|pnpm\s+build|make(\s|$)|cmake\s|gcc\s|g\+\+\s|tsc(\s|$)|python[0-9.]*\s+setup\.py\s+(build|install|bdist))", RegexOptions.Compiled);
    static readonly string[] Archives = { ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".tzst", ".gz", ".bz2", ".xz", ".zst" };

    static bool IsUrl(string s) => Regex.IsMatch(s, @"^(https?|ftp)://", RegexOptions.IgnoreCase);
    static bool IsGit(string s) => s.StartsWith("git@", StringComparison.Ordinal) || Regex.IsMatch(s, @"\.git(#.*)?$") || s.StartsWith("git://");

    /// <summary>Short repository name of an image reference (last path part, no tag or digest) and its tag.</summary>
    public static void Run(LintContext ctx)
    {
        var model = ctx.Model;
        foreach (var st in model.Stages)
        {
            // DO4000: whole context copied before a dependency install.
            Instruction? wholeCopy = null;
            Instruction? prev = null;
            foreach (var ins in st.Instructions)
            {
                if (ins.Keyword is "COPY" or "ADD" && !ins.HasFlag("from") && wholeCopy == null)
                {
                    var (sources, _, _) = InstructionRules.Paths(ctx, ins);
                    if (sources.Any(s => s.Value is "." or "./" or "*" or "./*" or "/")) wholeCopy = ins;
                }
                else if (ins.Keyword == "RUN" && wholeCopy != null)
                {
                    var text = ins.ExecForm != null ? string.Join(" ", ins.ExecForm) : ins.Arguments.Text + "\n" + string.Join("\n", ins.Heredocs.Select(h => h.Body.Text));
                    var m = DepInstall.Match(text);
                    if (m.Success)
                    {
                        var what = m.Value.Trim().TrimEnd('&', ';').Trim();
                        var manifest = Manifest(what);
                        var f = ctx.Report("DO4000", $"'{wholeCopy.KeywordText} {wholeCopy.Arguments.Text}' (line {wholeCopy.Range.Start.Line}) copies the whole context before '{what}' (line {ins.Range.Start.Line}): any source change re-runs the install.",
                            wholeCopy.Range, wholeCopy, manifest == null ? "Install system packages before copying the sources." : $"COPY {manifest} ./ first, RUN the install, then COPY . .");
                        wholeCopy = null; // one finding per copy
                    }
                }
                // DO4003: consecutive RUNs with the same flags.
                if (ins.Keyword == "RUN" && prev?.Keyword == "RUN" && ins.Heredocs.Count == 0 && prev.Heredocs.Count == 0
                    && string.Join(" ", prev.Flags.Select(x => x.ToString()).Order()) == string.Join(" ", ins.Flags.Select(x => x.ToString()).Order()))
                    ctx.Report("DO4003", $"RUN right after the RUN on line {prev.Range.Start.Line}: each RUN is a layer.", ins.KeywordRange, ins, "Join them with && in one RUN.");
                prev = ins;
            }
        }

        if (model.Final is { } final)
        {
            var shippedStages = model.Shipped.OrderBy(i => i).Select(i => model.Stages[i]).ToList();
            var root = shippedStages[0];
            var baseImage = root.BaseResolved != null && !root.IsScratch && ImageReference.TryParse(root.BaseResolved, out var parsedBase) ? parsedBase : null;
            var (repo, tag, registry) = baseImage != null ? (baseImage.ShortName, baseImage.Tag ?? "", baseImage.Domain) : ("", "", "");

            // DO4001: single-stage build shipping its toolchain.
            if (model.FeedsFinal.Count == 1 && final.BaseStage == null)
            {
                var buildLines = new List<int>();
                var toolchain = new List<string>();
                if (repo is "golang" or "rust" or "maven" or "gradle" or "sdk" or "openjdk" && !tag.Contains("jre")) toolchain.Add(root.BaseResolved!);
                foreach (var (run, c) in ctx.StageCommands(final.Index))
                {
                    if (c.Program is "apt-get" or "apt" or "apk" or "yum" or "dnf" && c.Subcommand("install", "add") is Word w)
                        foreach (var p in c.Words.SkipWhile(x => x.Start != w.Start).Skip(1))
                            if (ToolchainPkg.IsMatch(p.Value.Split('=')[0])) { toolchain.Add(p.Value); buildLines.Add(run.Range.Start.Line); }
                    if (BuildCmd.IsMatch(c.Text)) buildLines.Add(c.Range.Start.Line);
                }
                var builds = buildLines.Count > 0;
                if (toolchain.Count > 0 && builds)
                {
                    var runtime = repo switch
                    {
                        "golang" => "gcr.io/distroless/static-debian12 (or scratch for a static binary)",
                        "rust" => "debian:bookworm-slim",
                        "maven" or "gradle" or "openjdk" => "eclipse-temurin:<ver>-jre",
                        "sdk" => "mcr.microsoft.com/dotnet/aspnet:<ver>",
                        "python" => $"python:{(tag.Length > 0 ? tag.Split('-')[0] + "-" : "")}slim",
                        "node" => $"node:{(tag.Length > 0 ? tag.Split('-')[0] + "-" : "")}slim",
                        _ => root.BaseResolved + " without the build packages",
                    };
                    var lines = string.Join(", ", buildLines.Distinct().Order());
                    ctx.Report("DO4001", $"Single-stage build ships its toolchain ({string.Join(", ", toolchain.Distinct().Take(5))}). Build part: lines {lines}; runtime part: the remaining instructions.",
                        final.From.Range, final.From,
                        $"Split it: 'FROM {root.BaseRaw} AS build' with lines {lines}, then 'FROM {runtime}' and COPY --from=build only the artefacts.");
                }
            }

            // DO4002: heavy base image where a slim one exists.
            var official = registry == ImageReference.DockerHub || root.BaseResolved?.StartsWith("mcr.microsoft.com/dotnet/", StringComparison.Ordinal) == true;
            if (root.BaseResolved != null && !root.IsScratch && official && !tag.Contains('{') && !Regex.IsMatch(tag, "slim|alpine|distroless|minimal|jre|chiseled|busybox|micro|windowsservercore|nanoserver"))
            {
                string? slim = repo switch
                {
                    "python" or "node" or "ruby" or "perl" => tag.Length == 0 || tag == "latest" ? $"{repo}:slim" : $"{repo}:{tag}-slim",
                    "debian" => tag.Length == 0 || tag == "latest" ? "debian:stable-slim" : $"debian:{tag}-slim",
                    "openjdk" or "eclipse-temurin" or "amazoncorretto" => $"{repo}:{(tag.Length == 0 ? "<ver>" : tag.Replace("-jdk", ""))}-jre",
                    "sdk" => "mcr.microsoft.com/dotnet/runtime or aspnet",
                    _ => null,
                };
                if (slim != null && (repo != "sdk" || root.BaseResolved.Contains("dotnet")))
                    ctx.Report("DO4002", $"The shipped image is based on '{root.BaseResolved}'; '{slim}' is several hundred MB smaller.", root.From.Arguments.RangeOf(0, root.BaseRaw.Length), root.From,
                        $"FROM {slim} (add the few packages you need).");
            }

            // DO4004 / DO4005 over shipped stages.
            var created = new List<(string Path, Instruction By)>();
            foreach (var st in shippedStages)
            {
                foreach (var ins in st.Instructions)
                {
                    if (ins.Keyword is "COPY" or "ADD")
                    {
                        var (sources, dest, _) = InstructionRules.Paths(ctx, ins);
                        if (dest == null) continue;
                        var dir = dest.EndsWith('/') || sources.Count > 1;
                        foreach (var s in sources)
                        {
                            var name = s.Value.TrimEnd('/');
                            name = name.Contains('/') ? name.Substring(name.LastIndexOf('/') + 1) : name;
                            created.Add((dir && name.Length > 0 && name != "." && !name.Contains('*') ? dest.TrimEnd('/') + "/" + name : dest.TrimEnd('/'), ins));
                        }
                        if (ins.Heredocs.Count > 0) created.Add((dest, ins));
                        continue;
                    }
                    if (ins.Keyword != "RUN" || !ctx.IsPosixShell(ins)) continue;
                    var cmds = ctx.Commands(ins);
                    // DO4004: a RUN that only chmods/chowns copied files.
                    if (cmds.Count > 0 && cmds.All(c => c.Program is "chmod" or "chown"))
                    {
                        var targets = cmds.SelectMany(c => c.Args.Where(a => !a.Value.StartsWith('-')).Skip(1)).Select(a => Abs(ctx, ins, a.Value)).ToList();
                        var copied = targets.Count > 0 && targets.All(t => created.Any(cr => cr.By.Keyword is "COPY" or "ADD" && (Same(cr.Path, t) || Under(cr.Path, t) || Under(t, cr.Path))));
                        if (copied)
                        {
                            var c0 = cmds[0];
                            var flag = c0.Program == "chmod" ? "--chmod=" + c0.Args.FirstOrDefault(a => !a.Value.StartsWith('-')).Value : "--chown=" + c0.Args.FirstOrDefault(a => !a.Value.StartsWith('-')).Value;
                            ctx.Report("DO4004", $"'{c0.Text}' in its own layer stores a second copy of the files copied earlier.", ins.Range, ins, $"Use COPY {flag} … on the COPY instead.");
                        }
                    }
                    foreach (var c in cmds)
                    {
                        if (c.Program == "rm")
                        {
                            foreach (var a in c.Args.Where(a => !a.Value.StartsWith('-')))
                            {
                                var t = Abs(ctx, ins, a.Value);
                                var hit = created.FirstOrDefault(cr => cr.By != ins && (Same(cr.Path, t) || Under(t, cr.Path)) && t != "/" && t.Length > 1);
                                if (hit.By != null)
                                    ctx.Report("DO4005", $"'{a.Value}' was added by {hit.By.Keyword} on line {hit.By.Range.Start.Line}; deleting it in a later layer does not shrink the image.", c.RangeOfWord(a), ins,
                                        hit.By.Keyword == "RUN" ? "Download, use and delete it in the same RUN." : "Use RUN --mount=type=bind,source=…,target=… (or a build stage) instead of COPY + rm.");
                            }
                        }
                        // Downloads: curl -o / wget -O create files.
                        if (c.Program is "curl" or "wget")
                        {
                            var ws = c.Words;
                            for (var k = 0; k + 1 < ws.Count; k++)
                                if ((c.Program == "curl" && ws[k].Value is "-o" or "--output") || (c.Program == "wget" && ws[k].Value is "-O" or "--output-document"))
                                    if (ws[k + 1].Value != "-") created.Add((Abs(ctx, ins, ws[k + 1].Value), ins));
                        }
                    }
                }
            }
        }

        // DO4011: COPY x.tar.gz then RUN tar -x x.tar.gz (hadolint DL3010).
        foreach (var st in model.Stages)
        {
            var archives = new List<(string Path, Instruction By)>();
            foreach (var ins in st.Instructions)
            {
                if (ins.Keyword == "COPY" && !ins.HasFlag("from"))
                {
                    var (sources, dest, _) = InstructionRules.Paths(ctx, ins);
                    if (dest == null) continue;
                    foreach (var src in sources.Where(x => Archives.Any(a => x.Value.EndsWith(a, StringComparison.OrdinalIgnoreCase)) && x.Value.Contains(".tar") || x.Value.EndsWith(".tgz") || x.Value.EndsWith(".txz") || x.Value.EndsWith(".tbz2")))
                    {
                        var name = src.Value.Contains('/') ? src.Value.Substring(src.Value.LastIndexOf('/') + 1) : src.Value;
                        archives.Add((dest.EndsWith('/') ? Abs(ctx, ins, dest.TrimEnd('/') + "/" + name) : Abs(ctx, ins, dest), ins));
                    }
                }
                else if (ins.Keyword == "RUN" && archives.Count > 0 && ctx.IsPosixShell(ins))
                {
                    foreach (var c in ctx.Commands(ins).Where(c => c.Program == "tar" && c.Args.Any(a => a.Value.StartsWith('-') ? a.Value.Contains('x') : a.Value.StartsWith('x'))))
                        foreach (var a in c.Args)
                        {
                            var hit = archives.FirstOrDefault(x => x.Path == Abs(ctx, ins, a.Value));
                            if (hit.By != null)
                                ctx.Report("DO4011", $"'{a.Value}' is copied by the COPY on line {hit.By.Range.Start.Line} and extracted here: the archive stays in the image.", c.RangeOfWord(a), ins,
                                    $"ADD {a.Value.Substring(a.Value.LastIndexOf('/') + 1)} <dir>/ (extracts it), or RUN --mount=type=bind,source=<archive>,target=/tmp/a tar -xf /tmp/a.");
                        }
                }
            }
        }

        // DO4006: .dockerignore.
        if (ctx.FilePath != null && ctx.Document.Instructions.Any(i => i.Keyword is "COPY" or "ADD" && !i.HasFlag("from") && i.Heredocs.Count == 0))
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(ctx.FilePath))!;
            var firstCopy = ctx.Document.Instructions.First(i => i.Keyword is "COPY" or "ADD" && !i.HasFlag("from") && i.Heredocs.Count == 0);
            var specific = ctx.FilePath + ".dockerignore";
            var ignorePath = File.Exists(specific) ? specific : Path.Combine(dir, ".dockerignore");
            if (!File.Exists(ignorePath))
                ctx.Report("DO4006", $"No .dockerignore next to the Dockerfile: the whole directory ({dir}) is sent as build context.", firstCopy.Range, firstCopy,
                    "Add a .dockerignore excluding .git, build output and dependencies (node_modules, bin, obj, __pycache__).");
            else
            {
                var patterns = File.ReadAllLines(ignorePath).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
                foreach (var heavy in new[] { ".git", "node_modules" })
                    if (Directory.Exists(Path.Combine(dir, heavy)) && !Excluded(patterns, heavy))
                        ctx.Report("DO4006", $"{heavy}/ exists in the context but .dockerignore does not exclude it.", firstCopy.Range, firstCopy, $"Add '{heavy}' to {Path.GetFileName(ignorePath)}.");
                foreach (var ins in ctx.Document.Instructions.Where(i => i.Keyword is "COPY" or "ADD" && !i.HasFlag("from") && i.Heredocs.Count == 0))
                {
                    var (sources, _, _) = InstructionRules.Paths(ctx, ins);
                    foreach (var (value, word) in sources)
                    {
                        var rel = value.Replace('\\', '/').TrimStart('.').TrimStart('/').TrimEnd('/');
                        if (rel.Length == 0 || IsUrl(value) || IsGit(value) || rel.Contains('$') || rel.Contains('*')) continue;
                        if (Excluded(patterns, rel))
                            ctx.Report("DO4010", $"'{value}' is excluded by {Path.GetFileName(ignorePath)}: it is not in the build context.",
                                ins.ExecForm == null ? ins.Arguments.RangeOf(word.Start, word.End) : ins.Arguments.RangeOf(0, ins.Arguments.Length), ins,
                                $"Remove the pattern from {Path.GetFileName(ignorePath)} or add an exception '!{rel}'.");
                    }
                }
            }
        }

        // DO4007 / DO4008: ADD.
        foreach (var ins in ctx.Document.Instructions.Where(i => i.Keyword == "ADD"))
        {
            var (sources, _, _) = InstructionRules.Paths(ctx, ins);
            if (sources.Count == 0) continue;
            var urls = sources.Where(s => IsUrl(s.Value) || IsGit(s.Value)).ToList();
            foreach (var u in urls.Where(u => IsUrl(u.Value) && !IsGit(u.Value)))
                if (!ins.HasFlag("checksum"))
                    ctx.Report("DO4008", $"ADD {u.Value} downloads without verification.", ins.ExecForm == null ? ins.Arguments.RangeOf(u.Word.Start, u.Word.End) : ins.Arguments.RangeOf(0, ins.Arguments.Length), ins,
                        "Add --checksum=sha256:<digest>, or download with curl in a build stage and verify it.");
            var addOnly = ins.HasFlag("checksum") || ins.HasFlag("keep-git-dir") || ins.HasFlag("unpack");
            if (urls.Count == 0 && !addOnly && ins.Heredocs.Count == 0 && sources.All(s => !Archives.Any(a => s.Value.EndsWith(a, StringComparison.OrdinalIgnoreCase)) && !s.Value.Contains('$')))
            {
                var f = ctx.Report("DO4007", "ADD of local files: COPY does the same without ADD's implicit unpacking and URL handling.", ins.KeywordRange, ins, "Use COPY.");
                f.Edits.Add(new TextEdit(ins.KeywordRange.Start.Line, ins.KeywordRange.Start.Column, 3, ins.KeywordText == "add" ? "copy" : "COPY"));
            }
        }

        // DO4009: stages the final stage never uses (without -Target all later stages are used by none).
        if (model.Final != null)
            foreach (var st in model.Stages.Where(s => !model.FeedsFinal.Contains(s.Index) && s.Index < model.Final.Index))
                ctx.Report("DO4009", $"Stage '{st.DisplayName}' is not used by the final stage '{model.Final.DisplayName}'.", st.From.Range, st.From,
                    "Remove it, or build it with --target when it is a separate image (test, dev).");
    }

    static string? Manifest(string install)
    {
        if (install.StartsWith("npm") || install.StartsWith("pnpm")) return "package.json package-lock.json";
        if (install.StartsWith("yarn")) return "package.json yarn.lock";
        if (install.StartsWith("pip") || install.StartsWith("python")) return "requirements.txt";
        if (install.StartsWith("poetry")) return "pyproject.toml poetry.lock";
        if (install.StartsWith("pipenv")) return "Pipfile Pipfile.lock";
        if (install.StartsWith("bundle")) return "Gemfile Gemfile.lock";
        if (install.StartsWith("composer")) return "composer.json composer.lock";
        if (install.StartsWith("go")) return "go.mod go.sum";
        if (install.StartsWith("mvn")) return "pom.xml";
        if (install.StartsWith("dotnet")) return "*.csproj";
        if (install.StartsWith("cargo")) return "Cargo.toml Cargo.lock";
        if (install.StartsWith("gradle")) return "build.gradle settings.gradle";
        return null;
    }

    static string Abs(LintContext ctx, Instruction ins, string path)
    {
        var v = ctx.Model.Expand(ins, path).Value;
        if (v.StartsWith('/')) return v.TrimEnd('/');
        var wd = "/";
        var st = ctx.Model.StageOf(ins);
        if (st != null)
            foreach (var w in st.Instructions.Where(i => i.Keyword == "WORKDIR" && i.Index < ins.Index))
            {
                var p = ctx.Model.Expand(w, w.Arguments.Text).Value;
                wd = p.StartsWith('/') ? p : wd.TrimEnd('/') + "/" + p;
            }
        return (wd.TrimEnd('/') + "/" + v.TrimStart('.', '/')).TrimEnd('/');
    }

    static bool Same(string a, string b) => a.TrimEnd('/') == b.TrimEnd('/');
    static bool Under(string child, string parent) => parent.Length > 1 && child.StartsWith(parent.TrimEnd('/') + "/", StringComparison.Ordinal);

    /// <summary>.dockerignore semantics: a pattern matches the path or one of its parent directories; the last match wins.</summary>
    static bool Excluded(List<string> patterns, string path)
    {
        var parts = path.Split('/');
        var prefixes = Enumerable.Range(1, parts.Length).Select(n => string.Join('/', parts.Take(n))).ToList();
        var excluded = false;
        foreach (var p in patterns)
        {
            var neg = p.StartsWith('!');
            var pat = (neg ? p.Substring(1) : p).Trim().TrimStart('/').TrimEnd('/');
            if (pat.StartsWith("./")) pat = pat.Substring(2);
            var re = "^" + Regex.Escape(pat).Replace(@"\*\*/", "(.*/)?").Replace(@"\*\*", ".*").Replace(@"\*", "[^/]*").Replace(@"\?", "[^/]") + "$";
            if (prefixes.Any(x => Regex.IsMatch(x, re))) excluded = !neg;
        }
        return excluded;
    }
}
