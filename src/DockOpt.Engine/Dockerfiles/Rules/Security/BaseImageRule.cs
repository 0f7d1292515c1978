namespace DockOpt.Engine.Dockerfiles.Rules.Security;

/// <summary>Base of the rules on base images: visits each stage built on an image (not a stage, not scratch) whose name is known.</summary>
public abstract class BaseImageRule : Rule
{
    public override void Check(LintContext ctx)
    {
        foreach (var st in ctx.Model.Stages)
        {
            // An unknown ARG value leaves BaseResolved null: no guess (hadolint #219, #1078).
            if (st.BaseStage != null || st.IsScratch || st.BaseResolved is not { } image) continue;
            var range = st.From.Arguments.RangeOf(0, Math.Min(st.BaseRaw.Length, st.From.Arguments.Length));
            Check(ctx, st, image, ImageNames.Split(image), range);
        }
    }

    protected abstract void Check(LintContext ctx, Stage stage, string image, (string Repo, string Tag, string Registry, bool HasDigest) parts, SourceRange range);
}
