using System.Text.RegularExpressions;

namespace DockOpt.Engine.Dockerfiles.Rules;

/// <summary>Structure and correctness rules (hadolint DL30xx/DL4xxx and Docker build checks).</summary>
internal static class InstructionRules
{
    static readonly Regex PortRe = new(@"^(\d+)(?:-(\d+))?(?:/([A-Za-z]+))?$", RegexOptions.Compiled);
    static readonly Regex VarRefRe = new(@"\$\{?([A-Za-z_][A-Za-z0-9_]*)", RegexOptions.Compiled);

    public static void Run(LintContext ctx)
    {
        var doc = ctx.Document;
        var model = ctx.Model;

        if (model.TargetError != null)
            ctx.Report("DO1012", model.TargetError, SourceRange.Of(1, 1, 1, 1), null, "Pass the name or index of an existing stage to -Target.");
        if (model.Stages.Count == 0 && doc.Instructions.Count > 0)
            ctx.Report("DO1013", "The Dockerfile has no FROM instruction.", doc.Instructions[0].Range, doc.Instructions[0], "Start the build with FROM <image>.");

        // Casing: majority of keywords.
        var keywords = doc.Instructions.Where(i => i.IsKnown).ToList();
        var upper = keywords.Count(i => i.KeywordText == i.Keyword);
        var lower = keywords.Count(i => i.KeywordText == i.Keyword.ToLowerInvariant());
        var wantUpper = upper >= lower;
        foreach (var ins in keywords)
        {
            var want = wantUpper ? ins.Keyword : ins.Keyword.ToLowerInvariant();
            if (ins.KeywordText != want && (upper > 0 && lower > 0 || (ins.KeywordText != ins.Keyword && ins.KeywordText != ins.Keyword.ToLowerInvariant())))
            {
                var f = ctx.Report("DO2005", $"Instruction '{ins.KeywordText}' should be written '{want}' like the rest of the file.", ins.KeywordRange, ins, $"Write {want}.");
                f.Edits.Add(new TextEdit(ins.KeywordRange.Start.Line, ins.KeywordRange.Start.Column, ins.KeywordText.Length, want));
                var fw = DockerfileParser.Words(ins.Arguments.Text).ToList();
                if (ins.Keyword == "FROM" && fw.Count == 3 && fw[1].Value.Equals("AS", StringComparison.OrdinalIgnoreCase) && fw[1].Value != (wantUpper ? "AS" : "as"))
                {
                    var r = ins.Arguments.RangeOf(fw[1].Start, fw[1].End);
                    f.Edits.Add(new TextEdit(r.Start.Line, r.Start.Column, 2, wantUpper ? "AS" : "as"));
                }
            }
        }

        var seenFrom = false;
        foreach (var ins in doc.Instructions)
        {
            if (ins.Keyword == "FROM") seenFrom = true;
            else if (!seenFrom && ins.Keyword != "ARG" && ins.IsKnown)
                ctx.Report("DO1006", $"{ins.Keyword} before the first FROM; only ARG may precede FROM.", ins.KeywordRange, ins, "Move it after FROM.");
        }

        // Stages.
        var names = new Dictionary<string, Stage>(StringComparer.OrdinalIgnoreCase);
        foreach (var st in model.Stages)
        {
            var from = st.From;
            var words = DockerfileParser.Words(from.Arguments.Text).ToList();
            if (words.Count >= 2)
            {
                var asWord = words[1];
                if (!asWord.Value.Equals("AS", StringComparison.OrdinalIgnoreCase) || words.Count != 3)
                    ctx.Report("DO1005", "FROM takes <image> [AS <name>].", from.Arguments.RangeOf(words[1].Start, words[^1].End), from);
                else
                {
                    var fromUpper = from.KeywordText == "FROM";
                    var fromLower = from.KeywordText == "from";
                    if ((fromUpper && asWord.Value != "AS") || (fromLower && asWord.Value != "as"))
                    {
                        var want = fromUpper ? "AS" : "as";
                        var r = from.Arguments.RangeOf(asWord.Start, asWord.End);
                        var f = ctx.Report("DO2004", $"'{asWord.Value}' does not match the casing of '{from.KeywordText}'.", r, from, $"Write {want}.");
                        f.Edits.Add(new TextEdit(r.Start.Line, r.Start.Column, 2, want));
                    }
                }
            }
            if (st.Name != null)
            {
                var nameRange = from.Arguments.RangeOf(words[2].Start, words[2].End);
                if (names.ContainsKey(st.Name))
                    ctx.Report("DO2001", $"Stage name '{st.Name}' is already used by an earlier stage.", nameRange, from, "Give each stage a unique name.");
                else names[st.Name] = st;
                if (st.Name.Equals("scratch", StringComparison.OrdinalIgnoreCase) || st.Name.Equals("context", StringComparison.OrdinalIgnoreCase))
                    ctx.Report("DO2002", $"'{st.Name}' is a reserved stage name.", nameRange, from, "Rename the stage.");
                if (st.Name != st.Name.ToLowerInvariant())
                    ctx.Report("DO2003", $"Stage name '{st.Name}' should be lowercase.", nameRange, from, $"Use '{st.Name.ToLowerInvariant()}'.");
            }
            // FROM variables.
            var exp = model.Expand(from, st.BaseRaw);
            foreach (var u in exp.Undefined.Distinct())
                ctx.Report("DO2014", $"FROM uses ${u}, which no ARG before the first FROM declares.", RangeOfVar(from, u), from, $"Add 'ARG {u}=<default>' before the first FROM.");
            if (words.Count > 0 && exp.Undefined.Count == 0 && st.BaseResolved != null && (st.BaseResolved.Length == 0 || st.BaseResolved.Any(char.IsWhiteSpace) || st.BaseResolved.StartsWith(':') || st.BaseResolved.EndsWith(':') || st.BaseResolved.StartsWith('/')))
                ctx.Report("DO2023", $"With the ARG defaults the base image is '{st.BaseResolved}', which is not a valid image name.", from.Arguments.RangeOf(words[0].Start, words[0].End), from, "Give the ARG a valid default.");
            foreach (var u in exp.Used.Distinct().Where(model.GlobalArgsWithoutDefault.Contains))
                if (!VariableExpander.Process(st.BaseRaw, n => n == u ? (false, null) : (true, "x"), doc.EscapeChar).Resolved)
                    ctx.Report("DO2023", $"ARG {u} has no default: without --build-arg {u}=… the base image name is empty.", RangeOfVar(from, u), from, $"Give it a default: ARG {u}=<image>.");
            var platform = from.FlagsNamed("platform").LastOrDefault();
            if (platform?.Value != null)
            {
                var pv = platform.Value;
                if (pv is "$TARGETPLATFORM" or "${TARGETPLATFORM}")
                    ctx.Report("DO2017", "--platform=$TARGETPLATFORM is the default and redundant.", platform.Range, from, "Remove the flag.");
                else if (!pv.Contains('$'))
                    ctx.Report("DO2018", $"FROM --platform={pv} pins a constant platform.", platform.Range, from, "Use $BUILDPLATFORM for build stages or drop the flag.");
            }
            // Multiple CMD / ENTRYPOINT / HEALTHCHECK.
            foreach (var (kw, id) in new[] { ("CMD", "DO2008"), ("ENTRYPOINT", "DO2009"), ("HEALTHCHECK", "DO2010") })
            {
                var list = st.Instructions.Where(i => i.Keyword == kw).ToList();
                foreach (var extra in list.Take(list.Count - 1))
                    ctx.Report(id, $"Stage '{st.DisplayName}' has {list.Count} {kw} instructions; only the last takes effect.", extra.Range, extra, $"Keep one {kw}.");
            }
        }

        // InvalidDefinitionDescription: '# <name> <description>' directly above FROM … AS name / ARG name.
        foreach (var ins in doc.Instructions.Where(i => i.Keyword is "FROM" or "ARG" && i.Comments.Count > 0))
        {
            var last = ins.Comments[^1];
            if (last.Line != ins.Range.Start.Line - 1 || System.Text.RegularExpressions.Regex.IsMatch(last.Text, @"^#\s*(hadolint|dockopt|check|syntax|escape)\b", RegexOptions.IgnoreCase)) continue;
            var w = DockerfileParser.Words(ins.Arguments.Text).ToList();
            var name = ins.Keyword == "FROM" ? (w.Count == 3 ? w[2].Value : null) : w.Count == 1 ? w[0].Value.Split('=')[0] : null;
            var first = last.Text.TrimStart('#').Trim().Split(' ', 2)[0];
            if (name != null && first.Length > 0 && first != name)
                ctx.Report("DO2025", $"The comment above {ins.Keyword} {name} should start with '{name}' to describe it.", SourceRange.Of(last.Line, last.Column, last.Line, last.Column + last.Text.Length), ins,
                    $"# {name} <description>");
        }

        var workdirSet = new Dictionary<int, bool>();
        foreach (var ins in doc.Instructions)
        {
            var st = model.StageOf(ins);
            var args = ins.Arguments.Text;
            switch (ins.Keyword)
            {
                case "MAINTAINER":
                    ctx.Report("DO2011", "MAINTAINER is deprecated.", ins.Range, ins, "Use LABEL org.opencontainers.image.authors=\"" + args.Replace("\"", "") + "\".");
                    break;
                case "WORKDIR":
                    {
                        var r = model.Expand(ins, args);
                        var abs = r.Value.StartsWith('/') || Regex.IsMatch(r.Value, @"^[A-Za-z]:[\\/]") || r.Value.StartsWith('\\');
                        var hasAbsBefore = st != null && HasWorkdirBefore(ctx, st, ins);
                        if (r.Resolved && !abs && !hasAbsBefore)
                            ctx.Report("DO2000", $"WORKDIR '{r.Value}' is relative and no absolute WORKDIR precedes it.", ins.Arguments.RangeOf(0, args.Length), ins, "Use an absolute path.");
                        break;
                    }
                case "EXPOSE":
                    foreach (var w in DockerfileParser.Words(args))
                    {
                        var r = model.Expand(ins, w.Raw);
                        if (!r.Resolved) continue;
                        var range = ins.Arguments.RangeOf(w.Start, w.End);
                        if (r.Value.Contains(':'))
                        {
                            ctx.Report("DO2012", $"EXPOSE '{r.Value}' maps a host port or IP; EXPOSE only documents the container port.", range, ins, "Publish host ports with docker run -p.");
                            continue;
                        }
                        var m = PortRe.Match(r.Value);
                        if (!m.Success || int.Parse(m.Groups[1].Value) > 65535 || (m.Groups[2].Success && int.Parse(m.Groups[2].Value) > 65535)
                            || (m.Groups[3].Success && !m.Groups[3].Value.Equals("tcp", StringComparison.OrdinalIgnoreCase) && !m.Groups[3].Value.Equals("udp", StringComparison.OrdinalIgnoreCase) && !m.Groups[3].Value.Equals("sctp", StringComparison.OrdinalIgnoreCase)))
                            ctx.Report("DO2012", $"EXPOSE '{r.Value}' is not a valid port[/tcp|udp] in 0-65535.", range, ins);
                        else if (m.Groups[3].Success && m.Groups[3].Value != m.Groups[3].Value.ToLowerInvariant())
                            ctx.Report("DO2013", $"Protocol '{m.Groups[3].Value}' should be lowercase.", range, ins, $"Write {r.Value.ToLowerInvariant()}.");
                    }
                    break;
                case "ENV":
                case "LABEL":
                    {
                        var kvs = VariableExpander.KeyValues(args, true);
                        if (kvs.Count == 1 && !kvs[0].HasEquals && args.Trim().Contains(' '))
                            ctx.Report("DO2016", $"'{ins.Keyword} key value' is the legacy form.", ins.Arguments.RangeOf(0, args.Length), ins, $"Write {ins.Keyword} {kvs[0].Key}=\"{kvs[0].RawValue}\".");
                        if (ins.Keyword == "LABEL")
                            foreach (var (key, _, hasEq, word) in kvs)
                                if ((hasEq || kvs.Count == 1) && (!Regex.IsMatch(key, @"^[a-z0-9]([a-z0-9.\-]*[a-z0-9])?$") || key.Contains("..") || key.Contains("--")
                                    || key.StartsWith("com.docker.") || key.StartsWith("io.docker.") || key.StartsWith("org.dockerproject.")))
                                    ctx.Report("DO2024", $"Label key '{key}' is not a valid lowercase key or uses a reserved namespace.", ins.Arguments.RangeOf(word.Start, word.Start + Math.Max(1, word.Raw.IndexOf('=') < 0 ? word.Raw.Length : word.Raw.IndexOf('='))), ins,
                                        "Use reverse-DNS lowercase keys such as org.opencontainers.image.title.");
                        if (ins.Keyword == "ENV" && kvs.Count > 1)
                        {
                            var defined = new HashSet<string>();
                            foreach (var (key, raw, _, word) in kvs)
                            {
                                foreach (Match vm in VarRefRe.Matches(raw))
                                    if (defined.Contains(vm.Groups[1].Value) && !ctx.Model.ScopeBefore(ins).Vars.ContainsKey(vm.Groups[1].Value))
                                        ctx.Report("DO2020", $"${vm.Groups[1].Value} is defined in this same ENV; here it still has its previous (empty) value.", ins.Arguments.RangeOf(word.Start, word.End), ins, "Split into two ENV instructions.");
                                defined.Add(key);
                            }
                        }
                        break;
                    }
                case "COPY":
                case "ADD":
                    CopyRules(ctx, ins, st, workdirSet);
                    break;
            }
            if (ins.Keyword == "WORKDIR" && st != null) workdirSet[st.Index] = true;
            UndefinedVars(ctx, ins, st);
        }
    }

