using DockOpt.Engine.Dockerfiles;

namespace DockOpt.Engine.Security;

/// <summary>
/// Ties scan findings to the Dockerfile instruction that created them: the image's history entries are aligned with the
/// instructions of the Dockerfile's final stage (and the stages it is built FROM), last entry with last instruction,
/// then a finding's layer (or its HISTORY:n entry, or the ENV/LABEL it names) gives the instruction and its line.
/// Both history shapes are read: the classic builder's ("/bin/sh -c #(nop)  COPY …", a RUN's bare command) and
/// BuildKit's ("RUN /bin/sh -c … # buildkit", "COPY … # buildkit"). An ARG may leave no history entry and is skipped;
/// any other disagreement ends the alignment, so base-image entries and an image that was not built from this
/// Dockerfile map to nothing rather than to a wrong line.
/// </summary>
public sealed class DockerfileLocator
{
    public readonly record struct Location(int Line, string Text);

    readonly string _path;
    readonly Dictionary<int, Location> _byHistory = new();
    readonly Dictionary<int, int> _layerToHistory = new();
    readonly List<(string Keyword, Location At, string Arguments)> _instructions = new();

    DockerfileLocator(string path) => _path = path;

    /// <summary>History entries that were matched to an instruction.</summary>
    public int MatchedCount => _byHistory.Count;

