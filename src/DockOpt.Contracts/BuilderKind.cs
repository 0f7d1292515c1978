namespace DockOpt;

/// <summary>-Builder: which of the engine's builders runs the build.</summary>
public enum BuilderKind
{
    /// <summary>BuildKit where the engine offers it (API 1.39+, a Linux engine), else the classic builder.</summary>
    Auto,
    BuildKit,
    Classic,
}
