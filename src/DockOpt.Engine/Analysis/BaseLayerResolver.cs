using Docker.DotNet;
using Docker.DotNet.Models;
using DockOpt.Engine.DockerApi;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis;

/// <summary>
/// Finds the base-image layers of a local image: from an explicit base image (its diff IDs are a prefix), else from the
/// history boundary (the newest lower history entry that is a tagged local image, i.e. what the final stage's FROM
/// resolved to), else from the longest diff-ID prefix shared with another local image.
/// </summary>
public sealed class BaseLayerResolver
{
    readonly DockerEngine _engine;
    readonly IDockOptSink _sink;
    List<(string Id, string Name, IList<string> Layers)>? _locals;

    public BaseLayerResolver(DockerEngine engine, IDockOptSink sink)
    {
        _engine = engine;
        _sink = sink;
    }

    /// <summary>Diff IDs of a local image (for -BaseImage).</summary>
    public async Task<IList<string>> GetDiffIdsAsync(string image, CancellationToken ct)
    {
        try
        {
            var r = await _engine.Client.Images.InspectImageAsync(image, ct).ConfigureAwait(false);
            return r.RootFS?.Layers ?? new List<string>();
        }
        catch (DockerImageNotFoundException)
        {
            throw new DockOptException(ErrorIds.BaseImageNotFound, DockOptErrorCategory.ObjectNotFound, $"The base image '{image}' is not a local image.",
                image, "Give a local image with -BaseImage (see Get-DockOptImage), or leave it out to detect the base from the history.");
        }
        catch (DockerApiException e)
        {
            throw EngineErrors.FromApi(e, ErrorIds.BaseImageNotFound, image);
        }
    }

    public static BaseLayers FromBaseDiffIds(IReadOnlyList<string> image, IList<string> baseIds, string baseName)
    {
        var n = 0;
        while (n < image.Count && n < baseIds.Count && image[n] == baseIds[n]) n++;
        return new BaseLayers { Count = n, Source = "BaseImage", Image = baseName };
    }

    /// <summary>History boundary, then shared layers; <paramref name="imageId"/> is the analysed image.</summary>
    public async Task<BaseLayers> ResolveAsync(string imageId, ImageConfigSummary config, IReadOnlyList<string> diffIds, CancellationToken ct)
    {
        try
        {
            var history = await _engine.Client.Images.GetImageHistoryAsync(imageId, ct).ConfigureAwait(false);
            // Newest first; one entry per config history entry. Skip the image itself.
            if (history.Count == config.History.Length && history.Count > 1)
            {
                for (var i = 1; i < history.Count; i++)
                {
                    var h = history[i];
                    if (h.Tags == null || h.Tags.Count == 0 || string.IsNullOrEmpty(h.ID) || h.ID == "<missing>") continue;
                    var boundary = history.Count - 1 - i; // history index (0 = oldest) of the base image's top entry
                    var map = ImageAccounting.MapHistory(config, diffIds);
                    var count = map.Where(m => m.History <= boundary && m.Layer >= 0).Select(m => m.Layer + 1).DefaultIfEmpty(0).Max();
                    return new BaseLayers { Count = count, Source = "History", Image = h.Tags[0] };
                }
            }
        }
        catch (DockerApiException e)
        {
            _sink.Verbose($"Image history of {imageId} not available: {e.Message}");
        }

        // Shared layers: the longest proper prefix of our diff IDs that another local image has as its whole layer list.
        _locals ??= await LoadLocalsAsync(ct).ConfigureAwait(false);
        var best = 0;
        string? bestName = null;
        foreach (var (id, name, layers) in _locals)
        {
            if (id == imageId || layers.Count == 0 || layers.Count >= diffIds.Count || layers.Count <= best) continue;
            var prefix = true;
            for (var i = 0; i < layers.Count && prefix; i++) prefix = layers[i] == diffIds[i];
            if (!prefix) continue;
            best = layers.Count;
            bestName = name;
        }
        return best > 0 ? new BaseLayers { Count = best, Source = "SharedLayers", Image = bestName } : BaseLayers.None;
    }

    async Task<List<(string, string, IList<string>)>> LoadLocalsAsync(CancellationToken ct)
    {
        var list = new List<(string, string, IList<string>)>();
        IList<ImagesListResponse> images;
        try
        {
            images = await _engine.Client.Images.ListImagesAsync(new ImagesListParameters { All = false }, ct).ConfigureAwait(false);
        }
        catch (DockerApiException e)
        {
            _sink.Verbose("Cannot list local images: " + e.Message);
            return list;
        }
        foreach (var i in images.Take(500))
        {
            try
            {
                var r = await _engine.Client.Images.InspectImageAsync(i.ID, ct).ConfigureAwait(false);
                var name = PreferredTag(i.RepoTags) ?? i.ID;
                list.Add((i.ID, name, r.RootFS?.Layers ?? new List<string>()));
            }
            catch (DockerApiException)
            {
                // removed meanwhile
            }
        }
        return list;
    }

    /// <summary>
    /// The tag to name an image by when it has several (a base pushed to a registry keeps its local name too): a name without a
    /// registry host first (what a Dockerfile's FROM most often says), then the shortest, then ordinal order, so the choice
    /// does not depend on the order the engine lists tags in.
    /// </summary>
    internal static string? PreferredTag(IEnumerable<string>? tags) =>
        tags?.Where(t => t != "<none>:<none>")
            .OrderBy(t => HasRegistryHost(t) ? 1 : 0)
            .ThenBy(t => t.Length)
            .ThenBy(t => t, StringComparer.Ordinal)
            .FirstOrDefault();

    static bool HasRegistryHost(string tag)
    {
        var slash = tag.IndexOf('/');
        if (slash < 0) return false;
        var first = tag[..slash];
        return first.Contains('.') || first.Contains(':') || first == "localhost";
    }
}
