using DockOpt.Engine.Images;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.Dockerfiles.Rules;

/// <summary>Hygiene and security of the shipped image.</summary>
internal static class SecurityRules
{
    // BuildKit's SecretsUsedInArgOrEnv tokens, plus hadolint DL3064's well-known names.
    static readonly Regex SecretName = new(@"(?:_|^)(?:apikey|api_key|auth|credential|credentials|key|password|pword|passwd|secret|token|private_key|access_key)(?:_|$)", RegexOptions.IgnoreCase | RegexOptions.Compiled);
    static readonly Regex SecretAllow = new(@"(?:_|^)(?:public|file|version|path|dir|url|id|name)(?:_|$)", RegexOptions.IgnoreCase | RegexOptions.Compiled);

    public static void Run(LintContext ctx)
    {
        var model = ctx.Model;
        foreach (var ins in ctx.Document.Instructions.Where(i => i.Keyword is "ARG" or "ENV"))
        {
            foreach (var (key, _, _, word) in VariableExpander.KeyValues(ins.Arguments.Text, ins.Keyword == "ENV"))
                if (SecretName.IsMatch(key) && !SecretAllow.IsMatch(key))
                    ctx.Report("DO5000", $"{ins.Keyword} {key} looks like a secret; its value is kept in the image history and metadata.", ins.Arguments.RangeOf(word.Start, word.End), ins,
                        $"Pass it at build time with RUN --mount=type=secret,id={key.ToLowerInvariant()},env={key} …");
        }

        // Base images: tag, digest, registry.
        foreach (var st in model.Stages)
        {
            if (st.BaseStage != null || st.IsScratch) continue;
            var from = st.From;
            var range = from.Arguments.RangeOf(0, Math.Min(st.BaseRaw.Length, from.Arguments.Length));
            if (st.BaseResolved == null) continue; // unknown ARG value: no guess (hadolint #219, #1078)
            if (!ImageReference.TryParse(st.BaseResolved, out var image)) continue; // not a reference docker accepts: the build fails first
            var (tag, registry, digest) = (image!.Tag ?? "", image.Domain, image.HasDigest);
            if (!digest && tag.Length == 0)
                ctx.Report("DO5005", $"Base image '{st.BaseResolved}' has no tag: it floats to :latest.", range, from, $"FROM {st.BaseResolved}:<version>", "DL3006");
            else if (!digest && tag == "latest")
                ctx.Report("DO5005", $"Base image '{st.BaseResolved}' uses :latest.", range, from, "Pin a release tag.", "DL3007");
            if (!digest)
                ctx.Report("DO5006", $"Base image '{st.BaseResolved}' is not pinned by digest.", range, from, $"FROM {st.BaseResolved}@sha256:<digest>");
            CheckRegistry(ctx, from, st.BaseResolved, registry, range);
        }
        if (ctx.Options.TrustedRegistries.Count > 0)
            foreach (var ins in ctx.Document.Instructions)
                foreach (var (value, _, flag) in model.StageReferences(ins))
                    if (model.FindStage(value, Math.Max(0, ins.StageIndex)) == null && (value.Contains(':') || value.Contains('/'))
                        && ImageReference.TryParse(value, out var other))
                        CheckRegistry(ctx, ins, value, other!.Domain, flag.Range);

        if (model.Final is not { } final) return;
        var shipped = model.Shipped.OrderBy(i => i).Select(i => model.Stages[i]).ToList();
        var shippedIns = shipped.SelectMany(s => s.Instructions).ToList();

        // USER.
        var lastUser = shippedIns.LastOrDefault(i => i.Keyword == "USER");
        if (lastUser != null)
        {
            var r = model.Expand(lastUser, lastUser.Arguments.Text);
            var user = r.Value.Split(':')[0].Trim();
            if (r.Resolved && (user == "root" || user == "0"))
                ctx.Report("DO5001", $"The shipped image runs as '{r.Value}'.", lastUser.Arguments.RangeOf(0, lastUser.Arguments.Length), lastUser, "Create a user and end with USER <name> (or a UID ≥ 1000).");
            else if (r.Resolved && user.Length > 0 && !user.All(char.IsDigit))
                ctx.Report("DO5009", $"USER {r.Value} is a name; runAsNonRoot and host file ownership need a numeric UID.", lastUser.Arguments.RangeOf(0, lastUser.Arguments.Length), lastUser, "USER <uid>:<gid>, e.g. USER 10001:10001.");
        }
        else
        {
            var root = shipped[0];
            var baseName = root.BaseResolved ?? "";
            if (!baseName.Contains("nonroot") && !baseName.Contains("rootless"))
                ctx.Report("DO5002", $"The shipped stage '{final.DisplayName}' never sets USER: it runs as the base image's user, usually root.", final.From.Range, final.From,
                    "RUN useradd -r -u 10001 app, then USER app.");
        }

        if (!shippedIns.Any(i => i.Keyword == "HEALTHCHECK"))
            ctx.Report("DO5003", $"The shipped stage '{final.DisplayName}' has no HEALTHCHECK.", final.From.Range, final.From,
                "HEALTHCHECK --interval=30s --timeout=3s CMD [\"/app/healthcheck\"] (or HEALTHCHECK NONE to state there is none).");

        foreach (var ins in shippedIns.Where(i => i.Keyword is "CMD" or "ENTRYPOINT" && i.ExecForm == null && i.Arguments.Length > 0))
        {
            var f = ctx.Report("DO5004", $"Shell-form {ins.Keyword}: /bin/sh -c is PID 1, so SIGTERM does not reach the app and docker stop waits for the kill timeout.",
                ins.Arguments.RangeOf(0, ins.Arguments.Length), ins, $"{ins.Keyword} [{string.Join(", ", DockerfileParser.Words(ins.Arguments.Text).Select(w => "\"" + w.Value + "\""))}]");
            var a = ins.Arguments;
            var start = a.PositionAt(0);
            var end = a.EndOf(a.Length);
            if (!ins.InvalidJson && start.Line == end.Line && !Regex.IsMatch(a.Text, @"[$|&;<>*?`()\\{}~#]|\s-c\s") && !a.Text.Contains('\''))
            {
                var json = "[" + string.Join(", ", DockerfileParser.Words(a.Text).Select(w => System.Text.Json.JsonSerializer.Serialize(w.Value))) + "]";
                f.Edits.Add(new TextEdit(start.Line, start.Column, end.Column - start.Column, json));
            }
        }

        // Labels.
        var schema = ctx.Options.RequiredLabels;
        if (schema.Count > 0)
        {
            var labels = new Dictionary<string, (string Value, Instruction Ins, Word Word)>(StringComparer.Ordinal);
            foreach (var ins in shippedIns.Where(i => i.Keyword == "LABEL"))
                foreach (var (key, raw, _, word) in VariableExpander.KeyValues(ins.Arguments.Text, true))
                    labels[key] = (model.Expand(ins, raw).Value, ins, word);
            foreach (var (label, format) in schema)
            {
                if (!labels.TryGetValue(label, out var l))
                {
                    ctx.Report("DO5008", $"Required label '{label}' is missing.", final.From.Range, final.From, $"LABEL {label}=<{format}>", "DL3049");
                    continue;
                }
                var range = l.Ins.Arguments.RangeOf(l.Word.Start, l.Word.End);
                if (l.Value.Length == 0) { ctx.Report("DO5008", $"Label '{label}' is empty.", range, l.Ins, "Give it a value.", "DL3051"); continue; }
                var (ok, id) = format.ToLowerInvariant() switch
                {
                    "url" => (Uri.TryCreate(l.Value, UriKind.Absolute, out var u) && u.Scheme is "http" or "https", "DL3052"),
                    "rfc3339" => (Regex.IsMatch(l.Value, @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"), "DL3053"),
                    "spdx" => (Regex.IsMatch(l.Value, @"^[A-Za-z0-9.+\-]+( (AND|OR|WITH) [A-Za-z0-9.+\-]+)*$"), "DL3054"),
                    "hash" => (Regex.IsMatch(l.Value, @"^[0-9a-f]{7,40}$"), "DL3055"),
                    "semver" => (Regex.IsMatch(l.Value, @"^v?\d+\.\d+\.\d+(-[0-9A-Za-z.\-]+)?(\+[0-9A-Za-z.\-]+)?$"), "DL3056"),
                    "email" => (Regex.IsMatch(l.Value, @"^[^@\s]+@[^@\s]+\.[^@\s]+$"), "DL3058"),
                    _ => (true, ""),
                };
                if (!ok) ctx.Report("DO5008", $"Label '{label}' = '{l.Value}' is not a valid {format}.", range, l.Ins, $"Use a valid {format}.", id);
            }
            if (ctx.Options.StrictLabels)
                foreach (var (key, l) in labels.Where(kv => !schema.ContainsKey(kv.Key)))
                    ctx.Report("DO5008", $"Label '{key}' is not in the label schema.", l.Ins.Arguments.RangeOf(l.Word.Start, l.Word.End), l.Ins, "Remove it or add it to the schema.", "DL3050");
        }
    }

    static void CheckRegistry(LintContext ctx, Instruction ins, string image, string registry, SourceRange range)
    {
        var trusted = ctx.Options.TrustedRegistries;
        if (trusted.Count == 0) return;
        foreach (var t in trusted)
        {
            var re = "^" + Regex.Escape(t).Replace(@"\*", ".*") + "$";
            if (Regex.IsMatch(registry, re, RegexOptions.IgnoreCase)) return;
            if ((ImageReference.IsDockerHubHost(t) || t == "hub.docker.com") && registry == ImageReference.DockerHub) return;
        }
        ctx.Report("DO5007", $"'{image}' comes from registry '{registry}', which is not in trustedRegistries ({string.Join(", ", trusted)}).", range, ins, "Use an image from a trusted registry.");
    }
}
