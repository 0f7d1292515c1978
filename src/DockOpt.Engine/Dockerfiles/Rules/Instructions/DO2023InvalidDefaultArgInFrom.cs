namespace DockOpt.Engine.Dockerfiles.Rules.Instructions;

/// <summary>With the ARG defaults the base image name is empty or invalid (build check InvalidDefaultArgInFrom).</summary>
public sealed class DO2023InvalidDefaultArgInFrom : Rule
{
    public override RuleInfo Info { get; } = new("DO2023", "InvalidDefaultArgInFrom", Severity.High, "With the ARG defaults the base image name is empty or invalid.", "", "InvalidDefaultArgInFrom");

    public override void Check(LintContext ctx)
    {
        var model = ctx.Model;
        foreach (var st in model.Stages)
        {
            var from = st.From;
            var words = DockerfileParser.Words(from.Arguments.Text).ToList();
            var exp = model.Expand(from, st.BaseRaw);
            if (words.Count > 0 && exp.Undefined.Count == 0 && st.BaseResolved is { } b && IsInvalidName(b))
                Report(ctx, $"With the ARG defaults the base image is '{b}', which is not a valid image name.", from.Arguments.RangeOf(words[0].Start, words[0].End), from, "Give the ARG a valid default.");
            foreach (var u in exp.Used.Distinct().Where(model.GlobalArgsWithoutDefault.Contains))
                if (!VariableExpander.Process(st.BaseRaw, n => n == u ? (false, null) : (true, "x"), ctx.Document.EscapeChar).Resolved)
                    Report(ctx, $"ARG {u} has no default: without --build-arg {u}=… the base image name is empty.", VariableReferences.RangeOf(from, u), from, $"Give it a default: ARG {u}=<image>.");
        }
    }

    static bool IsInvalidName(string b) => b.Length == 0 || b.Any(char.IsWhiteSpace) || b.StartsWith(':') || b.EndsWith(':') || b.StartsWith('/');
}
