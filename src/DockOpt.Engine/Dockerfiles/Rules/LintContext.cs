namespace DockOpt.Engine.Dockerfiles.Rules;

/// <summary>What rules see: the document, its model, options, and a place to report.</summary>
public sealed class LintContext
{
    readonly Dictionary<Instruction, List<ShellCommand>> _shell = new();
    // Commands by instruction index (top level, and ONBUILD triggers, which share their ONBUILD's index): asked
    // several times per RUN by several rules, an array slot is cheaper than a hash lookup. Others use _shell.
    List<ShellCommand>?[]? _shellByIndex, _triggerShellByIndex;

    public LintContext(DockerfileDocument doc, DockerfileModel model, LintOptions options, string? filePath)
    {
        Document = doc;
        Model = model;
        Options = options;
        FilePath = filePath;
    }

    public DockerfileDocument Document { get; }
    public DockerfileModel Model { get; }
    public LintOptions Options { get; }
    /// <summary>Path of the Dockerfile, or null for -Content.</summary>
    public string? FilePath { get; }
    public List<RawFinding> Findings { get; } = new();

    public RawFinding Report(string ruleId, string message, SourceRange range, Instruction? ins, string fix = "", string? hadolint = null) =>
        Report(RuleCatalog.Get(ruleId), message, range, ins, fix, hadolint);

    public RawFinding Report(RuleInfo rule, string message, SourceRange range, Instruction? ins, string fix = "", string? hadolint = null)
    {
        var f = new RawFinding
        {
            Rule = rule, Message = message, Range = range, Instruction = ins,
            StageIndex = ins?.StageIndex ?? -1, Fix = fix, Hadolint = hadolint,
        };
        Findings.Add(f);
        return f;
    }

    /// <summary>
    /// In a shipped stage. An ONBUILD trigger runs in a child image, so its layers ship there; an instruction outside
    /// any stage (a fragment, or lines before the first FROM) is judged as the body of the shipped stage, as hadolint does.
    /// </summary>
    public bool IsShipped(Instruction ins) => ins.Parent != null || ins.StageIndex < 0 || Model.Shipped.Contains(ins.StageIndex);

    /// <summary>
    /// The instructions in sections that rules walk in order: those outside any stage (before the first FROM; all of
    /// them for a fragment without FROM), then each stage's. Rules that need only order (consecutive RUNs, curl and
    /// wget in one section) see the outside section like a stage.
    /// </summary>
    public IEnumerable<IReadOnlyList<Instruction>> Sections
    {
        get
        {
            var outside = Document.Instructions.Where(i => i.StageIndex < 0).ToList();
            if (outside.Count > 0) yield return outside;
            foreach (var st in Model.Stages) yield return st.Instructions;
        }
    }

    /// <summary>The RUN instructions of the file (ONBUILD RUN triggers excluded).</summary>
    public IEnumerable<Instruction> Runs => Document.Instructions.Where(i => i.Keyword == "RUN");

    /// <summary>Is the shell of this RUN a POSIX shell (not PowerShell or cmd)?</summary>
    public bool IsPosixShell(Instruction ins)
    {
        var shell = ShellFor(ins);
        if (shell == null) return !HadolintShellPragma();
        var s = shell[0].ToLowerInvariant();
        return !(s.Contains("pwsh") || s.Contains("powershell") || s.Contains("cmd"));
    }

    bool? _hadolintShellPragma;
    bool HadolintShellPragma() => _hadolintShellPragma ??= Document.Comments.Any(c =>
        System.Text.RegularExpressions.Regex.IsMatch(c.Text, @"^#\s*hadolint\s+shell\s*=\s*(pwsh|powershell|cmd)", System.Text.RegularExpressions.RegexOptions.IgnoreCase));

    // SHELL instructions (JSON form) per stage, and outside any stage (key -1): a handful per file, so looking one up
    // per RUN stays linear in the number of instructions.
    Dictionary<int, List<Instruction>>? _shells;
    Dictionary<int, List<Instruction>>? _workdirs;

    /// <summary>The WORKDIR instructions of a stage (or, for -1, those outside any stage), in order.</summary>
    internal List<Instruction> WorkdirsOf(int stageIndex)
    {
        if (_workdirs == null)
        {
            _workdirs = new Dictionary<int, List<Instruction>> { [-1] = Document.Instructions.Where(x => x.Keyword == "WORKDIR" && x.StageIndex < 0).ToList() };
            foreach (var st in Model.Stages)
                _workdirs[st.Index] = st.Instructions.Where(x => x.Keyword == "WORKDIR").ToList();
        }
        return _workdirs.TryGetValue(stageIndex, out var l) ? l : new List<Instruction>();
    }

    static readonly List<Instruction> NoInstructions = new();

    List<Instruction> ShellsOf(int stageIndex)
    {
        if (_shells == null)
        {
            _shells = new Dictionary<int, List<Instruction>> { [-1] = Document.Instructions.Where(x => x.Keyword == "SHELL" && x.ExecForm != null && x.StageIndex < 0).ToList() };
            foreach (var st in Model.Stages)
                _shells[st.Index] = st.Instructions.Where(x => x.Keyword == "SHELL" && x.ExecForm != null).ToList();
        }
        return _shells.TryGetValue(stageIndex, out var l) ? l : NoInstructions;
    }

