using System.Collections.Immutable;

namespace DockOpt.Engine.Dockerfiles;

/// <summary>
/// Semantic model: stages and their bases, the final stage (or the target), which stages feed it, and the ARG/ENV
/// values in scope before every instruction (build arguments override ARG defaults).
/// </summary>
public sealed class DockerfileModel
{
    public static readonly HashSet<string> PredefinedArgs = new(StringComparer.Ordinal)
    {
        "HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "ftp_proxy", "no_proxy", "all_proxy",
        "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT", "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT",
        "BUILDKIT_SYNTAX", "BUILDKIT_CACHE_MOUNT_NS", "BUILDKIT_CONTEXT_KEEP_GIT_DIR", "BUILDKIT_INLINE_CACHE", "BUILDKIT_MULTI_PLATFORM",
        "BUILDKIT_SANDBOX_HOSTNAME", "BUILDKIT_BUILD_NAME", "SOURCE_DATE_EPOCH",
    };

    readonly Dictionary<Instruction, Scope> _scopes;

    /// <summary>
    /// Variables in scope: name → (value or null when unknown, declared by ARG?). Persistent collections: a copy costs
    /// nothing and a change costs a logarithm, so a Dockerfile of thousands of ENV lines is modelled in linear-logarithmic
    /// time (a copy of every variable per ENV made it quadratic). Only the model changes a scope; rules read them.
    /// </summary>
    public sealed class Scope
    {
        static readonly ImmutableDictionary<string, string?> NoVars = ImmutableDictionary.Create<string, string?>(StringComparer.Ordinal);
        static readonly ImmutableHashSet<string> NoArgs = ImmutableHashSet.Create<string>(StringComparer.Ordinal);

        public ImmutableDictionary<string, string?> Vars { get; private set; } = NoVars;
        public ImmutableHashSet<string> Args { get; private set; } = NoArgs;
        public bool BaseEnvUnknown { get; set; }

        public Scope Clone() => new() { Vars = Vars, Args = Args, BaseEnvUnknown = BaseEnvUnknown };

        internal void Set(string name, string? value) => Vars = Vars.SetItem(name, value);

        internal void DeclareArg(string name) => Args = Args.Add(name);

        internal void UndeclareArg(string name) => Args = Args.Remove(name);

        /// <summary>A child stage's start: the ENV of its base stage stays, its ARGs do not.</summary>
        internal void DropArgs()
        {
            Vars = Vars.RemoveRange(Args);
            Args = NoArgs;
        }
    }

    public DockerfileDocument Document { get; }
    public List<Stage> Stages { get; } = new();
    /// <summary>ARGs declared before the first FROM (with build-arg overrides).</summary>
    public Dictionary<string, string?> GlobalArgs { get; } = new(StringComparer.Ordinal);
    public Stage? Final { get; private set; }
    /// <summary>Final stage and the stages it is based on: their layers ship.</summary>
    public HashSet<int> Shipped { get; } = new();
    /// <summary>Every stage the final one needs (bases, COPY --from, RUN --mount from=), transitively, and itself.</summary>
    public HashSet<int> FeedsFinal { get; } = new();
    public string? TargetError { get; private set; }
    /// <summary>Global ARGs declared without a default and not given as build arguments.</summary>
    public HashSet<string> GlobalArgsWithoutDefault { get; } = new(StringComparer.Ordinal);
    public IReadOnlyDictionary<string, string> BuildArgs { get; }

    public DockerfileModel(DockerfileDocument doc, IReadOnlyDictionary<string, string>? buildArgs = null, string? target = null)
    {
        Document = doc;
        _scopes = new(doc.Instructions.Count); // sized once: regrowing a large table is large-object garbage
        BuildArgs = buildArgs ?? new Dictionary<string, string>();
        ReadStagesAndScopes(doc);
        LinkStageDependencies();
        if (Stages.Count > 0) ChooseFinalStage(target);
    }

