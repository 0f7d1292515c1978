using Docker.DotNet;
using Docker.DotNet.Models;
using DockOpt.Engine.DockerApi;

namespace DockOpt.Engine.Images;

/// <summary>Finds local images by name, wildcard, ID or digest and describes them as <see cref="ImageInfo"/>.</summary>
public sealed class LocalImageCatalog
{
    readonly DockerEngine _engine;

    public LocalImageCatalog(DockerEngine engine) => _engine = engine;

    public sealed class Query
    {
        public IReadOnlyList<string>? Names { get; init; }
        public bool IncludeEnvValues { get; init; }
        public bool IncludeHistory { get; init; } = true;
        /// <summary>Include untagged intermediate images (docker images -a).</summary>
        public bool All { get; init; }
    }

    /// <summary>
    /// Resolves the names to images and returns them in order; a name that matches nothing is reported through
    /// <paramref name="notFound"/> (non-terminating) and the others are still returned.
    /// </summary>
    public async Task<IReadOnlyList<ImageInfo>> GetAsync(Query query, Action<DockOptException> notFound, CancellationToken ct)
    {
        var found = new Selection(this, query, ct);
        if (query.Names == null || query.Names.Count == 0)
        {
            foreach (var i in await found.ListAsync().ConfigureAwait(false)) found.Add(i.ID, null);
        }
        else
        {
            foreach (var raw in query.Names)
            {
                var name = raw?.Trim();
                if (string.IsNullOrEmpty(name)) continue;
                if (!await found.ResolveAsync(name).ConfigureAwait(false)) notFound(NotFound(name));
            }
        }
        return await DescribeAllAsync(found, query, notFound, ct).ConfigureAwait(false);
    }

