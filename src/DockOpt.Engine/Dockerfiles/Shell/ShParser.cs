using System.Text;

namespace DockOpt.Engine.Dockerfiles.Shell;

/// <summary>
/// A tolerant recursive-descent parser for POSIX sh (with the bash forms Dockerfiles use: [[ ]], arrays, function,
/// brace expansion). Never throws: on a construct it cannot read it stops and sets <see cref="Failed"/>.
/// Offsets in the AST index the text given, so a <see cref="MappedText"/> maps them to the physical line and column.
/// </summary>
public sealed class ShParser
{
    readonly string _s;
    int _i;
    readonly int _end;
    readonly List<string> _pendingHeredocs = new();

    ShParser(string s, int start, int end) { _s = s; _i = start; _end = end; }

    public bool Failed { get; private set; }

    /// <summary>Parses a whole script.</summary>
    public static ShSequence Parse(string script, out bool failed)
    {
        var p = new ShParser(script, 0, script.Length);
        var seq = p.ParseSequence(Array.Empty<string>(), null);
        if (p._i < p._end) p.Failed = true;
        failed = p.Failed;
        return seq;
    }

    char Cur => _i < _end ? _s[_i] : '\0';
    char At(int k) => _i + k < _end ? _s[_i + k] : '\0';
    bool Eof => _i >= _end;

    void SkipBlanks()
    {
        while (!Eof)
        {
            if (Cur is ' ' or '\t' or '\r') _i++;
            else if (Cur == '\\' && At(1) == '\n') _i += 2;
            else if (Cur == '#') { while (!Eof && Cur != '\n') _i++; }
            else break;
        }
    }

    void Newline()
    {
        _i++; // the '\n'
        foreach (var delim in _pendingHeredocs)
        {
            while (!Eof)
            {
                var e = _s.IndexOf('\n', _i, _end - _i);
                var lineEnd = e < 0 ? _end : e;
                var line = _s.Substring(_i, lineEnd - _i);
                _i = e < 0 ? _end : e + 1;
                if (line.TrimStart('\t').TrimEnd('\r') == delim) break;
            }
        }
        _pendingHeredocs.Clear();
    }

    void SkipLinebreaks()
    {
        while (true)
        {
            SkipBlanks();
            if (Cur == '\n') Newline(); else break;
        }
    }

    bool PeekReserved(string word)
    {
        if (string.CompareOrdinal(_s, _i, word, 0, word.Length) != 0 || _i + word.Length > _end) return false;
        var after = _i + word.Length < _end ? _s[_i + word.Length] : ' ';
        return after is ' ' or '\t' or '\n' or ';' or '&' or '|' or '(' or ')' or '\r' || (word is "{" or "}" or "!" && after is not ('\0'));
    }

    bool PeekAnyReserved(IReadOnlyCollection<string> words)
    {
        if (words.Count == 0) return false; // the common case: no delegate, no enumerator
        foreach (var w in words)
            if (PeekReserved(w)) return true;
        return false;
    }

    void Expect(string word)
    {
        SkipLinebreaks();
        if (PeekReserved(word) || (word.Length > 0 && string.CompareOrdinal(_s, _i, word, 0, word.Length) == 0)) _i += word.Length;
        else Failed = true;
    }

    /// <summary>Parses and-or lists until EOF, one of <paramref name="terminators"/> (reserved words) or the closing character.</summary>
    ShSequence ParseSequence(IReadOnlyCollection<string> terminators, char? close)
    {
        var seq = new ShSequence { Start = _i };
        while (true)
        {
            SkipLinebreaks();
            while (Cur == ';' && At(1) != ';') { _i++; SkipLinebreaks(); }
            if (Eof || Failed) break;
            if (close != null && Cur == close) break;
            if (Cur == ';' && At(1) == ';') break; // case item end
            if (PeekAnyReserved(terminators)) break;
            var before = _i;
            var ao = ParseAndOr(terminators, close);
            if (ao == null || _i == before) { Failed = true; break; }
            seq.Items.Add(ao);
            SkipBlanks();
            if (Cur == '&' && At(1) != '&') { ao.Background = true; _i++; }
            else if (Cur == ';' && At(1) != ';') _i++;
            else if (Cur == '\n') Newline();
        }
        seq.End = _i;
        return seq;
    }