    /// <summary>Splits the instructions into stages and records the ARG/ENV scope before every instruction.</summary>
    void ReadStagesAndScopes(DockerfileDocument doc)
    {
        var global = new Scope();
        Scope? scope = null;
        Stage? stage = null;
        Scope? snapshot = null; // a copy of the current scope, shared by the instructions until an ARG or ENV changes it
        foreach (var ins in doc.Instructions)
        {
            if (ins.Keyword == "FROM")
            {
                stage = StartStage(doc, ins, global);
                _scopes[ins] = global.Clone();
                scope = stage.BaseStage is int bi && Stages[bi].Instructions.Count > 0
                    ? StageEndScope(Stages[bi])
                    : new Scope { BaseEnvUnknown = !stage.IsScratch };
                scope.DropArgs(); // ARGs do not carry into a child stage; ENV does
                stage.Instructions.Add(ins);
                snapshot = null;
                continue;
            }
            var cur = scope ?? global;
            _scopes[ins] = snapshot ??= cur.Clone(); // one copy per change, not per instruction: scopes are read, never written
            if (stage != null) stage.Instructions.Add(ins);
            if (ins.Keyword == "ARG") { DeclareArgs(doc, ins, cur, global, inStage: scope != null); snapshot = null; }
            else if (ins.Keyword == "ENV") { DefineEnv(doc, ins, cur); snapshot = null; } // before the first FROM too: a fragment's RUNs see it
            if (stage != null) _stageEnd[stage.Index] = cur;
        }
        if (stage != null && !_stageEnd.ContainsKey(stage.Index) && scope != null) _stageEnd[stage.Index] = scope;
        foreach (var kv in global.Vars) GlobalArgs[kv.Key] = kv.Value;
    }

