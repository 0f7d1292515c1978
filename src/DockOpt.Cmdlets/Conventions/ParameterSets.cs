namespace DockOpt.Cmdlets.Conventions;

/// <summary>The parameter-set names every DockOpt cmdlet uses (one spelling, as PSResourceGet keeps its set names in constants).</summary>
internal static class ParameterSets
{
    /// <summary>Images by -Name (names, IDs, wildcards, or DockOpt objects that name an image).</summary>
    public const string Name = "Name";

    /// <summary>Files or folders by -Path (wildcards resolved).</summary>
    public const string Path = "Path";

    /// <summary>Files or folders by -LiteralPath (no wildcard resolution).</summary>
    public const string LiteralPath = "LiteralPath";

    /// <summary>Image archives (docker save tar, OCI archive, OCI layout folder) by -Path.</summary>
    public const string Archive = "Archive";

    /// <summary>Image archives by -LiteralPath.</summary>
    public const string ArchiveLiteralPath = "ArchiveLiteralPath";

    /// <summary>Dockerfile text by -Content.</summary>
    public const string Content = "Content";

    /// <summary>Publish: -Registry and -Repository.</summary>
    public const string Registry = "Registry";

    /// <summary>Publish: one -Destination reference.</summary>
    public const string Destination = "Destination";

    /// <summary>Scan: existing SBOMs by -Sbom instead of images.</summary>
    public const string Sbom = "Sbom";
}