    static bool HasWorkdirBefore(LintContext ctx, Stage st, Instruction ins)
    {
        for (var s = st; s != null; s = s.BaseStage is int b ? ctx.Model.Stages[b] : null)
            if (s.Instructions.Any(i => i.Keyword == "WORKDIR" && (s != st || i.Index < ins.Index) && ctx.Model.Expand(i, i.Arguments.Text).Value.StartsWith('/')))
                return true;
        return false;
    }

    static void CopyRules(LintContext ctx, Instruction ins, Stage? st, Dictionary<int, bool> workdirSet)
    {
        var model = ctx.Model;
        if (st != null)
        {
            foreach (var (value, raw, flag) in model.StageReferences(ins).Where(r => r.Flag.Name.Equals("from", StringComparison.OrdinalIgnoreCase)))
            {
                if (value.Contains('$') || model.Expand(ins, raw).Resolved == false) continue; // unknown at lint time: no guess (hadolint #933)
                if (st.Name != null && value.Equals(st.Name, StringComparison.OrdinalIgnoreCase) || value == st.Index.ToString())
                    ctx.Report("DO2007", $"COPY --from={value} names its own stage.", flag.Range, ins, "Copy from an earlier stage.");
                else if (model.FindStage(value, st.Index) == null && !value.Contains(':') && !value.Contains('/') && !value.Contains('@'))
                    ctx.Report("DO2006", $"COPY --from={value}: no earlier stage is named '{value}' and it is not a tagged image.", flag.Range, ins,
                        "Name an earlier stage (FROM … AS " + value + ") or a tagged image.");
            }
        }
        var (sources, dest, destWord) = Paths(ctx, ins);
        if (dest == null) return;
        if (sources.Count > 1 && !dest.EndsWith('/') && !dest.EndsWith('\\') && ins.Heredocs.Count == 0 && !dest.Contains('$'))
            ctx.Report("DO2019", $"{ins.Keyword} with {sources.Count} sources needs a destination ending in '/' ('{dest}').", destWord, ins, $"Write {dest}/.");
        var relative = !dest.StartsWith('/') && !Regex.IsMatch(dest, @"^[A-Za-z]:[\\/]") && !dest.StartsWith('\\') && !dest.StartsWith('$');
        if (relative && st != null && !HasWorkdirBefore(ctx, st, ins))
            ctx.Report("DO2021", $"{ins.Keyword} to relative '{dest}' with no WORKDIR set.", destWord, ins, "Set WORKDIR first or use an absolute destination.");
        if (ins.HasFlag("from") && sources.Count == 1 && sources[0].Value == "/" && (dest == "/"))
            ctx.Report("DO2022", "COPY --from=… / / copies the whole filesystem of the stage.", ins.Arguments.RangeOf(0, ins.Arguments.Length), ins, "Copy only the files you need, or build FROM that stage.");
    }

