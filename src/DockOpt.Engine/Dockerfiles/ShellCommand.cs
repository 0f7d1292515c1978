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

    /// <summary>Program name (basename), or "".</summary>
    public string Program
    {
        get
        {
            var i = ProgramIndex;
            if (i >= Words.Count) return "";
            var v = Words[i].Value;
            var slash = v.LastIndexOf('/');
            return slash >= 0 ? v.Substring(slash + 1) : v;
        }
    }

    /// <summary>The words after the program (computed once: every shell rule asks).</summary>
    public IReadOnlyList<Word> Args
    {
        get
        {
            var from = Math.Min(ProgramIndex + 1, Words.Count);
            if (_args == null || _argsFor != Words.Count)
            {
                _args = from >= Words.Count ? Array.Empty<Word>() : Words.GetRange(from, Words.Count - from);
                _argsFor = Words.Count;
            }
            return _args;
        }
    }
    IReadOnlyList<Word>? _args;
    int _argsFor = -1;
    public bool HasWord(string w) => Words.Any(x => x.Value == w);
    public bool HasArg(params string[] any) => Args.Any(x => any.Contains(x.Value));
    /// <summary>Short or long option present (handles combined short options such as -qy).</summary>
    public bool HasOption(char shortOpt, params string[] longOpts) =>
        Args.Any(x => longOpts.Contains(x.Value) || longOpts.Any(l => x.Value.StartsWith(l + "=", StringComparison.Ordinal))
            || (shortOpt != '\0' && x.Value.Length > 1 && x.Value[0] == '-' && x.Value[1] != '-' && x.Value.IndexOf(shortOpt, 1) > 0));

    /// <summary>The first non-option argument after the program (a subcommand such as install).</summary>
    public Word? Subcommand(params string[] names)
    {
        foreach (var w in Args)
            if (names.Contains(w.Value)) return w;
        return null;
    }

    public SourceRange Range => Words.Count == 0 ? Source.RangeOf(0, 0) : Source.RangeOf(Words[0].Start, Words[^1].End);
    public SourceRange RangeOfWord(Word w) => Source.RangeOf(w.Start, w.End);
    public string Text => Words.Count == 0 ? "" : Source.Text.Substring(Words[0].Start, Words[^1].End - Words[0].Start);
    public override string ToString() => Text;
}
