using System.Text.RegularExpressions;

namespace DockOpt.Engine.Dockerfiles.Rules.Security;

/// <summary>An image from a registry outside trustedRegistries: FROM, COPY --from and RUN --mount from= (hadolint DL3026).</summary>
public sealed class DO5007UntrustedRegistry : Rule
{
    public override RuleInfo Info { get; } = new("DO5007", "UntrustedRegistry", Severity.High, "Image from a registry outside trustedRegistries.", "DL3026");

    public override void Check(LintContext ctx)
    {
        if (ctx.Options.TrustedRegistries.Count == 0) return;
        var model = ctx.Model;
        foreach (var st in model.Stages.Where(s => s.BaseStage == null && !s.IsScratch && s.BaseResolved != null))
            Check(ctx, st.From, st.BaseResolved!, st.From.Arguments.RangeOf(0, Math.Min(st.BaseRaw.Length, st.From.Arguments.Length)));
        foreach (var ins in ctx.Document.Instructions)
            foreach (var (value, _, flag) in model.StageReferences(ins))
                if (model.FindStage(value, Math.Max(0, ins.StageIndex)) == null && (value.Contains(':') || value.Contains('/')))
                    Check(ctx, ins, value, flag.Range);
    }

    void Check(LintContext ctx, Instruction ins, string image, SourceRange range)
    {
        var registry = ImageNames.Split(image).Registry;
        var trusted = ctx.Options.TrustedRegistries;
        foreach (var t in trusted)
        {
            var pattern = "^" + Regex.Escape(t).Replace(@"\*", ".*") + "$";
            if (Regex.IsMatch(registry, pattern, RegexOptions.IgnoreCase)) return;
            if (t is "docker.io" or "hub.docker.com" && registry == "docker.io") return;
        }
        Report(ctx, $"'{image}' comes from registry '{registry}', which is not in trustedRegistries ({string.Join(", ", trusted)}).", range, ins, "Use an image from a trusted registry.");
    }
}
