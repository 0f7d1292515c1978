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
    // Flags, heredocs and comment lines are made when first asked for: most instructions have none, and three empty
    // lists per instruction were a sixth of what a big file keeps alive while it is linted. Hot paths ask the counts.
    List<InstructionFlag>? _flags;
    List<Heredoc>? _heredocs;
    List<CommentLine>? _comments;

    public List<InstructionFlag> Flags => _flags ??= new();
    /// <summary>The arguments after the flags (continuations joined, comment lines removed).</summary>
    public MappedText Arguments { get; internal set; } = null!;
    public List<Heredoc> Heredocs => _heredocs ??= new();
    /// <summary>The number of heredocs (without making the list).</summary>
    public int HeredocCount => _heredocs?.Count ?? 0;
    /// <summary>The number of flags (without making the list).</summary>
    public int FlagCount => _flags?.Count ?? 0;
    /// <summary>Exec (JSON) form arguments, or null for shell form.</summary>
    public string[]? ExecForm { get; internal set; }
    /// <summary>Arguments start with '[' but are not valid JSON (falls back to shell form).</summary>
    public bool InvalidJson { get; internal set; }
    /// <summary>Comment lines directly preceding this instruction (pragmas).</summary>
    public List<CommentLine> Comments => _comments ??= new();
    /// <summary>The comment lines before it, or an empty sequence (without making the list).</summary>
    internal IReadOnlyList<CommentLine> CommentsOrEmpty => (IReadOnlyList<CommentLine>?)_comments ?? Array.Empty<CommentLine>();
    /// <summary>ONBUILD trigger.</summary>
    public Instruction? Trigger { get; internal set; }
    /// <summary>The ONBUILD instruction this trigger belongs to.</summary>
    public Instruction? Parent { get; internal set; }
    /// <summary>Index of the stage (-1 before the first FROM).</summary>
    public int StageIndex { get; internal set; } = -1;
    /// <summary>Index of this instruction in the file.</summary>
    public int Index { get; internal set; }
    public bool IsKnown { get; internal set; }

    public string? Flag(string name) => _flags?.LastOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase))?.Value;
    public bool HasFlag(string name) => _flags != null && _flags.Exists(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
    public IEnumerable<InstructionFlag> FlagsNamed(string name) =>
        _flags == null ? Array.Empty<InstructionFlag>() : _flags.Where(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
    public override string ToString() => $"{KeywordText} {Arguments}";
}
