namespace DockOpt.Engine.Dockerfiles.Rules.Security;

/// <summary>The stages whose layers and settings make up the shipped image, in order.</summary>
internal static class ShippedImage
{
    public static List<Stage> Stages(DockerfileModel model) => model.Shipped.Order().Select(i => model.Stages[i]).ToList();
    public static List<Instruction> Instructions(DockerfileModel model) => Stages(model).SelectMany(s => s.Instructions).ToList();

    /// <summary>The last USER of the shipped image and its value, when the value is known.</summary>
    public static (Instruction Ins, string Value, string User)? LastUser(LintContext ctx)
    {
        if (ctx.Model.Final == null || Instructions(ctx.Model).LastOrDefault(i => i.Keyword == "USER") is not { } last) return null;
        var r = ctx.Model.Expand(last, last.Arguments.Text);
        return r.Resolved ? (last, r.Value, r.Value.Split(':')[0].Trim()) : null;
    }
}
