using System.Management.Automation;
using DockOpt.Engine.Analysis;
using DockOpt.Engine.History;

namespace DockOpt.Cmdlets;

/// <summary>Compares two local images (names, ImageInfo or BuildResult objects): size, layers, build time, registry cost.</summary>
[Cmdlet(VerbsData.Compare, "DockOptImage", SupportsShouldProcess = true)]
[OutputType(typeof(ImageComparison))]
public sealed class CompareDockOptImageCommand : EngineCmdlet
{
    readonly List<(ComparisonSide Side, object Input)> _pending = new();
    bool _sawDifference;

    /// <summary>The image compared against (typically the single-stage build): a name or ID, an ImageInfo or a BuildResult.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(ImageNameCompleter))]
    public object? ReferenceImage { get; set; }

    /// <summary>
    /// The image compared (typically the multi-stage build): a name or ID, an ImageInfo or a BuildResult. From the
    /// pipeline: with -ReferenceImage each piped image is compared with it; without it, piped images are compared in
    /// pairs in order (first against second, third against fourth, …).
    /// </summary>
    [Parameter(Position = 1, ValueFromPipeline = true)]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(ImageNameCompleter))]
    public object? DifferenceImage { get; set; }

    /// <summary>Registry storage price per decimal GB and month (default 0.10).</summary>
    [Parameter]
    [ValidateRange(0.0, 1_000_000.0)]
    public double StoragePricePerGBMonth { get; set; } = 0.10;

    /// <summary>Registry transfer (egress) price per decimal GB pulled (default 0.09).</summary>
    [Parameter]
    [ValidateRange(0.0, 1_000_000.0)]
    public double TransferPricePerGB { get; set; } = 0.09;

    /// <summary>Pulls of each image per month for the transfer cost (default 100).</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int PullsPerMonth { get; set; } = 100;

    /// <summary>The platform to pick from a multi-platform image (os/arch[/variant], e.g. linux/arm64); default: the host's.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Platform { get; set; }

    /// <summary>Adds the layer-level comparison (shared and unique layers by diff ID) in the Layers property.</summary>
    [Parameter]
    public SwitchParameter Detailed { get; set; }

    /// <summary>Appends each comparison to this JSON-lines history file (default: $env:DOCKOPT_HISTORY when set).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? HistoryPath { get; set; }

    string? _historyFile;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        var baseDir = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
        _historyFile = HistoryStore.ResolvePath(
            HistoryPath != null ? GetUnresolvedProviderPathFromPSPath(HistoryPath) : null, baseDir);
    }

    protected override void ProcessRecord()
    {
        if (DifferenceImage == null) return;
        _sawDifference = true;
        var diff = ToSide(DifferenceImage, nameof(DifferenceImage));
        if (diff == null) return;
        if (ReferenceImage != null)
        {
            var reference = ToSide(ReferenceImage, nameof(ReferenceImage));
            if (reference == null) return;
            CompareOne(reference, diff);
            return;
        }
        _pending.Add((diff, DifferenceImage));
        if (_pending.Count == 2)
        {
            var (r, d) = (_pending[0].Side, _pending[1].Side);
            _pending.Clear();
            CompareOne(r, d);
        }
    }

    protected override void EndProcessing()
    {
        if (_pending.Count == 1)
        {
            WriteError(ToErrorRecord(new DockOptException(ErrorIds.ComparisonNeedsTwoImages, DockOptErrorCategory.InvalidArgument,
                $"'{_pending[0].Side}' has no image to be compared with: give -ReferenceImage, or pipe images in pairs (reference, then difference).",
                _pending[0].Input,
                "Give -ReferenceImage and -DifferenceImage, or pipe two BuildResult objects (reference first).")));
        }
        else if (!_sawDifference)
        {
            ThrowTerminatingError(ToErrorRecord(new DockOptException(ErrorIds.ComparisonNeedsTwoImages, DockOptErrorCategory.InvalidArgument,
                "Compare-DockOptImage needs a -DifferenceImage (or piped images).", ReferenceImage,
                "Compare-DockOptImage -ReferenceImage app:single -DifferenceImage app:multi")));
        }
        base.EndProcessing();
    }

    void CompareOne(ComparisonSide reference, ComparisonSide difference)
    {
        var cost = new RegistryCostModel
        {
            StoragePricePerGBMonth = StoragePricePerGBMonth,
            TransferPricePerGB = TransferPricePerGB,
            PullsPerMonth = PullsPerMonth,
        };
        RunPerItem(async ct =>
        {
            var c = await new ImageComparer(GetEngineAsync) { Platform = Platform }.CompareAsync(reference, difference, cost, Detailed, ct, this).ConfigureAwait(false);
            Verbose($"{c.ReferenceImage} ({c.ReferenceSize} bytes, {c.ReferenceLayerCount} layers) vs {c.DifferenceImage} ({c.DifferenceSize} bytes, {c.DifferenceLayerCount} layers): {c.SharedLayerCount} shared layers.");
            Verbose(c.CostBasis == "Compressed"
                ? $"Costs use compressed bytes (what the registry stores and a pull transfers): {c.ReferenceCompressedSize} and {c.DifferenceCompressedSize} bytes."
                : "Costs use uncompressed bytes: a compressed size is not known for both images (an archive), so they are an upper bound.");
            Output(c);
            if (_historyFile != null && ((IDockOptSink)this).ShouldProcess(_historyFile, $"Append the comparison of {c.ReferenceImage} and {c.DifferenceImage} to the history"))
                HistoryStore.Record(_historyFile, HistoryRecords.FromComparison(c), this);
        });
    }

    /// <summary>Turns a parameter value into a comparison side; writes InvalidImageArgument and returns null when it cannot.</summary>
    ComparisonSide? ToSide(object value, string parameter)
    {
        var o = value is PSObject p ? p.BaseObject : value;
        switch (o)
        {
            case BuildResult b:
                return ComparisonSide.FromBuild(b);
            case ImageInfo i:
                return ComparisonSide.FromImage(i);
            case string s when !string.IsNullOrWhiteSpace(s):
                if (!DockOpt.Engine.Images.ImageSourceReference.HasTransport(s))
                    return CheckImageName(s) ? ComparisonSide.FromName(s) : null; // InvalidImageReference written
                if (ClassifyImage(s) is not { } input) return null;
                return new ComparisonSide
                {
                    Reference = input.Value,
                    DisplayName = s,
                    Transport = DockOpt.Engine.Images.ImageSourceReference.Parse(s).WithPath(input.Value),
                };
        }
        // Objects with the same shape (Import-Clixml, ConvertFrom-Json of a BuildResult or ImageInfo, custom objects).
        var ps = value as PSObject ?? PSObject.AsPSObject(value);
        string? Prop(string name) => ps.Properties[name]?.Value?.ToString() is { Length: > 0 } v ? v : null;
        var id = Prop("ImageId") ?? Prop("Id");
        var name = Prop("Name") ?? Prop("Image");
        if (id != null || name != null)
        {
            TimeSpan? duration = null;
            if (ps.Properties["DurationSeconds"]?.Value is { } ds && double.TryParse(ds.ToString(), System.Globalization.NumberStyles.Float,
                    System.Globalization.CultureInfo.InvariantCulture, out var sec))
                duration = TimeSpan.FromSeconds(sec);
            return new ComparisonSide { Reference = id ?? name!, DisplayName = name, BuildDuration = duration };
        }
        WriteError(ToErrorRecord(new DockOptException(ErrorIds.InvalidImageArgument, DockOptErrorCategory.InvalidArgument,
            $"-{parameter} must be an image name or ID, an ImageInfo or a BuildResult; got {o.GetType().FullName}.", value,
            "Pass a name such as app:multi, the output of Get-DockOptImage, or the output of Invoke-DockOptBuild.")));
        return null;
    }
}