    /// <summary>Sources (expanded) and destination of COPY/ADD, heredoc markers excluded.</summary>
    internal static (List<(string Value, Word Word)> Sources, string? Dest, SourceRange DestRange) Paths(LintContext ctx, Instruction ins)
    {
        var list = new List<(string, Word)>();
        if (ins.ExecForm != null)
        {
            var r = ins.Arguments.RangeOf(0, ins.Arguments.Length);
            var vals = ins.ExecForm.Select(v => ctx.Model.Expand(ins, v).Value).ToList();
            if (vals.Count < 2) return (list, null, r);
            return (vals.Take(vals.Count - 1).Select(v => (v, new Word(0, ins.Arguments.Length, v, v))).ToList(), vals[^1], r);
        }
        var words = DockerfileParser.Words(ins.Arguments.Text).ToList();
        if (words.Count == 0) return (list, null, default);
        foreach (var w in words.Take(words.Count - 1))
        {
            if (w.Raw.StartsWith("<<", StringComparison.Ordinal)) continue;
            list.Add((ctx.Model.Expand(ins, w.Raw).Value, w));
        }
        var d = words[^1];
        if (words.Count == 1 && ins.Heredocs.Count == 0) return (list, null, default);
        return (list, ctx.Model.Expand(ins, d.Raw).Value, ins.Arguments.RangeOf(d.Start, d.End));
    }

