namespace DockOpt;

/// <summary>The gates: each ends its command with ONE terminating error after all input, naming every reason.</summary>
public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.InvalidResult, "Fix the findings listed in the message, or suppress accepted ones with '# dockopt ignore=<rule>' or ignored: in .dockopt.yml; files that could not be linted count too.")]
    public const string LintGateFailed = nameof(LintGateFailed);

    [ErrorId(DockOptErrorCategory.InvalidResult, "Reduce the waste the Recommendations list, or adjust -LowestEfficiency, -HighestReclaimableBytes, -HighestUserWastedPercent, -MinimumScore or .dockopt.yml; images that could not be read count too.")]
    public const string ImageAnalysisGateFailed = nameof(ImageAnalysisGateFailed);

    [ErrorId(DockOptErrorCategory.InvalidResult, "Read the Message and Detail of each failed result (Test-DockOptImage … | Where-Object { -not $_.Passed } | Format-List); images that could not be tested count too.")]
    public const string ImageTestGateFailed = nameof(ImageTestGateFailed);

    [ErrorId(DockOptErrorCategory.SecurityError, "Fix the findings, or suppress accepted ones in a .trivyignore file with an expiry date; images that could not be scanned count too.")]
    public const string SecurityGateFailed = nameof(SecurityGateFailed);

    [ErrorId(DockOptErrorCategory.SecurityError, "Fix the findings (Get-ECRImageScanFinding lists them) or raise -FailOn; the images were published. Images without a complete scan count too.")]
    public const string PublishScanGateFailed = nameof(PublishScanGateFailed);
}
