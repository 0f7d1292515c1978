using System.Management.Automation;
using DockOpt.Engine.Images;

namespace DockOpt.Cmdlets;

/// <summary>Gets local Docker images as DockOpt.ImageInfo objects.</summary>
[Cmdlet(VerbsCommon.Get, "DockOptImage")]
[OutputType(typeof(ImageInfo))]
public sealed class GetDockOptImageCommand : EngineCmdlet
{
    readonly List<string> _names = new();
    bool _sawInput;

    /// <summary>Image names, wildcards, IDs or digest references.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Image", "ImageId", "Id", "Tags")]
    [SupportsWildcards]
    [ImageNameTransformation]
    [ArgumentCompleter(typeof(ImageNameCompleter))]
    [AllowEmptyCollection]
    public string[]? Name { get; set; }

    /// <summary>Include environment variable values (they may hold secrets).</summary>
    [Parameter]
    public SwitchParameter IncludeEnvValues { get; set; }

    /// <summary>Include untagged intermediate images, like docker images -a.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    /// <summary>Estimate CompressedSize for images whose layers were not estimated before (exports each such image once).</summary>
    [Parameter]
    public SwitchParameter CompressedSize { get; set; }

    protected override void ProcessRecord()
    {
        if (Name == null) return;
        _sawInput = true;
        // Names are collected and resolved together in EndProcessing: one list call serves every wildcard.
        _names.AddRange(Name.Where(n => !string.IsNullOrWhiteSpace(n)));
    }

    protected override void EndProcessing()
    {
        if (_sawInput && _names.Count == 0)
        {
            base.EndProcessing();
            return;
        }
        Run(async ct =>
        {
            var engine = await GetEngineAsync(ct).ConfigureAwait(false);
            var catalog = new LocalImageCatalog(engine);
            var images = await catalog.GetAsync(new LocalImageCatalog.Query
            {
                Names = _names,
                IncludeEnvValues = IncludeEnvValues,
                All = All,
            }, Error, ct).ConfigureAwait(false);
            var estimator = new DockOpt.Engine.Registry.PushSizeEstimator(engine, this);
            foreach (var i in images)
            {
                i.CompressedSize = estimator.TryCached(i.LayerDiffIds);
                if (i.CompressedSize == null && CompressedSize)
                    i.CompressedSize = await estimator.EstimateAsync(i.Id, i.LayerDiffIds, ct).ConfigureAwait(false);
                Output(i);
            }
        });
        base.EndProcessing();
    }
}