    internal static SourceRange RangeOfVar(Instruction ins, string name)
    {
        var t = ins.Arguments.Text;
        var i = t.IndexOf("${" + name, StringComparison.Ordinal);
        if (i < 0) i = t.IndexOf("$" + name, StringComparison.Ordinal);
        if (i < 0) return ins.Arguments.RangeOf(0, t.Length);
        var end = i + 1 + name.Length + (t[i + 1] == '{' ? 1 : 0);
        if (t[i + 1] == '{') { var c = t.IndexOf('}', i); if (c > 0) end = c + 1; }
        return ins.Arguments.RangeOf(i, end);
    }

    /// <summary>UndefinedVar: variables unknown in the stage; above all, global ARGs not re-declared in the stage.</summary>
    static void UndefinedVars(LintContext ctx, Instruction ins, Stage? st)
    {
        if (st == null || ins.Keyword is "FROM" or "ARG" or "ONBUILD" or "CMD" or "ENTRYPOINT" or "HEALTHCHECK" or "SHELL" or "MAINTAINER") return;
        var scope = ctx.Model.ScopeBefore(ins);
        var text = ins.Keyword == "RUN" ? (ins.ExecForm == null ? ins.Arguments.Text : "") : ins.Arguments.Text;
        var reported = new HashSet<string>();
        foreach (Match m in VarRefRe.Matches(text))
        {
            var name = m.Groups[1].Value;
            if (m.Index > 0 && text[m.Index - 1] == ctx.Document.EscapeChar) continue;
            if (scope.Vars.ContainsKey(name) || DockerfileModel.PredefinedArgs.Contains(name) || !reported.Add(name)) continue;
            var afterBrace = m.Index + m.Length < text.Length ? text[m.Index + m.Length] : ' ';
            if (m.Value.StartsWith("${") && (afterBrace == ':' || afterBrace == '-' || afterBrace == '+')) continue; // has a default
            var range = ins.Arguments.RangeOf(m.Index, m.Index + m.Length + (m.Value.StartsWith("${") && afterBrace == '}' ? 1 : 0));
            if (ctx.Model.GlobalArgs.ContainsKey(name))
                ctx.Report("DO2015", $"${name} is a global ARG (declared before FROM); stage '{st.DisplayName}' must re-declare it with 'ARG {name}' or it is empty here.", range, ins, $"Add 'ARG {name}' inside the stage.");
            else if (!scope.BaseEnvUnknown && ins.Keyword != "RUN")
                ctx.Report("DO2015", $"${name} is not defined in stage '{st.DisplayName}'.", range, ins, $"Declare it with ARG or ENV.");
        }
    }
}
