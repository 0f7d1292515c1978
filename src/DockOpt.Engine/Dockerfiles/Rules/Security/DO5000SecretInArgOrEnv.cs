using System.Text.RegularExpressions;

namespace DockOpt.Engine.Dockerfiles.Rules.Security;

/// <summary>A secret in ARG/ENV is stored in the image history (hadolint DL3064, build check SecretsUsedInArgOrEnv).</summary>
public sealed class DO5000SecretInArgOrEnv : Rule
{
    public override RuleInfo Info { get; } = new("DO5000", "SecretInArgOrEnv", Severity.Medium, "A secret in ARG/ENV is stored in the image history; use RUN --mount=type=secret.", "DL3064", "SecretsUsedInArgOrEnv");

    /// <summary>BuildKit's SecretsUsedInArgOrEnv tokens plus hadolint DL3064's names, as whole '_'-separated parts of the name.</summary>
    static readonly Regex SecretName = new(@"(?:_|^)(?:apikey|api_key|auth|credential|credentials|key|password|pword|passwd|secret|token|private_key|access_key)(?:_|$)", RegexOptions.IgnoreCase | RegexOptions.Compiled);
    /// <summary>Name parts that say the value is not the secret itself (a path, a public key, an id).</summary>
    static readonly Regex SecretAllow = new(@"(?:_|^)(?:public|file|version|path|dir|url|id|name)(?:_|$)", RegexOptions.IgnoreCase | RegexOptions.Compiled);

    public override void Check(LintContext ctx)
    {
        foreach (var ins in ctx.Document.Instructions.Where(i => i.Keyword is "ARG" or "ENV"))
            foreach (var (key, _, _, word) in VariableExpander.KeyValues(ins.Arguments.Text, ins.Keyword == "ENV"))
                if (SecretName.IsMatch(key) && !SecretAllow.IsMatch(key))
                    Report(ctx, $"{ins.Keyword} {key} looks like a secret; its value is kept in the image history and metadata.", ins.Arguments.RangeOf(word.Start, word.End), ins,
                        $"Pass it at build time with RUN --mount=type=secret,id={key.ToLowerInvariant()},env={key} …");
    }
}