    /// <summary>
    /// The locator of one image, or null (with the reason in <paramref name="why"/>) when the Dockerfile cannot be read or
    /// its instructions do not end the image's history.
    /// </summary>
    public static DockerfileLocator? Create(string dockerfilePath, string? target, IReadOnlyList<(string CreatedBy, bool EmptyLayer)> history, int layerCount, out string why)
    {
        why = "";
        string text;
        try { text = File.ReadAllText(dockerfilePath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            why = $"cannot read {dockerfilePath}: {e.Message}";
            return null;
        }
        var doc = DockerfileParser.Parse(text);
        var model = new DockerfileModel(doc, null, target);
        if (model.Final == null)
        {
            why = $"{dockerfilePath} has no FROM";
            return null;
        }
        // Without a target: the last stage, else the stage whose instructions end the history (an image built with --target).
        var candidates = target != null ? new[] { model.Final } : model.Stages.AsEnumerable().Reverse().Prepend(model.Final).Distinct();
        foreach (var stage in candidates)
            if (Align(dockerfilePath, doc, model, stage, history, layerCount) is { } found) return found;
        why = $"the image's history does not end with the instructions of {dockerfilePath}{(target != null ? $" (target {target})" : "")}";
        return null;
    }

    static DockerfileLocator? Align(string dockerfilePath, DockerfileDocument doc, DockerfileModel model, Stage final, IReadOnlyList<(string CreatedBy, bool EmptyLayer)> history, int layerCount)
    {
        // The stage and the stages it is built FROM, oldest first: their instructions are the image's own history.
        var chain = new List<Stage>();
        for (var s = final; s != null; s = s.BaseStage is int b && b >= 0 && b < model.Stages.Count && b != s.Index ? model.Stages[b] : null)
        {
            chain.Insert(0, s);
            if (chain.Count > model.Stages.Count) break;
        }
        var loc = new DockerfileLocator(Path.GetFullPath(dockerfilePath));
        foreach (var st in chain)
            foreach (var ins in st.Instructions)
            {
                if (ins.Keyword == "FROM") continue;
                var first = ins.Range.Start.Line;
                var last = Math.Max(first, ins.Range.End.Line);
                // the instruction is echoed next to findings: secrets written into it are masked as the findings mask them
                var line = first >= 1 && first <= doc.Lines.Length ? SecretRules.RedactAll(doc.Lines[first - 1].Trim()) : ins.Keyword;
                var args = string.Join("\n", doc.Lines.Skip(first - 1).Take(last - first + 1));
                loc._instructions.Add((ins.Keyword, new Location(first, line.Length > 200 ? line[..200] + "…" : line), args));
            }

        int h = history.Count - 1, t = loc._instructions.Count - 1;
        while (h >= 0 && t >= 0)
        {
            var kw = KeywordOf(history[h].CreatedBy);
            if (kw == loc._instructions[t].Keyword) { loc._byHistory[h] = loc._instructions[t].At; h--; t--; }
            else if (loc._instructions[t].Keyword == "ARG") t--;
            else break;
        }
        if (loc._byHistory.Count == 0 || !loc._byHistory.ContainsKey(history.Count - 1)) return null;
        var layer = 0;
        for (var i = 0; i < history.Count; i++)
            if (!history[i].EmptyLayer) loc._layerToHistory[layer++] = i;
        if (layer != layerCount) loc._layerToHistory.Clear();   // a history that does not account for every layer maps no layer
        return loc;
    }

    /// <summary>The instruction keyword a history entry was written by.</summary>
    public static string KeywordOf(string? createdBy)
    {
        var s = (createdBy ?? "").Trim();
        var nop = s.IndexOf("#(nop)", StringComparison.Ordinal);
        if (nop >= 0) return FirstWord(s[(nop + 6)..]);
        var w = FirstWord(s);
        if (w.Length > 0 && w == w.ToUpperInvariant() && DockerfileParser.KnownInstructions.Contains(w)) return w;
        return "RUN";   // the classic builder writes a RUN as the command itself ("/bin/sh -c …", "|1 A=b /bin/sh -c …")
    }

    static string FirstWord(string s)
    {
        s = s.TrimStart();
        var end = 0;
        while (end < s.Length && !char.IsWhiteSpace(s[end])) end++;
        return s[..end].ToUpperInvariant();
    }

    /// <summary>The instruction that wrote history entry <paramref name="historyIndex"/>, or null.</summary>
    public Location? ForHistory(int historyIndex) => _byHistory.TryGetValue(historyIndex, out var l) ? l : null;

    /// <summary>The instruction that created layer <paramref name="layer"/>, or null (base-image layers and unmatched ones).</summary>
    public Location? ForLayer(int layer) => _layerToHistory.TryGetValue(layer, out var h) ? ForHistory(h) : null;

    /// <summary>The last ENV or LABEL instruction of the image's stages that sets <paramref name="name"/>, or null.</summary>
    public Location? ForSetting(string keyword, string name)
    {
        for (var i = _instructions.Count - 1; i >= 0; i--)
        {
            var (kw, at, args) = _instructions[i];
            if (kw != keyword) continue;
            var body = args.TrimStart();
            if (body.Length > kw.Length) body = body[kw.Length..];
            foreach (var w in DockerfileParser.Words(body.Replace("\\\n", " ")))
                if (w.Value == name || w.Value.StartsWith(name + "=", StringComparison.Ordinal)) return at;
        }
        return null;
    }

    /// <summary>Sets Dockerfile, Line and Instruction on the findings and vulnerabilities this Dockerfile created.</summary>
    public int Apply(DockOpt.SecurityReport report)
    {
        var n = 0;
        foreach (var f in report.Findings)
        {
            Location? at = null;
            var loc = f.Location ?? "";
            if (loc.StartsWith("HISTORY:", StringComparison.Ordinal) && int.TryParse(loc.AsSpan(8), out var hi)) at = ForHistory(hi);
            else if (loc.StartsWith("ENV:", StringComparison.Ordinal)) at = ForSetting("ENV", loc[4..]);
            else if (loc.StartsWith("LABEL:", StringComparison.Ordinal)) at = ForSetting("LABEL", loc[6..]);
            else if (f.Layer >= 0 && !f.IsBaseLayer) at = ForLayer(f.Layer);
            if (at is { } a) { f.Dockerfile = _path; f.Line = a.Line; f.Instruction = a.Text; n++; }
        }
        foreach (var v in report.Vulnerabilities)
            if (v.Layer >= 0 && !v.IsBaseLayer && ForLayer(v.Layer) is { } a) { v.Dockerfile = _path; v.Line = a.Line; v.Instruction = a.Text; n++; }
        return n;
    }
}
