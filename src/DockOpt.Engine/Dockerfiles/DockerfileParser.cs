using System.Text.Json;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.Dockerfiles;

/// <summary>
/// Tolerant parser of the full Dockerfile syntax (BuildKit reference, research sheet §7). It never throws on
/// content: an unknown instruction or flag, a bad mount option or an unterminated heredoc becomes a
/// <see cref="ParseIssue"/> and parsing goes on.
/// </summary>
public static class DockerfileParser
{
    public static readonly HashSet<string> KnownInstructions = new(StringComparer.OrdinalIgnoreCase)
    {
        "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME",
        "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
    };

    static readonly Dictionary<string, string[]> KnownFlags = new(StringComparer.OrdinalIgnoreCase)
    {
        ["FROM"] = new[] { "platform" },
        ["RUN"] = new[] { "mount", "network", "security", "device" },
        ["COPY"] = new[] { "from", "chown", "chmod", "link", "parents", "exclude" },
        ["ADD"] = new[] { "chown", "chmod", "link", "checksum", "keep-git-dir", "unpack", "exclude" },
        ["HEALTHCHECK"] = new[] { "interval", "timeout", "start-period", "start-interval", "retries" },
    };

    static readonly HashSet<string> BoolFlags = new(StringComparer.OrdinalIgnoreCase) { "link", "parents", "keep-git-dir", "unpack" };