    ShAndOr? ParseAndOr(IReadOnlyCollection<string> terminators, char? close)
    {
        var ao = new ShAndOr { Start = _i };
        var p = ParsePipeline(terminators, close);
        if (p == null) return null;
        ao.Items.Add(p);
        while (true)
        {
            SkipBlanks();
            if ((Cur == '&' && At(1) == '&') || (Cur == '|' && At(1) == '|'))
            {
                ao.Operators.Add(_s.Substring(_i, 2));
                ao.OperatorOffsets.Add(_i);
                _i += 2;
                SkipLinebreaks();
                var next = ParsePipeline(terminators, close);
                if (next == null) { Failed = true; break; }
                ao.Items.Add(next);
            }
            else break;
        }
        ao.End = p == null ? _i : ao.Items[^1].End;
        return ao;
    }

    ShPipeline? ParsePipeline(IReadOnlyCollection<string> terminators, char? close)
    {
        SkipBlanks();
        var pl = new ShPipeline { Start = _i };
        if (Cur == '!' && At(1) is ' ' or '\t') { pl.Bang = true; _i++; SkipBlanks(); }
        while (true)
        {
            var c = ParseCommand(terminators, close);
            if (c == null) return pl.Commands.Count == 0 ? null : pl;
            pl.Commands.Add(c);
            SkipBlanks();
            if (Cur == '|' && At(1) != '|') { _i++; if (Cur == '&') _i++; SkipLinebreaks(); continue; }
            break;
        }
        pl.End = pl.Commands[^1].End;
        return pl;
    }

    static readonly string[] ThenT = { "then" }, FiT = { "fi", "elif", "else" }, DoT = { "do" }, DoneT = { "done" }, BraceT = { "}" }, EsacT = { "esac" };

    ShCommand? ParseCommand(IReadOnlyCollection<string> terminators, char? close)
    {
        SkipBlanks();
        if (Eof || Failed) return null;
        var start = _i;
        if (!TryParseCompound(terminators, close, out var cmd))
        {
            if (PeekAnyReserved(terminators) || (close != null && Cur == close) || PeekReserved("}") && terminators.Contains("}")) return null;
            cmd = ParseSimple(close);
        }
        if (cmd == null) return null;
        cmd.Start = start;
        if (cmd is not ShSimpleCommand) ReadRedirects(cmd);
        cmd.End = _i;
        while (cmd.End > start && char.IsWhiteSpace(_s[cmd.End - 1])) cmd.End--;
        return cmd;
    }

    /// <summary>A compound command or a function definition at the cursor; false when it starts a simple command.</summary>
    bool TryParseCompound(IReadOnlyCollection<string> terminators, char? close, out ShCommand? cmd)
    {
        if (Cur == '(' && At(1) == '(') cmd = ParseArithCommand();
        else if (Cur == '(') cmd = ParseSubshell();
        else if (PeekReserved("{")) cmd = ParseGroup();
        else if (PeekReserved("[[")) cmd = ParseDoubleBracket();
        else if (PeekReserved("if")) cmd = ParseIf();
        else if (PeekReserved("while") || PeekReserved("until")) cmd = ParseWhile();
        else if (PeekReserved("for")) cmd = ParseFor();
        else if (PeekReserved("case")) cmd = ParseCase();
        else if (PeekReserved("function")) cmd = ParseFunctionKeyword(terminators, close);
        else if (IsFunctionDefinition(out var fname))
        {
            _i = _s.IndexOf(')', _i) + 1;
            SkipLinebreaks();
            cmd = new ShFunction { Name = fname, Parens = true, Body = ParseCommand(terminators, close) ?? new ShGroup() };
        }
        else
        {
            cmd = null;
            return false;
        }
        return true;
    }

    ShCommand ParseArithCommand()
    {
        var depth = 0; var j = _i;
        for (; j < _end; j++) { if (_s[j] == '(') depth++; else if (_s[j] == ')' && --depth == 0) break; }
        var cmd = new ShArithCommand { Text = _s.Substring(_i, Math.Min(j + 1, _end) - _i) };
        _i = Math.Min(j + 1, _end);
        return cmd;
    }