    /// <summary>A new stage for FROM: its name, its base as written and resolved with the global ARGs, and the earlier stage it builds on.</summary>
    Stage StartStage(DockerfileDocument doc, Instruction from, Scope global)
    {
        var words = DockerfileParser.Words(from.Arguments.Text).ToList();
        var baseRaw = words.Count > 0 ? words[0].Value : "";
        string? name = words.Count >= 3 && words[1].Value.Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2].Value : null;
        var r = VariableExpander.Process(baseRaw, n => LookupGlobal(global, n), doc.EscapeChar);
        var resolved = r.Resolved ? r.Value : null;
        var baseStage = resolved == null ? null : Stages.FindLast(s => s.Name != null && s.Name.Equals(resolved, StringComparison.OrdinalIgnoreCase))?.Index;
        var stage = new Stage
        {
            Index = Stages.Count, Name = name, From = from, BaseRaw = baseRaw, BaseResolved = resolved, BaseStage = baseStage,
            Platform = from.Flag("platform"),
        };
        Stages.Add(stage);
        return stage;
    }

    /// <summary>ARG names: a build argument wins, then the default, then (in a stage) the global value; unknown otherwise.</summary>
    void DeclareArgs(DockerfileDocument doc, Instruction ins, Scope cur, Scope global, bool inStage)
    {
        foreach (var (key, raw, hasEq, _) in VariableExpander.KeyValues(ins.Arguments.Text, false))
        {
            string? value;
            if (BuildArgs.TryGetValue(key, out var ba)) value = ba;
            else if (hasEq)
            {
                var r = VariableExpander.Process(raw, n => Lookup(cur, n), doc.EscapeChar);
                value = r.Resolved ? r.Value : null;
            }
            else if (inStage && global.Vars.TryGetValue(key, out var gv)) value = gv;
            else
            {
                value = null; // no default and no build argument: supplied at build time, unknown here
                if (!inStage) GlobalArgsWithoutDefault.Add(key);
            }
            if (!hasEq && !BuildArgs.ContainsKey(key) && inStage && !global.Vars.ContainsKey(key) && cur.Vars.TryGetValue(key, out var envV) && !cur.Args.Contains(key))
                value = envV; // ENV wins over a bare ARG
            cur.Set(key, value);
            cur.DeclareArg(key);
        }
    }

    /// <summary>ENV names; every value is expanded with the scope before the instruction (Docker's rule).</summary>
    void DefineEnv(DockerfileDocument doc, Instruction ins, Scope cur)
    {
        var before = cur.Clone();
        foreach (var (key, raw, _, _) in VariableExpander.KeyValues(ins.Arguments.Text, true))
        {
            var r = VariableExpander.Process(raw, n => Lookup(before, n), doc.EscapeChar);
            cur.Set(key, r.Resolved ? r.Value : null);
            cur.UndeclareArg(key);
        }
    }

    /// <summary>Which earlier stages each stage copies or mounts from.</summary>
    void LinkStageDependencies()
    {
        foreach (var st in Stages)
            foreach (var ins in st.Instructions)
                if (ins.FlagCount > 0) // references come from --from and --mount flags only
                    foreach (var reference in StageReferences(ins))
                        if (FindStage(reference.Value, st.Index) is { } dep) st.DependsOn.Add(dep.Index);
    }

    /// <summary>The final stage (the last, or -Target), the stages it is built on (shipped) and every stage it needs.</summary>
    void ChooseFinalStage(string? target)
    {
        if (!string.IsNullOrEmpty(target))
        {
            Final = Stages.FirstOrDefault(s => s.Name != null && s.Name.Equals(target, StringComparison.OrdinalIgnoreCase))
                ?? (int.TryParse(target, out var ti) && ti >= 0 && ti < Stages.Count ? Stages[ti] : null);
            if (Final == null) TargetError = $"Target stage '{target}' does not exist (stages: {string.Join(", ", Stages.Select(s => s.DisplayName))}).";
        }
        Final ??= Stages[^1];
        for (var s = Final; s != null; s = s.BaseStage is int b ? Stages[b] : null)
            if (!Shipped.Add(s.Index)) break;
        var todo = new Stack<int>();
        todo.Push(Final.Index);
        while (todo.Count > 0)
        {
            var n = todo.Pop();
            if (!FeedsFinal.Add(n)) continue;
            var s = Stages[n];
            if (s.BaseStage is int b) todo.Push(b);
            foreach (var d in s.DependsOn) todo.Push(d);
        }
    }

    readonly Dictionary<int, Scope> _stageEnd = new();

    Scope StageEndScope(Stage s) => _stageEnd.TryGetValue(s.Index, out var sc) ? sc.Clone() : new Scope { BaseEnvUnknown = true };

    static (bool, string?) LookupGlobal(Scope global, string name)
    {
        if (global.Vars.TryGetValue(name, out var v)) return (true, v);
        if (PredefinedArgs.Contains(name)) return (true, null);
        return (false, null);
    }

    static (bool, string?) Lookup(Scope scope, string name)
    {
        if (scope.Vars.TryGetValue(name, out var v)) return (true, v);
        if (scope.BaseEnvUnknown) return (true, null); // may come from the base image's ENV
        return (false, null);
    }

    /// <summary>Variables in scope before <paramref name="ins"/> (shared between instructions: do not change it).</summary>
    public Scope ScopeBefore(Instruction ins) => _scopes.TryGetValue(ins, out var s) ? s : new Scope { BaseEnvUnknown = true };

    /// <summary>Substitutes variables as Docker does for this instruction; Resolved is false when any value is unknown.</summary>
    public VariableExpander.Result Expand(Instruction ins, string word, bool removeQuotes = true)
    {
        var scope = ScopeBefore(ins);
        if (ins.Keyword == "FROM") return VariableExpander.Process(word, n => LookupGlobal(scope, n), Document.EscapeChar, removeQuotes);
        return VariableExpander.Process(word, n => Lookup(scope, n), Document.EscapeChar, removeQuotes);
    }

    /// <summary>Value of a variable before an instruction: (declared, value or null).</summary>
    public (bool Found, string? Value) Variable(Instruction ins, string name) => Lookup(ScopeBefore(ins), name);

    /// <summary>COPY --from / ADD --from / RUN --mount from= values of an instruction (resolved when possible).</summary>
    public IEnumerable<(string Value, string Raw, InstructionFlag Flag)> StageReferences(Instruction ins)
    {
        if (ins.Keyword is "COPY" or "ADD")
            foreach (var f in ins.FlagsNamed("from"))
                if (f.Value != null) yield return (Expand(ins, f.Value).Value, f.Value, f);
        if (ins.Keyword == "RUN")
            foreach (var f in ins.FlagsNamed("mount"))
                if (f.Value != null && DockerfileParser.ParseMount(f.Value).TryGetValue("from", out var from) && from != null)
                    yield return (Expand(ins, from).Value, from, f);
    }

    /// <summary>A stage named or numbered <paramref name="reference"/>, defined before stage <paramref name="before"/>.</summary>
    public Stage? FindStage(string reference, int before)
    {
        var named = Stages.Where(s => s.Index < before).LastOrDefault(s => s.Name != null && s.Name.Equals(reference, StringComparison.OrdinalIgnoreCase));
        if (named != null) return named;
        if (int.TryParse(reference, out var idx) && idx >= 0 && idx < before && idx < Stages.Count) return Stages[idx];
        return null;
    }

    public Stage? StageOf(Instruction ins) => ins.StageIndex >= 0 && ins.StageIndex < Stages.Count ? Stages[ins.StageIndex] : null;

    /// <summary>Instructions of the shipped stages in build order (base stages first).</summary>
    public IEnumerable<Instruction> ShippedInstructions => Shipped.OrderBy(i => i).SelectMany(i => Stages[i].Instructions);
}