    static readonly Dictionary<string, string[]> MountKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        ["bind"] = new[] { "source", "src", "from", "ro", "readonly", "rw", "readwrite" },
        ["cache"] = new[] { "id", "sharing", "from", "source", "src", "mode", "uid", "gid", "ro", "readonly", "rw", "readwrite" },
        ["tmpfs"] = new[] { "size" },
        ["secret"] = new[] { "id", "required", "mode", "uid", "gid", "env", "source", "src" },
        ["ssh"] = new[] { "id", "required", "mode", "uid", "gid" },
    };

    static readonly Regex DirectiveRe = new(@"^\s*#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(.*?)\s*$", RegexOptions.Compiled);
    static readonly Regex HeredocRe = new(@"^(\d*)<<(-?)(?:""([^""]+)""|'([^']+)'|\\?([A-Za-z0-9_.\-]+))$", RegexOptions.Compiled);
    static readonly Regex DurationRe = new(@"^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$", RegexOptions.Compiled);

    public static DockerfileDocument Parse(string text)
    {
        if (text.Length > 0 && text[0] == '\uFEFF') text = text.Substring(1);
        var lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        if (lines.Length > 0 && lines[^1].Length == 0 && text.EndsWith('\n')) lines = lines[..^1];
        var doc = new DockerfileDocument { Text = text, Lines = lines, EscapeChar = DetectEscape(lines) };
        var i = ReadDirectives(doc, lines);
        var pending = new List<CommentLine>();
        var stage = -1;

        while (i < lines.Length)
        {
            var raw = lines[i];
            var first = FirstNonSpace(raw);
            if (first < 0) { pending.Clear(); i++; continue; }
            if (raw[first] == '#')
            {
                var c = new CommentLine(i + 1, first + 1, raw.Substring(first));
                doc.Comments.Add(c);
                pending.Add(c);
                i++;
                continue;
            }

            var logical = JoinLogicalLine(doc, lines, ref i, first);
            var ins = ParseInstruction(doc, logical);
            if (pending.Count > 0) ins.Comments.AddRange(pending);
            pending.Clear();
            ins.Range = new SourceRange(logical.PositionAt(0), logical.EndAnchor);
            if (ins.Keyword is "RUN" or "COPY" or "ADD") ReadHeredocs(doc, ins, lines, ref i);

            if (ins.Keyword == "FROM") stage++;
            ins.StageIndex = stage;
            ins.Index = doc.Instructions.Count;
            if (ins.Trigger != null) { ins.Trigger.StageIndex = stage; ins.Trigger.Index = ins.Index; ins.Trigger.Parent = ins; }
            doc.Instructions.Add(ins);
        }
        return doc;
    }

    /// <summary>
    /// Joins one logical line starting at <paramref name="i"/>: lines ending in the escape character continue it,
    /// comment and empty lines inside are skipped (an empty one is DO1007, a file ending inside is DO1010).
    /// Leaves <paramref name="i"/> on the line after it.
    /// </summary>
    static MappedText JoinLogicalLine(DockerfileDocument doc, string[] lines, ref int i, int first)
    {
        var esc = doc.EscapeChar;
        var raw = lines[i];
        var b = new MappedText.Builder();
        var line = i;
        var startCol = first;
        var lastLine = i;
        var lastCol = raw.Length;
        while (true)
        {
            var content = lines[line].Substring(startCol);
            var trimmedEnd = content.TrimEnd(' ', '\t');
            if (trimmedEnd.Length > 0 && trimmedEnd[^1] == esc)
            {
                b.Append(trimmedEnd.Substring(0, trimmedEnd.Length - 1), line + 1, startCol + 1);
                lastLine = line;
                lastCol = startCol + trimmedEnd.Length;
                line++;
                var emptyAt = -1;
                while (line < lines.Length)
                {
                    var fns = FirstNonSpace(lines[line]);
                    if (fns < 0) { if (emptyAt < 0) emptyAt = line; line++; continue; }
                    if (lines[line][fns] == '#') { doc.Comments.Add(new CommentLine(line + 1, fns + 1, lines[line].Substring(fns))); line++; continue; }
                    break;
                }
                if (emptyAt >= 0 && line < lines.Length)
                    doc.Issues.Add(new ParseIssue("DO1007", "Empty line inside a continuation; it will become an error in future Dockerfile syntax.",
                        SourceRange.Of(emptyAt + 1, 1, emptyAt + 1, 1), null, "Remove the empty line or end the previous line without a continuation."));
                if (line >= lines.Length)
                {
                    doc.Issues.Add(new ParseIssue("DO1010", "The file ends inside a line continuation.",
                        SourceRange.Of(lastLine + 1, lastCol, lastLine + 1, lastCol + 1), null, "Remove the trailing escape character."));
                    break;
                }
                startCol = 0;
                continue;
            }
            b.Append(content, line + 1, startCol + 1);
            lastLine = line;
            lastCol = startCol + trimmedEnd.Length;
            line++;
            break;
        }
        i = line;
        return b.Build(new SourcePosition(lastLine + 1, lastCol + 1));
    }

    /// <summary>Reads the heredoc bodies that follow the logical line, in the order their markers appear.</summary>
    static void ReadHeredocs(DockerfileDocument doc, Instruction ins, string[] lines, ref int i)
    {
        if (!ins.Arguments.Text.Contains("<<", StringComparison.Ordinal)) return; // no marker: no need to split the words
        foreach (var w in Words(ins.Arguments.Text))
        {
            var m = HeredocRe.Match(w.Raw);
            if (!m.Success) continue;
            var quoted = m.Groups[3].Success || m.Groups[4].Success || w.Raw.Contains("<<\\") || w.Raw.Contains("<<-\\");
            var delim = m.Groups[3].Success ? m.Groups[3].Value : m.Groups[4].Success ? m.Groups[4].Value : m.Groups[5].Value;
            var strip = m.Groups[2].Value == "-";
            var hb = new MappedText.Builder();
            var bodyStart = i;
            var terminated = false;
            while (i < lines.Length)
            {
                var l = lines[i];
                var off = 0;
                if (strip) while (off < l.Length && l[off] == '\t') off++;
                if (l.Substring(off) == delim) { terminated = true; break; }
                if (hb.Length > 0) hb.AppendSynthetic('\n', i, Math.Max(1, lines[i - 1].Length + 1));
                hb.Append(l.Substring(off), i + 1, off + 1);
                i++;
            }
            var marker = ins.Arguments.RangeOf(w.Start, w.End);
            var endLine = terminated ? i + 1 : lines.Length;
            var endCol = terminated ? lines[i].Length + 1 : (lines.Length > 0 ? lines[^1].Length + 1 : 1);
            var h = new Heredoc
            {
                Delimiter = delim, Quoted = quoted, StripTabs = strip, Terminated = terminated,
                Body = hb.Build(new SourcePosition(bodyStart + 1, 1)),
                MarkerRange = marker,
                Range = new SourceRange(marker.Start, new SourcePosition(endLine, endCol)),
            };
            ins.Heredocs.Add(h);
            ins.Range = new SourceRange(ins.Range.Start, h.Range.End);
            if (terminated) i++;
            else doc.Issues.Add(new ParseIssue("DO1004", $"Heredoc '{delim}' is not terminated: no line holds only '{delim}'.",
                marker, ins, $"Add a line containing only {delim}."));
        }
    }

    static int FirstNonSpace(string s)
    {
        for (var k = 0; k < s.Length; k++) if (s[k] != ' ' && s[k] != '\t') return k;
        return -1;
    }

    static char DetectEscape(string[] lines)
    {
        foreach (var l in lines)
        {
            var m = DirectiveRe.Match(l);
            if (!m.Success) break;
            if (m.Groups[1].Value.Equals("escape", StringComparison.OrdinalIgnoreCase) && m.Groups[2].Value == "`") return '`';
        }
        return '\\';
    }

    static int ReadDirectives(DockerfileDocument doc, string[] lines)
    {
        var i = 0;
        if (lines.Length > 0 && lines[0].StartsWith("#!", StringComparison.Ordinal)) i = 0; // a shebang is a plain comment
        for (; i < lines.Length; i++)
        {
            var m = DirectiveRe.Match(lines[i]);
            if (!m.Success) break;
            var key = m.Groups[1].Value.ToLowerInvariant();
            if (key is not ("syntax" or "escape" or "check")) break;
            if (doc.Directives.ContainsKey(key))
            {
                doc.Issues.Add(new ParseIssue("DO1011", $"Parser directive '{key}' appears more than once; the later one is a plain comment.",
                    SourceRange.Of(i + 1, 1, i + 1, lines[i].Length + 1)));
                break;
            }
            var value = m.Groups[2].Value;
            doc.Directives[key] = (value, i + 1);
            if (key == "escape" && value is not ("\\" or "`"))
                doc.Issues.Add(new ParseIssue("DO1011", $"Invalid escape directive '{value}': only \\ and ` are allowed.",
                    SourceRange.Of(i + 1, 1, i + 1, lines[i].Length + 1)));
            doc.Comments.Add(new CommentLine(i + 1, 1, lines[i].TrimStart()));
        }
        return i;
    }

    static readonly string[] UpperKeywords = KnownInstructions.Select(k => k.ToUpperInvariant()).ToArray();

    /// <summary>The keyword (the first <paramref name="k"/> characters): one shared string when it is a known one written in capitals.</summary>
    static string Keyword(string t, int k)
    {
        var span = t.AsSpan(0, k);
        foreach (var known in UpperKeywords)
            if (span.SequenceEqual(known)) return known;
        return t.Substring(0, k);
    }

    internal static Instruction ParseInstruction(DockerfileDocument doc, MappedText logical)
    {
        var t = logical.Text;
        var k = 0;
        while (k < t.Length && !char.IsWhiteSpace(t[k])) k++;
        var kw = Keyword(t, k);
        var upper = kw.ToUpperInvariant();
        var known = KnownInstructions.Contains(kw) && kw.All(char.IsLetter);
        var a = k;
        while (a < t.Length && char.IsWhiteSpace(t[a])) a++;
        var ins = new Instruction
        {
            Keyword = upper,
            KeywordText = kw,
            KeywordRange = logical.RangeOf(0, k),
            IsKnown = known,
        };
        ins.Range = logical.RangeOf(0, t.Length);
        if (!known)
        {
            doc.Issues.Add(new ParseIssue("DO1001", $"Unknown instruction '{kw}'.", ins.KeywordRange, ins,
                "Use one of " + string.Join(", ", KnownInstructions.Order()) + "."));
            ins.Arguments = logical.Slice(a, t.Length - a).Trim();
            return ins;
        }

        a = ReadFlags(doc, ins, logical, upper, a);
        ins.Arguments = logical.Slice(a, t.Length - a).Trim();
        var args = ins.Arguments.Text;

        ReadExecForm(doc, ins, upper, args);

        if (args.Length == 0 && upper is not ("CMD" or "ENTRYPOINT"))
            doc.Issues.Add(new ParseIssue("DO1005", $"{upper} requires arguments.", ins.Range, ins));

        CheckArguments(doc, ins, upper, args);
        return ins;
    }

    /// <summary>Reads the <c>--flags</c> after the keyword (validating them); returns the index where the arguments start.</summary>
    static int ReadFlags(DockerfileDocument doc, Instruction ins, MappedText logical, string upper, int a)
    {
        var t = logical.Text;
        if (a + 1 >= t.Length || t[a] != '-' || t[a + 1] != '-') return a; // the first word is no flag: nothing to read
        if (KnownFlags.TryGetValue(upper, out var allowed))
        {
            foreach (var w in Words(t, a))
            {
                if (!w.Raw.StartsWith("--", StringComparison.Ordinal) || w.Raw.Length == 2) break;
                var eq = w.Value.IndexOf('=');
                var name = eq < 0 ? w.Value.Substring(2) : w.Value.Substring(2, eq - 2);
                var value = eq < 0 ? null : w.Value.Substring(eq + 1);
                var f = new InstructionFlag { Name = name, Value = value, Range = logical.RangeOf(w.Start, w.End) };
                ins.Flags.Add(f);
                a = w.End;
                while (a < t.Length && char.IsWhiteSpace(t[a])) a++;
                ValidateFlag(doc, ins, f, allowed);
            }
        }
        else if (upper != "ONBUILD")
        {
            // Flags on instructions that take none: report and skip them, so the arguments stay usable.
            foreach (var w in Words(t, a))
            {
                if (!w.Raw.StartsWith("--", StringComparison.Ordinal) || w.Raw.Length == 2 || upper is "CMD" or "ENTRYPOINT" or "RUN" or "SHELL") break;
                if (upper is "LABEL" or "ENV" or "ARG" or "EXPOSE" or "USER" or "WORKDIR" or "VOLUME" or "STOPSIGNAL" or "MAINTAINER")
                {
                    var eq = w.Value.IndexOf('=');
                    var f = new InstructionFlag { Name = eq < 0 ? w.Value.Substring(2) : w.Value.Substring(2, eq - 2), Value = eq < 0 ? null : w.Value.Substring(eq + 1), Range = logical.RangeOf(w.Start, w.End) };
                    ins.Flags.Add(f);
                    doc.Issues.Add(new ParseIssue("DO1002", $"{upper} takes no flag; '--{f.Name}' is unknown.", f.Range, ins, "Remove the flag."));
                    a = w.End;
                    while (a < t.Length && char.IsWhiteSpace(t[a])) a++;
                }
                else break;
            }
        }
        return a;
    }

    /// <summary>Reads the exec (JSON) form of the instructions that have one; arguments that look like JSON but are not are DO1008.</summary>
    static void ReadExecForm(DockerfileDocument doc, Instruction ins, string upper, string args)
    {
        if (upper is "RUN" or "CMD" or "ENTRYPOINT" or "SHELL" or "VOLUME" or "COPY" or "ADD" or "HEALTHCHECK")
        {
            var jsonText = args;
            if (upper == "HEALTHCHECK" && args.StartsWith("CMD", StringComparison.OrdinalIgnoreCase)) jsonText = args.Substring(3).TrimStart();
            if (jsonText.StartsWith('['))
            {
                try
                {
                    ins.ExecForm = JsonSerializer.Deserialize<string[]>(jsonText);
                    if (ins.ExecForm != null && ins.ExecForm.Any(x => x == null)) ins.ExecForm = null;
                }
                catch (JsonException) { ins.ExecForm = null; }
                if (ins.ExecForm == null && upper is not ("VOLUME" or "COPY" or "ADD"))
                {
                    ins.InvalidJson = true;
                    doc.Issues.Add(new ParseIssue("DO1008", $"{upper} arguments look like JSON but are not valid JSON (single quotes?); Docker runs them as a shell command.",
                        ins.Arguments.RangeOf(0, args.Length), ins, "Use double quotes: [\"executable\", \"arg\"]."));
                }
            }
        }
    }

    /// <summary>Instruction-specific argument checks: ONBUILD triggers, SHELL form, STOPSIGNAL values, HEALTHCHECK shape.</summary>
    static void CheckArguments(DockerfileDocument doc, Instruction ins, string upper, string args)
    {
        switch (upper)
        {
            case "ONBUILD" when args.Length > 0:
                var trigger = ParseInstruction(doc, ins.Arguments);
                ins.Trigger = trigger;
                if (trigger.Keyword is "ONBUILD" or "FROM" or "MAINTAINER")
                    doc.Issues.Add(new ParseIssue("DO1009", $"{trigger.Keyword} is not allowed as an ONBUILD trigger.", trigger.KeywordRange, ins));
                break;
            case "SHELL" when ins.ExecForm == null && !ins.InvalidJson && args.Length > 0:
                doc.Issues.Add(new ParseIssue("DO1008", "SHELL requires the JSON form.", ins.Arguments.RangeOf(0, args.Length), ins,
                    "Write SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]."));
                break;
            case "STOPSIGNAL" when args.Length > 0 && !Regex.IsMatch(args, @"^(SIG[A-Z0-9+\-]+|[A-Z]+|\d+|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?)$"):
                doc.Issues.Add(new ParseIssue("DO1014", $"STOPSIGNAL takes a signal name (SIGTERM) or number, not '{args}'.", ins.Arguments.RangeOf(0, args.Length), ins, "STOPSIGNAL SIGTERM"));
                break;
            case "HEALTHCHECK" when args.Length > 0:
                var first = Words(args).FirstOrDefault();
                var type = first.Value?.ToUpperInvariant();
                if (type == "NONE" && (Words(args).Count() > 1 || ins.Flags.Count > 0))
                    doc.Issues.Add(new ParseIssue("DO1005", "HEALTHCHECK NONE takes no arguments or options.", ins.Arguments.RangeOf(0, args.Length), ins));
                else if (type != "NONE" && type != "CMD")
                    doc.Issues.Add(new ParseIssue("DO1005", $"HEALTHCHECK must be followed by CMD or NONE, not '{first.Value}'.", ins.Arguments.RangeOf(first.Start, first.End), ins));
                else if (type == "CMD" && args.Trim().Length <= 3)
                    doc.Issues.Add(new ParseIssue("DO1005", "HEALTHCHECK CMD requires a command.", ins.Range, ins));
                break;
        }
    }

    static void ValidateFlag(DockerfileDocument doc, Instruction ins, InstructionFlag f, string[] allowed)
    {
        if (!allowed.Contains(f.Name, StringComparer.OrdinalIgnoreCase))
        {
            doc.Issues.Add(new ParseIssue("DO1002", $"Unknown flag '--{f.Name}' for {ins.Keyword}; linting continues without it.", f.Range, ins,
                "Known flags: " + string.Join(", ", allowed.Select(x => "--" + x)) + "."));
            return;
        }
        var name = f.Name.ToLowerInvariant();
        if (BoolFlags.Contains(name))
        {
            if (f.Value != null && !bool.TryParse(f.Value, out _) && !f.Value.Contains('$'))
                doc.Issues.Add(new ParseIssue("DO1003", $"--{name} expects true or false, not '{f.Value}'.", f.Range, ins));
            return;
        }
        if (string.IsNullOrEmpty(f.Value))
        {
            doc.Issues.Add(new ParseIssue("DO1003", $"--{name} requires a value.", f.Range, ins));
            return;
        }
        var v = f.Value;
        switch (name)
        {
            case "network" when v is not ("default" or "none" or "host") && !v.Contains('$'):
                doc.Issues.Add(new ParseIssue("DO1003", $"--network must be default, none or host, not '{v}'.", f.Range, ins));
                break;
            case "security" when v is not ("insecure" or "sandbox") && !v.Contains('$'):
                doc.Issues.Add(new ParseIssue("DO1003", $"--security must be insecure or sandbox, not '{v}'.", f.Range, ins));
                break;
            case "interval" or "timeout" or "start-period" or "start-interval" when !DurationRe.IsMatch(v):
                doc.Issues.Add(new ParseIssue("DO1003", $"--{name} needs a duration with a unit (for example 30s), not '{v}'.", f.Range, ins));
                break;
            case "retries" when !int.TryParse(v, out var r) || r < 0:
                doc.Issues.Add(new ParseIssue("DO1003", $"--retries needs a non-negative integer, not '{v}'.", f.Range, ins));
                break;
            case "mount":
                var opts = ParseMount(v);
                var type = opts.TryGetValue("type", out var ty) ? ty ?? "" : "bind";
                if (!MountKeys.TryGetValue(type, out var keys))
                {
                    doc.Issues.Add(new ParseIssue("DO1003", $"Unknown mount type '{type}' (bind, cache, tmpfs, secret, ssh).", f.Range, ins));
                    break;
                }
                foreach (var key in opts.Keys)
                {
                    if (key is "type" or "target" or "dst" or "destination") continue;
                    if (!keys.Contains(key, StringComparer.OrdinalIgnoreCase))
                        doc.Issues.Add(new ParseIssue("DO1003", $"Unknown option '{key}' for --mount=type={type}.", f.Range, ins));
                }
                if (type is not ("secret" or "ssh") && !opts.ContainsKey("target") && !opts.ContainsKey("dst") && !opts.ContainsKey("destination"))
                    doc.Issues.Add(new ParseIssue("DO1003", $"--mount=type={type} requires target=.", f.Range, ins));
                if (opts.TryGetValue("sharing", out var sh) && sh is not ("shared" or "private" or "locked"))
                    doc.Issues.Add(new ParseIssue("DO1003", $"Mount sharing must be shared, private or locked, not '{sh}'.", f.Range, ins));
                break;
        }
    }

    /// <summary>Splits a --mount value (CSV of key[=value]) into options; keys lower-case.</summary>
    public static Dictionary<string, string?> ParseMount(string value)
    {
        var d = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in value.Split(','))
        {
            var p = part.Trim().Trim('"');
            if (p.Length == 0) continue;
            var eq = p.IndexOf('=');
            d[(eq < 0 ? p : p.Substring(0, eq)).ToLowerInvariant()] = eq < 0 ? null : p.Substring(eq + 1);
        }
        return d;
    }

    /// <summary>Splits on unquoted whitespace; quotes removed from <see cref="Word.Value"/>.</summary>
    public static IEnumerable<Word> Words(string s, int from = 0)
    {
        var i = from;
        while (true)
        {
            while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
            if (i >= s.Length) yield break;
            var start = i;
            System.Text.StringBuilder? sb = null; // made at the first quote: a word without quotes is its own value
            char quote = '\0';
            while (i < s.Length)
            {
                var c = s[i];
                if (quote != '\0')
                {
                    if (c == quote) { quote = '\0'; i++; continue; }
                    if (c == '\\' && quote == '"' && i + 1 < s.Length && (s[i + 1] == '"' || s[i + 1] == '\\')) { sb!.Append(s[i + 1]); i += 2; continue; }
                    sb!.Append(c); i++; continue;
                }
                if (char.IsWhiteSpace(c)) break;
                if (c is '"' or '\'') { sb ??= new System.Text.StringBuilder().Append(s, start, i - start); quote = c; i++; continue; }
                sb?.Append(c); i++;
            }
            var raw = s.Substring(start, i - start);
            yield return new Word(start, i, raw, sb?.ToString() ?? raw);
        }
    }
}