    ShCommand ParseSubshell()
    {
        _i++;
        var body = ParseSequence(Array.Empty<string>(), ')');
        if (Cur == ')') _i++; else Failed = true;
        return new ShSubshell { Body = body };
    }

    ShCommand ParseGroup()
    {
        _i++;
        var body = ParseSequence(BraceT, null);
        Expect("}");
        return new ShGroup { Body = body };
    }

    ShCommand ParseDoubleBracket()
    {
        _i += 2;
        var db = new ShDoubleBracket();
        while (true)
        {
            SkipBlanks();
            if (Eof || Cur == '\n') { Failed = true; break; }
            if (PeekReserved("]]")) { _i += 2; break; }
            if (Cur is '&' or '|' or '(' or ')' or '<' or '>') { _i += Cur == At(1) ? 2 : 1; continue; }
            var w = ReadWord(true);
            if (w == null) { _i++; continue; }
            db.Words.Add(w);
        }
        return db;
    }

    ShCommand ParseIf()
    {
        _i += 2;
        var ifc = new ShIf();
        while (true)
        {
            var cond = ParseSequence(ThenT, null);
            Expect("then");
            var body = ParseSequence(FiT, null);
            ifc.Branches.Add((cond, body));
            SkipLinebreaks();
            if (PeekReserved("elif")) { _i += 4; continue; }
            if (PeekReserved("else")) { _i += 4; ifc.Else = ParseSequence(new[] { "fi" }, null); }
            Expect("fi");
            break;
        }
        return ifc;
    }

    ShCommand ParseWhile()
    {
        var until = Cur == 'u';
        _i += 5;
        var cond = ParseSequence(DoT, null);
        Expect("do");
        var body = ParseSequence(DoneT, null);
        Expect("done");
        return new ShWhile { Until = until, Condition = cond, Body = body };
    }

    /// <summary>A for loop; null (and Failed) when no variable name follows 'for'.</summary>
    ShCommand? ParseFor()
    {
        _i += 3;
        SkipBlanks();
        var f = new ShFor();
        var nameStart = _i;
        while (!Eof && (char.IsLetterOrDigit(Cur) || Cur == '_')) _i++;
        f.Variable = _s.Substring(nameStart, _i - nameStart);
        if (f.Variable.Length == 0) { Failed = true; return null; }
        SkipLinebreaks();
        if (PeekReserved("in"))
        {
            _i += 2;
            f.Words = new List<ShWord>();
            while (true)
            {
                SkipBlanks();
                if (Eof || Cur is ';' or '\n') break;
                var w = ReadWord(false);
                if (w == null) { Failed = true; break; }
                f.Words.Add(w);
            }
        }
        SkipBlanks();
        if (Cur == ';') _i++;
        SkipLinebreaks();
        Expect("do");
        f.Body = ParseSequence(DoneT, null);
        Expect("done");
        return f;
    }

    ShCommand ParseCase()
    {
        _i += 4;
        SkipBlanks();
        var c = new ShCase { Subject = ReadWord(false) ?? new ShWord() };
        SkipLinebreaks();
        Expect("in");
        while (true)
        {
            SkipLinebreaks();
            if (Eof || Failed || PeekReserved("esac")) break;
            if (Cur == '(') _i++;
            var pats = ParseCasePatterns();
            if (Failed) break;
            var body = ParseSequence(EsacT, null);
            c.Items.Add((pats, body));
            SkipLinebreaks();
            if (Cur == ';' && At(1) == ';') { _i += 2; if (Cur == '&') _i++; }
            else if (Cur == ';' && At(1) == '&') _i += 2;
        }
        Expect("esac");
        return c;
    }

    /// <summary>The patterns of one case item, up to its ')'; Failed when they do not end there.</summary>
    List<ShWord> ParseCasePatterns()
    {
        var pats = new List<ShWord>();
        while (true)
        {
            SkipBlanks();
            var w = ReadWord(false);
            if (w == null) { Failed = true; break; }
            pats.Add(w);
            SkipBlanks();
            if (Cur == '|') { _i++; continue; }
            if (Cur == ')') { _i++; break; }
            Failed = true; break;
        }
        return pats;
    }

