namespace DockOpt;

public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Check the path of the SBOM file given to -Sbom.")]
    public const string SbomNotFound = nameof(SbomNotFound);

    [ErrorId(DockOptErrorCategory.InvalidData, "Give a CycloneDX JSON (bomFormat \"CycloneDX\") or SPDX 2.x JSON (spdxVersion) document, e.g. one written by -SbomPath or by syft.")]
    public const string SbomFormatUnknown = nameof(SbomFormatUnknown);
}
