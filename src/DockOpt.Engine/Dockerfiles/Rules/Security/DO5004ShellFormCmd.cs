using System.Text.RegularExpressions;

namespace DockOpt.Engine.Dockerfiles.Rules.Security;

/// <summary>Shell-form CMD/ENTRYPOINT: the app is not PID 1 and does not receive SIGTERM (hadolint DL3025).</summary>
public sealed class DO5004ShellFormCmd : Rule
{
    public override RuleInfo Info { get; } = new("DO5004", "ShellFormCmd", Severity.Medium, "Shell-form CMD/ENTRYPOINT: the app is not PID 1 and does not receive SIGTERM.", "DL3025", "JSONArgsRecommended", true, true);

    /// <summary>Shell syntax that a JSON rewrite would change the meaning of.</summary>
    static readonly Regex ShellSyntax = new(@"[$|&;<>*?`()\\{}~#]|\s-c\s", RegexOptions.Compiled);

    public override void Check(LintContext ctx)
    {
        if (ctx.Model.Final == null) return;
        foreach (var ins in ShippedImage.Instructions(ctx.Model).Where(i => i.Keyword is "CMD" or "ENTRYPOINT" && i.ExecForm == null && i.Arguments.Length > 0))
        {
            var words = DockerfileParser.Words(ins.Arguments.Text).ToList();
            var f = Report(ctx, $"Shell-form {ins.Keyword}: /bin/sh -c is PID 1, so SIGTERM does not reach the app and docker stop waits for the kill timeout.",
                ins.Arguments.RangeOf(0, ins.Arguments.Length), ins, $"{ins.Keyword} [{string.Join(", ", words.Select(w => "\"" + w.Value + "\""))}]");
            var a = ins.Arguments;
            var start = a.PositionAt(0);
            var end = a.EndOf(a.Length);
            if (ins.InvalidJson || start.Line != end.Line || ShellSyntax.IsMatch(a.Text) || a.Text.Contains('\'')) continue;
            var json = "[" + string.Join(", ", words.Select(w => System.Text.Json.JsonSerializer.Serialize(w.Value))) + "]";
            f.Edits.Add(new TextEdit(start.Line, start.Column, end.Column - start.Column, json));
        }
    }
}