    ShCommand ParseFunctionKeyword(IReadOnlyCollection<string> terminators, char? close)
    {
        _i += 8;
        SkipBlanks();
        var ns = _i;
        while (!Eof && Cur is not (' ' or '\t' or '(' or '\n' or '{')) _i++;
        var fn = new ShFunction { Name = _s.Substring(ns, _i - ns), Keyword = true };
        SkipBlanks();
        if (Cur == '(' && At(1) == ')') { fn.Parens = true; _i += 2; }
        SkipLinebreaks();
        fn.Body = ParseCommand(terminators, close) ?? new ShGroup();
        return fn;
    }

    bool IsFunctionDefinition(out string name)
    {
        name = "";
        var j = _i;
        while (j < _end && (char.IsLetterOrDigit(_s[j]) || _s[j] is '_' or '-' or '.' or ':')) j++;
        if (j == _i) return false;
        var k = j;
        while (k < _end && _s[k] is ' ' or '\t') k++;
        if (k + 1 < _end && _s[k] == '(')
        {
            var m = k + 1;
            while (m < _end && _s[m] is ' ' or '\t') m++;
            if (m < _end && _s[m] == ')') { name = _s.Substring(_i, j - _i); return true; }
        }
        return false;
    }

    void ReadRedirects(ShCommand cmd)
    {
        while (true)
        {
            SkipBlanks();
            var r = TryRedirect();
            if (r == null) break;
            cmd.Redirects.Add(r);
        }
    }

    ShRedirect? TryRedirect()
    {
        var j = _i;
        while (j < _end && char.IsDigit(_s[j])) j++;
        if (j < _end && _s[j] == '{' ) return null;
        if (j >= _end || _s[j] is not ('<' or '>')) { if (!(Cur == '&' && At(1) == '>')) return null; j = _i; }
        var start = _i;
        _i = j;
        var opStart = _i;
        if (Cur == '&' && At(1) == '>') _i += 2;
        while (!Eof && Cur is '<' or '>' or '&' or '|' or '-' && _i - opStart < 3) _i++;
        var op = _s.Substring(opStart, _i - opStart);
        SkipBlanks();
        var target = ReadWord(false);
        if (op.StartsWith("<<", StringComparison.Ordinal) && op != "<<<" && target != null)
            _pendingHeredocs.Add(target.Literal ?? target.Raw.Trim('\'', '"'));
        return new ShRedirect { Start = start, End = _i, Op = op, Target = target };
    }

    ShSimpleCommand? ParseSimple(char? close)
    {
        var sc = new ShSimpleCommand();
        while (true)
        {
            SkipBlanks();
            if (Eof || Cur is '\n' or ';' or '|' or ')' || (Cur == '&' && At(1) != '>')) break;
            if (close != null && Cur == close) break;
            var r = TryRedirect();
            if (r != null) { sc.Redirects.Add(r); continue; }
            if (Cur == '(') { Failed = true; break; }
            if (sc.Words.Count == 0 && TryAssignment() is { } a) { sc.Assignments.Add(a); continue; }
            var w = ReadWord(false);
            if (w == null) { Failed = true; break; }
            sc.Words.Add(w);
        }
        if (sc.Words.Count == 0 && sc.Assignments.Count == 0 && sc.Redirects.Count == 0) return null;
        return sc;
    }