    /// <summary>The SHELL in effect for an instruction (own stage, then base stages), or null for the default.</summary>
    public string[]? ShellFor(Instruction ins)
    {
        var stage = Model.StageOf(ins);
        if (stage == null) // outside a stage: the last SHELL before it, outside a stage too
        {
            var outside = ShellsOf(-1);
            for (var k = outside.Count - 1; k >= 0; k--)
                if (outside[k].Index < ins.Index) return outside[k].ExecForm;
            return null;
        }
        while (stage != null) // a loop, not LINQ: asked for every RUN by several rules
        {
            var shells = ShellsOf(stage.Index);
            for (var k = shells.Count - 1; k >= 0; k--)
                if (shells[k].StageIndex != ins.StageIndex || shells[k].Index < ins.Index) return shells[k].ExecForm;
            stage = stage.BaseStage is int b ? Model.Stages[b] : null;
        }
        return null;
    }

    /// <summary>Shell commands of a RUN: shell form text, sh -c of exec form, and shell heredoc bodies.</summary>
    public List<ShellCommand> Commands(Instruction ins)
    {
        var slots = SlotsFor(ins);
        var cached = slots != null ? slots[ins.Index] : _shell.GetValueOrDefault(ins);
        if (cached != null) return cached;
        List<ShellCommand> list;
        if (ins.ExecForm != null)
        {
            var args = ins.Arguments;
            var ef = ins.ExecForm;
            list = ef.Length >= 3 && IsShellName(ef[0]) && ef[1] == "-c"
                ? ShellScript.Parse(Anchored(ef[2], args))
                : ShellScript.Parse(Anchored(string.Join(" ", ef.Select(Quote)), args));
        }
        else if (IsPosixShell(ins))
        {
            list = ShellScript.Parse(ins.Arguments);
            if (ins.HeredocCount > 0) AddHeredocCommands(ins, list);
        }
        else list = new List<ShellCommand>();
        if (slots != null) slots[ins.Index] = list; else _shell[ins] = list;
        return list;
    }

    /// <summary>The index-slot array for an instruction of this document, or null for any other instruction.</summary>
    List<ShellCommand>?[]? SlotsFor(Instruction ins)
    {
        var all = Document.Instructions;
        var i = ins.Index;
        if (i < 0 || i >= all.Count) return null;
        if (ReferenceEquals(all[i], ins)) return _shellByIndex ??= new List<ShellCommand>?[all.Count];
        if (ins.Parent != null && ReferenceEquals(all[i], ins.Parent) && ReferenceEquals(ins.Parent.Trigger, ins))
            return _triggerShellByIndex ??= new List<ShellCommand>?[all.Count];
        return null;
    }

    /// <summary>Adds the commands of the shell heredoc bodies of a RUN (a body fed to a shell, or run by its shebang).</summary>
    static void AddHeredocCommands(Instruction ins, List<ShellCommand> list)
    {
        var heredocProgram = list.FirstOrDefault(c => c.Words.Any(w => w.Raw.Contains("<<")));
        foreach (var h in ins.Heredocs)
        {
            var prog = heredocProgram?.Program ?? "";
            var onlyMarker = heredocProgram == null || heredocProgram.Words.All(w => w.Raw.Contains("<<"));
            var body = h.Body.Text;
            var shebang = body.StartsWith("#!", StringComparison.Ordinal) ? body.Split('\n')[0] : null;
            var shellBody = onlyMarker ? shebang == null || IsShellName(shebang.Substring(2).Trim().Split(' ').Last()) || shebang.Contains("sh ") || shebang.EndsWith("sh")
                : IsShellName(prog);
            if (ins.Keyword == "RUN" && shellBody) list.AddRange(ShellScript.Parse(h.Body));
        }
    }

    static string Quote(string s) => s.Length == 0 || s.Any(char.IsWhiteSpace) ? "'" + s.Replace("'", "'\\''") + "'" : s;

    static bool IsShellName(string p)
    {
        var n = p.Contains('/') ? p.Substring(p.LastIndexOf('/') + 1) : p;
        return n is "sh" or "bash" or "ash" or "dash" or "zsh" or "ksh";
    }

    /// <summary>Text whose characters all map to the start of <paramref name="anchor"/> (exec-form strings).</summary>
    static MappedText Anchored(string text, MappedText anchor) => MappedText.Anchored(text, anchor.PositionAt(0), anchor.EndOf(anchor.Length));

    /// <summary>All commands of all RUNs in a stage, in order.</summary>
    public IEnumerable<(Instruction Run, ShellCommand Cmd)> StageCommands(int stage) =>
        Model.Stages[stage].Instructions.Where(i => i.Keyword == "RUN").SelectMany(r => Commands(r).Select(c => (r, c)));
}
