namespace DockOpt;

public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Run Update-DockOptVulnerabilityDatabase, or give a folder of OSV records or an OSV zip (for example an ecosystem's all.zip).")]
    public const string VulnerabilityDatabaseNotFound = nameof(VulnerabilityDatabaseNotFound);

    [ErrorId(DockOptErrorCategory.InvalidData, "Run Update-DockOptVulnerabilityDatabase again; it replaces a database only with a complete download.")]
    public const string VulnerabilityDatabaseCorrupt = nameof(VulnerabilityDatabaseCorrupt);

    [ErrorId(DockOptErrorCategory.InvalidData, "Fix or remove the OSV record file.")]
    public const string VulnerabilityRecordInvalid = nameof(VulnerabilityRecordInvalid);

    [ErrorId(DockOptErrorCategory.ConnectionError, "Check the network, HTTPS_PROXY, or give -Mirror; the previous database is left as it was.")]
    public const string VulnerabilityDatabaseDownloadFailed = nameof(VulnerabilityDatabaseDownloadFailed);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "Give -Ecosystem (for example Debian, PyPI, Go) or -Name of images whose packages decide the ecosystems.")]
    public const string VulnerabilityEcosystemMissing = nameof(VulnerabilityEcosystemMissing);

    [ErrorId(DockOptErrorCategory.InvalidResult, "Fix the reasons listed (update the vulnerability database, or scan with -Scanner Secret,Config to skip vulnerabilities explicitly); an incomplete scan is never a pass.")]
    public const string SecurityScanIncomplete = nameof(SecurityScanIncomplete);

    [ErrorId(DockOptErrorCategory.InvalidData, "Give the report trivy wrote for this exact image (trivy image --input of its archive, or its ID).")]
    public const string TrivyReportImageMismatch = nameof(TrivyReportImageMismatch);

    [ErrorId(DockOptErrorCategory.ParserError, "Write expiry dates as YYYY-MM-DD.")]
    public const string IgnoreFileInvalid = nameof(IgnoreFileInvalid);

    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Give the path of a .trivyignore or .trivyignore.yaml file.")]
    public const string IgnoreFileNotFound = nameof(IgnoreFileNotFound);

    [ErrorId(DockOptErrorCategory.InvalidData, "Check that the image exists and is complete.")]
    public const string ImageReadFailed = nameof(ImageReadFailed);

    [ErrorId(DockOptErrorCategory.ResourceUnavailable, "Trivy needs a cached vulnerability DB for offline scans ('trivy image --download-db-only' where it has network), or use -VulnerabilityDatabase with OSV records.")]
    public const string ScannerUnavailable = nameof(ScannerUnavailable);

    [ErrorId(DockOptErrorCategory.InvalidData, "Give the output of 'trivy image --format json'.")]
    public const string TrivyReportInvalid = nameof(TrivyReportInvalid);

    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Give the path of a file written by 'trivy image --format json --output FILE'.")]
    public const string TrivyReportNotFound = nameof(TrivyReportNotFound);
}