    ShAssignment? TryAssignment()
    {
        var j = _i;
        if (j >= _end || !(char.IsLetter(_s[j]) || _s[j] == '_')) return null;
        while (j < _end && (char.IsLetterOrDigit(_s[j]) || _s[j] == '_')) j++;
        if (j < _end && _s[j] == '[') { var k = _s.IndexOf(']', j); if (k < 0) return null; j = k + 1; }
        if (j < _end && _s[j] == '+') j++;
        if (j >= _end || _s[j] != '=') return null;
        var a = new ShAssignment { Start = _i, Name = _s.Substring(_i, j - _i).TrimEnd('+') };
        var bracket = a.Name.IndexOf('[');
        if (bracket > 0) a.Name = a.Name.Substring(0, bracket);
        _i = j + 1;
        if (Cur == '(')
        {
            _i++;
            a.Array = new List<ShWord>();
            while (true)
            {
                SkipLinebreaks();
                if (Eof) { Failed = true; break; }
                if (Cur == ')') { _i++; break; }
                var w = ReadWord(false);
                if (w == null) { Failed = true; break; }
                a.Array.Add(w);
            }
        }
        else if (!Eof && Cur is not (' ' or '\t' or '\n' or ';' or '&' or '|' or ')' or '<' or '>'))
            a.Value = ReadWord(false);
        a.End = _i;
        return a;
    }

    static bool IsWordEnd(char c, bool inDoubleBracket) => c is ' ' or '\t' or '\n' or '\r' or '\0' or ';' or '&' or '|' or ')' or '(' || (!inDoubleBracket && c is '<' or '>');

    /// <summary>Reads one word at the cursor (null when there is none).</summary>
    ShWord? ReadWord(bool inDoubleBracket)
    {
        var w = new ShWord { Start = _i };
        StringBuilder? lit = null; // made only when the literal has an escape: most words are their own text
        var litStart = _i;
        void Flush()
        {
            if (_i > litStart)
            {
                var raw = _s.Substring(litStart, _i - litStart);
                w.Parts.Add(new ShLiteral { Start = litStart, End = _i, Text = lit?.ToString() ?? raw, Raw = raw });
            }
            lit = null;
        }
        while (!Eof)
        {
            var c = Cur;
            if (c == '\\' && At(1) == '\n') { lit ??= new StringBuilder().Append(_s, litStart, _i - litStart); _i += 2; continue; }
            if (IsWordEnd(c, inDoubleBracket))
            {
                // ( inside a word: extglob or array subscripts are rare; stop here.
                break;
            }
            if (c == '\\') { lit ??= new StringBuilder().Append(_s, litStart, _i - litStart); lit.Append(At(1)); _i += Math.Min(2, _end - _i); continue; }
            if (c == '\'')
            {
                Flush();
                var s = _i;
                var e = _s.IndexOf('\'', _i + 1, _end - _i - 1 < 0 ? 0 : _end - _i - 1);
                if (e < 0) { Failed = true; _i = _end; break; }
                w.Parts.Add(new ShSingleQuoted { Start = s, End = e + 1, Text = _s.Substring(s + 1, e - s - 1) });
                _i = e + 1;
                litStart = _i;
                continue;
            }
            if (c == '"')
            {
                Flush();
                w.Parts.Add(ReadDoubleQuoted());
                litStart = _i;
                continue;
            }
            if (c == '$' && At(1) is not ('\0' or ' ' or '\t' or '\n' or '"' or ')'))
            {
                Flush();
                var p = ReadDollar();
                if (p != null) w.Parts.Add(p);
                litStart = _i;
                if (p == null) litStart = _i - 1; // the '$' starts the next literal (its text is taken from the script)
                continue;
            }
            if (c == '`')
            {
                Flush();
                w.Parts.Add(ReadBacktick());
                litStart = _i;
                continue;
            }
            lit?.Append(c);
            _i++;
        }
        Flush();
        w.End = _i;
        if (w.End == w.Start) return null;
        w.Raw = _s.Substring(w.Start, w.End - w.Start);
        return w;
    }

