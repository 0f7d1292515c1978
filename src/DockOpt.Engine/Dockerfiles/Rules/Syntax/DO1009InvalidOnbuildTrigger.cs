namespace DockOpt.Engine.Dockerfiles.Rules.Syntax;

/// <summary>ONBUILD cannot trigger ONBUILD, FROM or MAINTAINER. Found by the parser.</summary>
public sealed class DO1009InvalidOnbuildTrigger : ParserIssueRule
{
    public override RuleInfo Info { get; } = new("DO1009", "InvalidOnbuildTrigger", Severity.High, "ONBUILD cannot trigger ONBUILD, FROM or MAINTAINER.", "DL3043");
}
