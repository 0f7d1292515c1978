using System.Text.Json;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.Registry;

/// <summary>State of one layer during an engine push.</summary>
public sealed class PushLayer
{
    public string Id { get; init; } = "";
    public string State { get; set; } = "Preparing";
    public long Current { get; set; }
    public long Total { get; set; }

    /// <summary>Pushed (uploaded), Exists (already in the repository) or Mounted (cross-repository mount).</summary>
    public string? Outcome { get; set; }
}
