namespace DockOpt.Engine.Dockerfiles;

/// <summary>One instruction with exact physical positions.</summary>
public sealed class Instruction
{
    /// <summary>Upper-case keyword, e.g. RUN.</summary>
    public string Keyword { get; init; } = "";
    /// <summary>Keyword as written.</summary>
    public string KeywordText { get; init; } = "";
    public SourceRange KeywordRange { get; init; }
    /// <summary>From the keyword to the end of the last continuation or heredoc terminator.</summary>
    public SourceRange Range { get; internal set; }
    public List<InstructionFlag> Flags { get; } = new();
    /// <summary>The arguments after the flags (continuations joined, comment lines removed).</summary>
    public MappedText Arguments { get; internal set; } = null!;
    public List<Heredoc> Heredocs { get; } = new();
    /// <summary>Exec (JSON) form arguments, or null for shell form.</summary>
    public string[]? ExecForm { get; internal set; }
    /// <summary>Arguments start with '[' but are not valid JSON (falls back to shell form).</summary>
    public bool InvalidJson { get; internal set; }
    /// <summary>Comment lines directly preceding this instruction (pragmas).</summary>
    public List<CommentLine> Comments { get; } = new();
    /// <summary>ONBUILD trigger.</summary>
    public Instruction? Trigger { get; internal set; }
    /// <summary>The ONBUILD instruction this trigger belongs to.</summary>
    public Instruction? Parent { get; internal set; }
    /// <summary>Index of the stage (-1 before the first FROM).</summary>
    public int StageIndex { get; internal set; } = -1;
    /// <summary>Index of this instruction in the file.</summary>
    public int Index { get; internal set; }
    public bool IsKnown { get; internal set; }

    public string? Flag(string name) => Flags.LastOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase))?.Value;
    public bool HasFlag(string name) => Flags.Any(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
    public IEnumerable<InstructionFlag> FlagsNamed(string name) => Flags.Where(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
    public override string ToString() => $"{KeywordText} {Arguments}";
}