    ShDoubleQuoted ReadDoubleQuoted()
    {
        var d = new ShDoubleQuoted { Start = _i };
        _i++; // "
        var lit = new StringBuilder();
        var litStart = _i;
        void Flush()
        {
            if (_i > litStart) d.Parts.Add(new ShLiteral { Start = litStart, End = _i, Text = lit.ToString(), Raw = _s.Substring(litStart, _i - litStart) });
            lit.Clear();
        }
        while (true)
        {
            if (Eof) { Failed = true; break; }
            var c = Cur;
            if (c == '"') { Flush(); _i++; break; }
            if (c == '\\') { lit.Append(At(1) is '$' or '`' or '"' or '\\' ? At(1) : c); if (At(1) is '$' or '`' or '"' or '\\') _i += 2; else if (At(1) == '\n') { lit.Length--; _i += 2; } else _i++; continue; }
            if (c == '$' && At(1) is not ('\0' or ' ' or '\t' or '\n' or '"'))
            {
                Flush();
                var p = ReadDollar();
                if (p != null) d.Parts.Add(p);
                litStart = p == null ? _i - 1 : _i;
                if (p == null) lit.Append('$');
                continue;
            }
            if (c == '`') { Flush(); d.Parts.Add(ReadBacktick()); litStart = _i; continue; }
            lit.Append(c);
            _i++;
        }
        d.End = _i;
        return d;
    }

    /// <summary>At '$': reads the expansion, or returns null (cursor after the '$') when it is a literal dollar.</summary>
    ShPart? ReadDollar()
    {
        var start = _i;
        _i++;
        if (Cur == '(' && At(1) == '(')
        {
            var depth = 0; var j = _i;
            for (; j < _end; j++) { if (_s[j] == '(') depth++; else if (_s[j] == ')' && --depth == 0) break; }
            if (j >= _end) { Failed = true; _i = _end; return new ShArith { Start = start, End = _end }; }
            _i = j + 1;
            return new ShArith { Start = start, End = _i, Text = _s.Substring(start + 3, Math.Max(0, j - start - 4)) };
        }
        if (Cur == '(')
        {
            _i++;
            var saved = new List<string>(_pendingHeredocs);
            _pendingHeredocs.Clear();
            var body = ParseSequence(Array.Empty<string>(), ')');
            _pendingHeredocs.AddRange(saved);
            if (Cur == ')') _i++; else Failed = true;
            return new ShCommandSub { Start = start, End = _i, Body = body };
        }
        if (Cur == '{')
        {
            var depth = 0; var j = _i;
            for (; j < _end; j++)
            {
                var ch = _s[j];
                if (ch == '\\') { j++; continue; }
                if (ch == '\'' && depth > 0 && false) continue;
                if (ch == '{') depth++;
                else if (ch == '}' && --depth == 0) break;
            }
            if (j >= _end) { Failed = true; _i = _end; return new ShParam { Start = start, End = _end, Braced = true }; }
            var body = _s.Substring(_i + 1, j - _i - 1);
            _i = j + 1;
            var nb = body.StartsWith('#') && body.Length > 1 ? body.Substring(1) : body;
            var n = 0;
            if (nb.Length > 0 && (char.IsLetter(nb[0]) || nb[0] == '_')) { while (n < nb.Length && (char.IsLetterOrDigit(nb[n]) || nb[n] == '_')) n++; }
            else if (nb.Length > 0) n = char.IsDigit(nb[0]) ? nb.TakeWhile(char.IsDigit).Count() : 1;
            return new ShParam { Start = start, End = _i, Braced = true, Body = body, Name = nb.Substring(0, n) };
        }
        if (char.IsLetter(Cur) || Cur == '_')
        {
            var s = _i;
            while (!Eof && (char.IsLetterOrDigit(Cur) || Cur == '_')) _i++;
            return new ShParam { Start = start, End = _i, Name = _s.Substring(s, _i - s) };
        }
        if (char.IsDigit(Cur) || Cur is '?' or '$' or '!' or '#' or '@' or '*' or '-')
        {
            _i++;
            return new ShParam { Start = start, End = _i, Name = _s.Substring(_i - 1, 1) };
        }
        return null;
    }

    ShCommandSub ReadBacktick()
    {
        var start = _i;
        var j = _i + 1;
        while (j < _end && _s[j] != '`') { if (_s[j] == '\\') j++; j++; }
        if (j >= _end) { Failed = true; _i = _end; return new ShCommandSub { Start = start, End = _end, Backtick = true }; }
        var inner = new ShParser(_s, start + 1, j);
        var body = inner.ParseSequence(Array.Empty<string>(), null);
        _i = j + 1;
        return new ShCommandSub { Start = start, End = _i, Backtick = true, Body = body };
    }
}