    /// <summary>Describes the selected images, eight at a time, in selection order.</summary>
    async Task<IReadOnlyList<ImageInfo>> DescribeAllAsync(Selection found, Query query, Action<DockOptException> notFound, CancellationToken ct)
    {
        var ids = found.Ids;
        var results = new ImageInfo[ids.Count];
        using var gate = new SemaphoreSlim(8);
        var tasks = ids.Select(async (entry, index) =>
        {
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                results[index] = await DescribeAsync(entry.Id, entry.MatchedTag, query, ct,
                    found.Inspected.GetValueOrDefault(entry.Id)).ConfigureAwait(false);
            }
            catch (DockOptException e) when (e.Category == DockOptErrorCategory.ObjectNotFound)
            {
                notFound(e); // removed between list and inspect
            }
            finally
            {
                gate.Release();
            }
        }).ToArray();
        await Task.WhenAll(tasks).ConfigureAwait(false);
        return results.Where(r => r != null).ToList();
    }

    /// <summary>The images a query selects, in order and once each, with the engine's answers kept for reuse.</summary>
    sealed class Selection
    {
        readonly LocalImageCatalog _catalog;
        readonly Query _query;
        readonly CancellationToken _ct;
        readonly HashSet<string> _seen = new(StringComparer.Ordinal);
        IList<ImagesListResponse>? _list;

        public Selection(LocalImageCatalog catalog, Query query, CancellationToken ct) => (_catalog, _query, _ct) = (catalog, query, ct);

        public List<(string Id, string? MatchedTag)> Ids { get; } = new();

        /// <summary>Inspect answers already received, by ID (described from them: no second inspect).</summary>
        public Dictionary<string, ImageInspectResponse> Inspected { get; } = new(StringComparer.Ordinal);

        public void Add(string id, string? tag)
        {
            if (_seen.Add(id)) Ids.Add((id, tag));
        }

        /// <summary>The engine's image list, newest first, fetched once.</summary>
        public async Task<IList<ImagesListResponse>> ListAsync()
        {
            if (_list != null) return _list;
            try
            {
                _list = await _catalog._engine.Client.Images.ListImagesAsync(new ImagesListParameters { All = _query.All }, _ct).ConfigureAwait(false);
            }
            catch (DockerApiException e)
            {
                throw EngineErrors.FromApi(e, ErrorIds.ImageListFailed, null);
            }
            return _list = _list.OrderByDescending(i => i.Created).ToList();
        }

        /// <summary>Selects what one name means; false when it matches nothing.</summary>
        public async Task<bool> ResolveAsync(string name)
        {
            if (ImagePattern.HasWildcard(name)) return await MatchWildcardAsync(name).ConfigureAwait(false);
            var resolved = await _catalog.TryInspectAsync(name, _ct).ConfigureAwait(false);
            if (resolved != null)
            {
                Inspected[resolved.ID] = resolved;
                Add(resolved.ID, name.Contains('@') || LooksLikeId(name) ? null : Normalize(name));
                return true;
            }
            return await MatchRepositoryAsync(name).ConfigureAwait(false);
        }

        /// <summary>A wildcard pattern: every image with a matching tag, repository, ID or digest.</summary>
        async Task<bool> MatchWildcardAsync(string pattern)
        {
            var any = false;
            var rx = ImagePattern.WildcardToRegex(pattern);
            var patternHasTag = ImageReference.SplitPattern(pattern).Tag != null;
            foreach (var i in await ListAsync().ConfigureAwait(false))
            {
                var tags = i.RepoTags ?? Array.Empty<string>();
                if (!ImagePattern.Matches(rx, patternHasTag, i.ID, tags, i.RepoDigests ?? Array.Empty<string>())) continue;
                any = true;
                Add(i.ID, tags.FirstOrDefault(t => rx.IsMatch(t)));
            }
            return any;
        }

        /// <summary>"app" with no tag: every tag of that repository, as 'docker images app' lists them.</summary>
        async Task<bool> MatchRepositoryAsync(string name)
        {
            if (!ImageReference.TryParse(name, out var wanted) || wanted!.Tag != null || wanted.Digest != null) return false;
            var any = false;
            foreach (var i in await ListAsync().ConfigureAwait(false))
                foreach (var t in i.RepoTags ?? Array.Empty<string>())
                    if (ImageReference.TryParse(t, out var have) && have!.Repository == wanted.Repository)
                    {
                        Add(i.ID, t);
                        any = true;
                        break;
                    }
            return any;
        }
    }

    static bool LooksLikeId(string name)
    {
        var hex = name.StartsWith("sha256:", StringComparison.Ordinal) ? name.Substring(7) : name;
        return hex.Length >= 4 && hex.All(Uri.IsHexDigit);
    }

    /// <summary>Docker Hub short names as the engine reports them in RepoTags: "app" means "app:latest".</summary>
    static string Normalize(string name) =>
        ImageReference.TryParse(name, out var r) && r!.Tag == null && r.Digest == null ? name + ":latest" : name;

    static DockOptException NotFound(string name) => new(ErrorIds.ImageNotFound, DockOptErrorCategory.ObjectNotFound,
        $"No local image matches '{name}'.", name,
        "List local images with Get-DockOptImage, build one with Invoke-DockOptBuild, or check the spelling (wildcards: app*, *:latest).");

    async Task<ImageInspectResponse?> TryInspectAsync(string name, CancellationToken ct)
    {
        try
        {
            return await _engine.Client.Images.InspectImageAsync(name, ct).ConfigureAwait(false);
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
        catch (DockerApiException e) when (e.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.BadRequest)
        {
            return null; // 400: not a valid reference, e.g. upper-case letters
        }
    }

    /// <summary>Inspects one image (and its history) into an <see cref="ImageInfo"/>.</summary>
    public async Task<ImageInfo> DescribeAsync(string idOrName, string? matchedTag, Query query, CancellationToken ct,
        ImageInspectResponse? alreadyInspected = null)
    {
        ImageInspectResponse r;
        IList<ImageHistoryResponse>? history = null;
        try
        {
            var inspectTask = alreadyInspected != null ? Task.FromResult(alreadyInspected) : _engine.Client.Images.InspectImageAsync(idOrName, ct);
            var historyTask = query.IncludeHistory ? _engine.Client.Images.GetImageHistoryAsync(idOrName, ct) : null;
            r = await inspectTask.ConfigureAwait(false);
            if (historyTask != null) history = await historyTask.ConfigureAwait(false);
        }
        catch (DockerApiException e)
        {
            throw EngineErrors.FromApi(e, ErrorIds.ImageNotFound, idOrName);
        }
        return ToImageInfo(r, history, matchedTag, query.IncludeEnvValues, _engine.Endpoint.ToString());
    }

    internal static ImageInfo ToImageInfo(ImageInspectResponse r, IList<ImageHistoryResponse>? history, string? matchedTag,
        bool includeEnvValues, string engine)
    {
        var tags = r.RepoTags?.ToArray() ?? Array.Empty<string>();
        var tag = matchedTag != null && tags.Contains(matchedTag) ? matchedTag : tags.FirstOrDefault();
        var (repo, t) = tag == null ? ("<none>", "<none>")
            : ImageReference.TryParse(tag, out var named) ? (named!.FamiliarRepository, named.Tag)
            : ImageReference.SplitPattern(tag);
        var cfg = r.Config;
        var env = cfg?.Env ?? new List<string>();
        var layers = r.RootFS?.Layers?.ToArray() ?? Array.Empty<string>();
        var info = new ImageInfo
        {
            Id = r.ID,
            Repository = repo,
            Tag = t ?? "<none>",
            RepoTags = tags,
            RepoDigests = r.RepoDigests?.ToArray() ?? Array.Empty<string>(),
            Size = r.Size,
            LayerCount = layers.Length,
            LayerDiffIds = layers,
            Created = r.Created.HasValue ? r.Created.Value.ToUniversalTime() : default,
            Architecture = r.Architecture ?? "",
            Variant = string.IsNullOrEmpty(r.Variant) ? null : r.Variant,
            Os = r.Os ?? "",
            User = cfg?.User ?? "",
            WorkingDir = cfg?.WorkingDir ?? "",
            Entrypoint = cfg?.Entrypoint?.ToArray() ?? Array.Empty<string>(),
            Cmd = cfg?.Cmd?.ToArray() ?? Array.Empty<string>(),
            ExposedPorts = cfg?.ExposedPorts?.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray() ?? Array.Empty<string>(),
            EnvNames = env.Select(e => e.Split('=', 2)[0]).ToArray(),
            Env = includeEnvValues ? env.Select(e => e.Split('=', 2)).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last().Length > 1 ? g.Last()[1] : "") : null,
            Labels = cfg?.Labels != null ? new Dictionary<string, string>(cfg.Labels, StringComparer.Ordinal) : new Dictionary<string, string>(StringComparer.Ordinal),
            StopSignal = string.IsNullOrEmpty(cfg?.StopSignal) ? null : cfg!.StopSignal,
            Engine = engine,
        };
        if (cfg?.Healthcheck is { } hc && hc.Test != null && hc.Test.Count > 0)
        {
            info.Healthcheck = new HealthcheckInfo
            {
                Test = hc.Test.ToArray(),
                Interval = Pos(hc.Interval),
                Timeout = Pos(hc.Timeout),
                StartPeriod = Pos(hc.StartPeriod),
                Retries = hc.Retries is { } rt && rt > 0 ? (int)rt : null,
            };
        }
        if (history != null)
            info.History = MapHistory(history, layers.Length);
        return info;
    }

    /// <summary>
    /// The engine's history API lists newest first and carries no empty-layer flag. Entries are returned oldest
    /// first; a 0-byte entry is an empty (metadata-only) layer unless more layers exist than non-empty entries,
    /// in which case 0-byte filesystem instructions (RUN/COPY/ADD) are counted as layers until the counts agree.
    /// </summary>
    static TimeSpan? Pos(TimeSpan? t) => t is { } v && v > TimeSpan.Zero ? v : null;

    internal static ImageHistoryEntry[] MapHistory(IList<ImageHistoryResponse> history, int layerCount)
    {
        var ordered = history.Reverse().ToList();
        var nonEmpty = ordered.Count(h => h.Size > 0);
        var missing = layerCount - nonEmpty;
        var result = new List<ImageHistoryEntry>(ordered.Count);
        foreach (var h in ordered)
        {
            var empty = h.Size == 0;
            if (empty && missing > 0 && !IsMetadataOnly(h.CreatedBy ?? ""))
            {
                empty = false;
                missing--;
            }
            result.Add(new ImageHistoryEntry
            {
                CreatedBy = h.CreatedBy ?? "",
                Size = h.Size,
                EmptyLayer = empty,
                Created = h.Created == default ? null : h.Created.ToUniversalTime(),
                Comment = string.IsNullOrEmpty(h.Comment) ? null : h.Comment,
            });
        }
        return result.ToArray();
    }

    static bool IsMetadataOnly(string createdBy)
    {
        var s = createdBy.Trim();
        if (s.Contains("#(nop)", StringComparison.Ordinal))
            return !(s.Contains(" ADD ", StringComparison.Ordinal) || s.Contains(" COPY ", StringComparison.Ordinal)
                     || s.Contains(" WORKDIR ", StringComparison.Ordinal)); // the classic builder's WORKDIR may create the directory
        var word = s.Split(' ', 2)[0].ToUpperInvariant();
        return word is "ENV" or "LABEL" or "CMD" or "ENTRYPOINT" or "EXPOSE" or "USER" or "ARG"
            or "HEALTHCHECK" or "STOPSIGNAL" or "SHELL" or "VOLUME" or "ONBUILD" or "MAINTAINER";
    }
}
