namespace DockOpt;

/// <summary>One installed package found in an image (Get-DockOptPackage).</summary>
public sealed class PackageInfo
{
    /// <summary>The image the package was found in (as given).</summary>
    public string Image { get; set; } = "";
    public string Name { get; set; } = "";
    public string Version { get; set; } = "";

    /// <summary>Package type, as the purl type: deb, apk, rpm, pypi, npm, nuget, golang, maven, gem, composer, cargo.</summary>
    public string Type { get; set; } = "";

    /// <summary>Package URL per the purl specification.</summary>
    public string Purl { get; set; } = "";

    /// <summary>Zero-based index of the layer that installed this version.</summary>
    public int Layer { get; set; }
    public string LayerDiffId { get; set; } = "";

    /// <summary>True when that layer belongs to the base image (see Invoke-DockOptScan's notes).</summary>
    public bool IsBaseLayer { get; set; }

    /// <summary>The file the package was read from (the package database or metadata file), without a leading '/'.</summary>
    public string Path { get; set; } = "";

    /// <summary>Source package (dpkg Source, apk origin), used for OS advisories; empty when the same as Name.</summary>
    public string SourceName { get; set; } = "";
    public string SourceVersion { get; set; } = "";
    public string Architecture { get; set; } = "";

    /// <summary>OSV ecosystem name used for matching (e.g. Debian:12, PyPI, npm).</summary>
    public string Ecosystem { get; set; } = "";

    /// <summary>Licence: an SPDX expression when the metadata gives one, else the metadata's text; empty when unknown.</summary>
    public string License { get; set; } = "";

    /// <summary>Vendor or supplier as the metadata names it (rpm Vendor, dpkg Maintainer, gem authors…); empty when unknown.</summary>
    public string Vendor { get; set; } = "";

    public override string ToString() => Purl;
}
