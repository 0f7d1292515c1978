namespace DockOpt;

/// <summary>
/// The one severity scale of DockOpt: lint findings, scan findings, publish scan findings and gates
/// (<c>-FailOn</c>) all use it. Ordered: Unknown &lt; Info &lt; Low &lt; Medium &lt; High &lt; Critical.
/// hadolint's levels map onto it as Style = Info, Info = Low, Warning = Medium, Error = High.
/// A gate never treats Unknown as "below the threshold" unless the user maps it (see about_DockOpt_Conventions).
/// </summary>
public enum Severity
{
    Unknown = 0,
    Info = 1,
    Low = 2,
    Medium = 3,
    High = 4,
    Critical = 5,
}
