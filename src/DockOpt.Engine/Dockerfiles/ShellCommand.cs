namespace DockOpt.Engine.Dockerfiles;

/// <summary>One simple command of a shell script, its words mapped to physical positions.</summary>
public sealed class ShellCommand
{
    public List<Word> Words { get; } = new();
    public MappedText Source { get; init; } = null!;
    /// <summary>Separator before this command ("", "&amp;&amp;", "||", ";", "|", "\n").</summary>
    public string Before { get; set; } = "";
    public string After { get; set; } = "";
    public bool InPipeline => Before == "|" || After == "|";

    /// <summary>Index of the program word after assignments and wrappers (sudo, env, nice…).</summary>
    public int ProgramIndex
    {
        get
        {
            if (_programIndexFor == Words.Count) return _programIndex; // asked by every shell rule: computed once per word count
            _programIndex = ComputeProgramIndex();
            _programIndexFor = Words.Count;
            return _programIndex;
        }
    }
    int _programIndex, _programIndexFor = -1;

    int ComputeProgramIndex()
    {
        var i = 0;
        while (i < Words.Count)
        {
            var v = Words[i].Value;
            if (v.Contains('=') && !v.StartsWith('-') && !v.StartsWith('=') && char.IsLetter(v[0]) && v.IndexOf('=') > 0 && v.Substring(0, v.IndexOf('=')).All(c => char.IsLetterOrDigit(c) || c == '_')) { i++; continue; }
            if (v is "sudo" or "env" or "nice" or "nohup" or "time" or "exec" or "command" or "gosu") { i++; while (i < Words.Count && Words[i].Value.StartsWith('-')) i++; continue; }
            if (v is "then" or "do" or "else" or "elif" or "if" or "while" or "until" or "!") { i++; continue; } // shell keywords before a command
            break;
        }
        return i;
    }

    /// <summary>Program name (basename), or "" (computed once per word count: every shell rule asks).</summary>
    public string Program
    {
        get
        {
            if (_program != null && _programFor == Words.Count) return _program;
            var i = ProgramIndex;
            string p;
            if (i >= Words.Count) p = "";
            else
            {
                var v = Words[i].Value;
                var slash = v.LastIndexOf('/');
                p = slash >= 0 ? v.Substring(slash + 1) : v;
            }
            _programFor = Words.Count;
            return _program = p;
        }
    }
    string? _program;
    int _programFor = -1;

    /// <summary>The words after the program (computed once: every shell rule asks).</summary>
    public IReadOnlyList<Word> Args
    {
        get
        {
            var from = Math.Min(ProgramIndex + 1, Words.Count);
            if (_args == null || _argsFor != Words.Count)
            {
                _args = from >= Words.Count ? Array.Empty<Word>() : new WordsFrom(Words, from); // a view, not a copy
                _argsFor = Words.Count;
            }
            return _args;
        }
    }
    IReadOnlyList<Word>? _args;
    int _argsFor = -1;
    // Loops, not LINQ: every shell rule asks these of every command of every RUN.
    public bool HasWord(string w)
    {
        foreach (var x in Words) if (x.Value == w) return true;
        return false;
    }

    public bool HasArg(params string[] any)
    {
        foreach (var x in Args) if (Array.IndexOf(any, x.Value) >= 0) return true;
        return false;
    }

    /// <summary>Short or long option present (handles combined short options such as -qy).</summary>
    public bool HasOption(char shortOpt, params string[] longOpts)
    {
        foreach (var x in Args)
        {
            var v = x.Value;
            if (shortOpt != '\0' && v.Length > 1 && v[0] == '-' && v[1] != '-' && v.IndexOf(shortOpt, 1) > 0) return true;
            foreach (var l in longOpts)
                if (v.StartsWith(l, StringComparison.Ordinal) && (v.Length == l.Length || v[l.Length] == '=')) return true;
        }
        return false;
    }

    /// <summary>The first argument after the program that is one of <paramref name="names"/> (a subcommand such as install).</summary>
    public Word? Subcommand(params string[] names)
    {
        foreach (var w in Args)
            if (Array.IndexOf(names, w.Value) >= 0) return w;
        return null;
    }

    public SourceRange Range => Words.Count == 0 ? Source.RangeOf(0, 0) : Source.RangeOf(Words[0].Start, Words[^1].End);
    public SourceRange RangeOfWord(Word w) => Source.RangeOf(w.Start, w.End);
    public string Text => Words.Count == 0 ? "" : Source.Text.Substring(Words[0].Start, Words[^1].End - Words[0].Start);
    /// <summary><see cref="Text"/> without a copy (for a pattern match per command).</summary>
    public ReadOnlySpan<char> TextSpan => Words.Count == 0 ? default : Source.Text.AsSpan(Words[0].Start, Words[^1].End - Words[0].Start);
    public override string ToString() => Text;

    /// <summary>The words from an index on, read through (the list does not change once parsed; Args is rebuilt if it does).</summary>
    sealed class WordsFrom(List<Word> words, int from) : IReadOnlyList<Word>
    {
        public Word this[int index] => (uint)index < (uint)Count ? words[from + index] : throw new ArgumentOutOfRangeException(nameof(index));
        public int Count => words.Count - from;

        public IEnumerator<Word> GetEnumerator()
        {
            for (var i = from; i < words.Count; i++) yield return words[i];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
