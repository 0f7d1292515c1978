namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>
/// Variables unknown in the stage, above all global ARGs not re-declared in it (build check UndefinedVar).
/// In RUN only global ARGs are reported: the shell may define the others.
/// </summary>
public sealed class DO2015UndefinedVar : Rule
{
    public override RuleInfo Info { get; } = new("DO2015", "UndefinedVar", Severity.Medium, "A variable is used that is not defined in the stage (a global ARG must be re-declared).", "", "UndefinedVar");

    public override void Check(LintContext ctx)
    {
        foreach (var ins in ctx.Document.Instructions)
            if (ctx.Model.StageOf(ins) is { } st && ins.Keyword is not ("FROM" or "ARG" or "ONBUILD" or "CMD" or "ENTRYPOINT" or "HEALTHCHECK" or "SHELL" or "MAINTAINER"))
                Check(ctx, ins, st);
    }

    void Check(LintContext ctx, Instruction ins, Stage st)
    {
        var scope = ctx.Model.ScopeBefore(ins);
        var text = ins.Keyword == "RUN" ? (ins.ExecForm == null ? ins.Arguments.Text : "") : ins.Arguments.Text;
        if (!text.Contains('$')) return; // every reference starts with '$'
        var reported = new HashSet<string>();
        foreach (System.Text.RegularExpressions.Match m in VariableReferences.Pattern.Matches(text))
        {
            var name = m.Groups[1].Value;
            if (m.Index > 0 && text[m.Index - 1] == ctx.Document.EscapeChar) continue;
            if (scope.Vars.ContainsKey(name) || DockerfileModel.PredefinedArgs.Contains(name) || !reported.Add(name)) continue;
            var braced = m.Value.StartsWith("${", StringComparison.Ordinal);
            var afterName = m.Index + m.Length < text.Length ? text[m.Index + m.Length] : ' ';
            if (braced && afterName is ':' or '-' or '+') continue; // has a default
            var range = ins.Arguments.RangeOf(m.Index, m.Index + m.Length + (braced && afterName == '}' ? 1 : 0));
            if (ctx.Model.GlobalArgs.ContainsKey(name))
                Report(ctx, $"${name} is a global ARG (declared before FROM); stage '{st.DisplayName}' must re-declare it with 'ARG {name}' or it is empty here.", range, ins, $"Add 'ARG {name}' inside the stage.");
            else if (!scope.BaseEnvUnknown && ins.Keyword != "RUN")
                Report(ctx, $"${name} is not defined in stage '{st.DisplayName}'.", range, ins, "Declare it with ARG or ENV.");
        }
    }
}
