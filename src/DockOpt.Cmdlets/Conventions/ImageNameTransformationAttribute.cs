using System.Collections;
using System.Management.Automation;

namespace DockOpt.Cmdlets.Conventions;

/// <summary>
/// Turns every DockOpt object that names an image into that image's name before -Name binds, so any DockOpt result
/// pipes into any image cmdlet by value: ImageInfo and BuildResult (Name), ImageAnalysis, SecurityReport, ImageTestResult,
/// ImageTestSummary, PackageInfo, Vulnerability, SecurityFinding and HistoryRecord (Image), PublishResult (Reference).
/// Strings pass through unchanged. (Without it, an ImageTestResult or PackageInfo would bind its own Name by property name.)
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ImageNameTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject p ? p.BaseObject : inputData;
        if (value is string) return inputData;
        if (ImageNameOf(value) is { } name) return name;
        if (value is IList list)
        {
            var names = new List<object>(list.Count);
            foreach (var item in list)
            {
                var v = item is PSObject ip ? ip.BaseObject : item;
                names.Add(ImageNameOf(v) ?? item);
            }
            return names.ToArray();
        }
        return inputData;
    }

    /// <summary>The image a DockOpt object names, or null when it is not one of them.</summary>
    internal static string? ImageNameOf(object? value) => value switch
    {
        ImageInfo i => i.Name,
        BuildResult b => b.Name,
        ImageAnalysis a => NonEmpty(a.Image, a.ImageId),
        SecurityReport r => NonEmpty(r.Image, r.ImageId),
        ImageTestResult t => NonEmpty(t.Image, t.ImageId),
        ImageTestSummary s => NonEmpty(s.Image, s.ImageId),
        PackageInfo k => k.Image,
        Vulnerability v => v.Image,
        SecurityFinding f => f.Image,
        HistoryRecord h => NonEmpty(h.Image, h.ImageId),
        PublishResult u => u.Reference,
        CopyResult c => c.Destination,
        _ => null,
    };

    static string NonEmpty(string a, string b) => string.IsNullOrEmpty(a) ? b : a;
}
