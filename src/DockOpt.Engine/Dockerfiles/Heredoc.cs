namespace DockOpt.Engine.Dockerfiles;

/// <summary>A heredoc attached to RUN/COPY/ADD.</summary>
public sealed class Heredoc
{
    public string Delimiter { get; init; } = "";
    /// <summary>Quoted delimiter (<c>&lt;&lt;"EOF"</c>): no build-time expansion.</summary>
    public bool Quoted { get; init; }
    /// <summary><c>&lt;&lt;-EOF</c>: leading tabs stripped.</summary>
    public bool StripTabs { get; init; }
    /// <summary>Body, lines joined with \n, each character mapped to its physical position.</summary>
    public MappedText Body { get; init; } = null!;
    public SourceRange MarkerRange { get; init; }
    /// <summary>From the marker to the end of the terminator line.</summary>
    public SourceRange Range { get; init; }
    public bool Terminated { get; init; }
}
