using System.Formats.Tar;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DockOpt.Engine.DockerApi;

namespace DockOpt.Engine.Testing;

/// <summary>
/// Reads paths from a created, never-started container through the engine's archive API
/// (<c>GET /containers/{id}/archive?path=…</c>): one request per path, and of each answer only the first tar entry (the
/// path itself, not a directory's content) before the connection is dropped. Cost and memory grow with the paths asked
/// for, not with the image's file count. Symlinks resolve as the kernel would inside the container: the engine follows
/// symlinked ancestors within the container's root (Debian's /bin → usr/bin); the final component is reported as the
/// link itself (type, mode and owner), and for content checks followed (relative to its directory, absolute from the
/// container's root, at most 40 hops as Linux's MAXSYMLINKS), the size and content being the target's.
/// When the engine can't create the container (an image for another platform), the layer reader takes over.
/// </summary>
public sealed class ArchiveFileSource : IImageFileSource
{
    const int MaxLinkHops = 40;

    readonly DockerEngine _engine;
    readonly ContainerApi _api;
    readonly IImageFileSource? _fallback;

    public ArchiveFileSource(DockerEngine engine, IImageFileSource? fallback)
    {
        _engine = engine;
        _api = new ContainerApi(engine);
        _fallback = fallback;
    }

    public async Task<IReadOnlyDictionary<string, ImageFileEntry?>> ReadAsync(string imageId, IReadOnlyCollection<string> paths,
        IReadOnlyCollection<string> contentPaths, CancellationToken ct)
    {
        var name = "dockopt-files-" + Guid.NewGuid().ToString("n").Substring(0, 12);
        var body = new JsonObject
        {
            ["Image"] = imageId,
            // Never started: the entrypoint only has to be given (images without ENTRYPOINT/CMD can't be created otherwise).
            ["Entrypoint"] = new JsonArray((JsonNode?)JsonValue.Create("/dockopt-never-started")),
            ["Cmd"] = new JsonArray(),
            ["NetworkDisabled"] = true,
            ["Labels"] = new JsonObject { ["dockopt.test"] = "true", ["dockopt.test.files"] = imageId },
        };
        string id;
        try
        {
            using var createCts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            id = await _api.CreateAsync(name, body, createCts.Token).ConfigureAwait(false);
        }
        catch (DockOptException) when (_fallback != null)
        {
            await _api.RemoveAsync(name).ConfigureAwait(false);
            return await _fallback.ReadAsync(imageId, paths, contentPaths, ct).ConfigureAwait(false);
        }
        try
        {
            var content = new HashSet<string>(contentPaths, StringComparer.Ordinal);
            var result = new Dictionary<string, ImageFileEntry?>(StringComparer.Ordinal);
            foreach (var p in paths.Distinct(StringComparer.Ordinal))
                result[p] = await EntryAsync(id, p, content.Contains(p), ct).ConfigureAwait(false);
            return result;
        }
        finally
        {
            await _api.RemoveAsync(id).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyDictionary<string, ImageFileEntry>> ReadDirectoryAsync(string imageId, string directory, CancellationToken ct)
    {
        var name = "dockopt-files-" + Guid.NewGuid().ToString("n").Substring(0, 12);
        var body = new JsonObject
        {
            ["Image"] = imageId,
            ["Entrypoint"] = new JsonArray((JsonNode?)JsonValue.Create("/dockopt-never-started")),
            ["Cmd"] = new JsonArray(),
            ["NetworkDisabled"] = true,
            ["Labels"] = new JsonObject { ["dockopt.test"] = "true", ["dockopt.test.files"] = imageId },
        };
        string id;
        try
        {
            using var createCts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            id = await _api.CreateAsync(name, body, createCts.Token).ConfigureAwait(false);
        }
        catch (DockOptException) when (_fallback != null)
        {
            await _api.RemoveAsync(name).ConfigureAwait(false);
            return await _fallback.ReadDirectoryAsync(imageId, directory, ct).ConfigureAwait(false);
        }
        try
        {
            var dir = FileChecks.Normalize(directory);
            var result = new Dictionary<string, ImageFileEntry>(StringComparer.Ordinal);
            using var resp = await _engine.SendAsync(HttpMethod.Get, $"/containers/{id}/archive?path={Uri.EscapeDataString(dir)}", null, ct).ConfigureAwait(false);
            if (resp.StatusCode == HttpStatusCode.NotFound) return result;
            if (!resp.IsSuccessStatusCode)
            {
                var msg = EngineErrors.ExtractMessage(await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
                if (msg.Contains("not a directory", StringComparison.OrdinalIgnoreCase) || msg.Contains("no such file", StringComparison.OrdinalIgnoreCase)) return result;
                throw EngineErrors.FromStatus(resp.StatusCode, msg, ErrorIds.ContainerNotFound, dir);
            }
            await using var s = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            using var tar = new TarReader(s, leaveOpen: true);
            TarEntry? te;
            var first = true;
            while ((te = await tar.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false)) != null)
            {
                // The archive's first entry is the directory itself (its base name); its files are "<base>/<name>".
                if (first && te.EntryType != TarEntryType.Directory) return result; // a file, not a directory
                first = false;
                var parts = te.Name.TrimEnd('/').Split('/');
                if (parts.Length != 2 || te.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || te.DataStream == null) continue;
                var (content, sha) = await ReadContentAsync(te.DataStream, ct).ConfigureAwait(false);
                var path = (dir == "/" ? "" : dir) + "/" + parts[1];
                result[path] = new ImageFileEntry
                {
                    Path = path, Type = "file", Mode = (int)te.Mode, Uid = te.Uid, Gid = te.Gid, Size = te.Length, Content = content, Sha256 = sha,
                };
            }
            return result;
        }
        finally
        {
            await _api.RemoveAsync(id).ConfigureAwait(false);
        }
    }

    /// <summary>A regular file's first <see cref="LayerFileSource.MaxContentBytes"/> bytes and the SHA-256 of all of it.</summary>
    static async Task<(byte[] Content, string Sha256)> ReadContentAsync(Stream data, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var kept = new MemoryStream();
        var buf = new byte[81920];
        int n;
        while ((n = await data.ReadAsync(buf, ct).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buf, 0, n);
            var room = LayerFileSource.MaxContentBytes - (int)kept.Length;
            if (room > 0) kept.Write(buf, 0, Math.Min(room, n));
        }
        return (kept.ToArray(), Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant());
    }

    /// <summary>What container-structure-test's Debian license test reads: each package folder under /usr/share/doc and its copyright file.</summary>
    public sealed record DebianLicense(string Package, bool HasCopyright, string? Forbidden);

    /// <summary>
    /// Streams the archive of /usr/share/doc once: package folders (depth 1) and their copyright files, each checked for
    /// <paramref name="forbidden"/> words (upper-cased) as it goes by; nothing else is kept. Null when the folder is absent.
    /// </summary>
    public async Task<List<DebianLicense>?> ScanDebianLicensesAsync(string imageId, IReadOnlyCollection<string> forbidden, CancellationToken ct)
    {
        var name = "dockopt-files-" + Guid.NewGuid().ToString("n").Substring(0, 12);
        var body = new JsonObject
        {
            ["Image"] = imageId,
            ["Entrypoint"] = new JsonArray((JsonNode?)JsonValue.Create("/dockopt-never-started")),
            ["Cmd"] = new JsonArray(),
            ["NetworkDisabled"] = true,
            ["Labels"] = new JsonObject { ["dockopt.test"] = "true", ["dockopt.test.files"] = imageId },
        };
        string id;
        using (var createCts = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            id = await _api.CreateAsync(name, body, createCts.Token).ConfigureAwait(false);
        try
        {
            using var resp = await _engine.SendAsync(HttpMethod.Get, $"/containers/{id}/archive?path=/usr/share/doc", null, ct).ConfigureAwait(false);
            if (resp.StatusCode == HttpStatusCode.NotFound) return null;
            if (!resp.IsSuccessStatusCode)
                throw EngineErrors.FromStatus(resp.StatusCode, EngineErrors.ExtractMessage(await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false)),
                    ErrorIds.ContainerNotFound, "/usr/share/doc");
            await using var s = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            using var tar = new TarReader(s, leaveOpen: true);
            var packages = new SortedDictionary<string, (bool Has, string? Bad)>(StringComparer.Ordinal);
            TarEntry? te;
            while ((te = await tar.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false)) != null)
            {
                var parts = te.Name.TrimEnd('/').Split('/');
                if (parts.Length == 2 && te.EntryType == TarEntryType.Directory && !packages.ContainsKey(parts[1])) packages[parts[1]] = (false, null);
                else if (parts.Length == 3 && parts[2] == "copyright" && packages.ContainsKey(parts[1]))
                {
                    string? bad = null;
                    if (te.DataStream != null && te.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                    {
                        using var reader = new StreamReader(te.DataStream, leaveOpen: true);
                        var text = (await reader.ReadToEndAsync(ct).ConfigureAwait(false)).ToUpperInvariant();
                        bad = forbidden.FirstOrDefault(f => text.Contains(f, StringComparison.Ordinal));
                    }
                    packages[parts[1]] = (true, bad);
                }
            }
            return packages.Select(kv => new DebianLicense(kv.Key, kv.Value.Has, kv.Value.Bad)).ToList();
        }
        finally
        {
            await _api.RemoveAsync(id).ConfigureAwait(false);
        }
    }

    async Task<ImageFileEntry?> EntryAsync(string id, string path, bool withContent, CancellationToken ct)
    {
        var e = await FirstEntryAsync(id, path, withContent, ct).ConfigureAwait(false);
        if (e == null) return null;
        if (e.Type == "symlink" && withContent)
        {
            // Content reads through the link (like cat); type, mode and owner stay the link's own.
            var at = path;
            var t = e;
            for (var hops = 0; t is { Type: "symlink", LinkTarget: not null } && hops < MaxLinkHops; hops++)
            {
                at = FileChecks.Normalize(t.LinkTarget.StartsWith('/') ? t.LinkTarget : Parent(at) + "/" + t.LinkTarget);
                t = await FirstEntryAsync(id, at, true, ct).ConfigureAwait(false);
            }
            if (t?.Type == "symlink") t = null; // a loop or too deep
            return new ImageFileEntry
            {
                Path = path, Type = "symlink", Mode = e.Mode, Uid = e.Uid, Gid = e.Gid, LinkTarget = e.LinkTarget,
                Size = t?.Size ?? 0, Content = t?.Type == "file" ? t.Content : null, Sha256 = t?.Type == "file" ? t.Sha256 : null,
            };
        }
        return e;
    }

    static string Parent(string p)
    {
        var i = p.LastIndexOf('/');
        return i <= 0 ? "" : p.Substring(0, i);
    }

    /// <summary>The first tar entry of the archive of <paramref name="path"/>; null when the path does not exist.</summary>
    async Task<ImageFileEntry?> FirstEntryAsync(string id, string path, bool withContent, CancellationToken ct)
    {
        using var resp = await _engine.SendAsync(HttpMethod.Get, $"/containers/{id}/archive?path={Uri.EscapeDataString(path)}", null, ct).ConfigureAwait(false);
        if (resp.StatusCode == HttpStatusCode.NotFound) return null;
        if (!resp.IsSuccessStatusCode)
        {
            var text = await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            var msg = EngineErrors.ExtractMessage(text);
            // A path under a regular file ("not a directory") does not exist either.
            // A symlink loop fails with ELOOP as stat(2) would ("too many links"): not there for the checks either.
            if (msg.Contains("not a directory", StringComparison.OrdinalIgnoreCase) || msg.Contains("no such file", StringComparison.OrdinalIgnoreCase)
                || msg.Contains("too many links", StringComparison.OrdinalIgnoreCase))
                return null;
            throw EngineErrors.FromStatus(resp.StatusCode, msg, ErrorIds.ContainerNotFound, path);
        }
        await using var s = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var tar = new TarReader(s, leaveOpen: true);
        var te = await tar.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false);
        if (te == null) return null;
        var type = te.EntryType switch
        {
            TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => "file",
            TarEntryType.Directory => "directory",
            TarEntryType.SymbolicLink => "symlink",
            TarEntryType.HardLink => "hardlink",
            _ => "other",
        };
        byte[]? content = null;
        string? sha = null;
        if (withContent && type == "file" && te.DataStream != null)
            (content, sha) = await ReadContentAsync(te.DataStream, ct).ConfigureAwait(false);
        return new ImageFileEntry
        {
            Path = path, Type = type, Mode = (int)te.Mode, Uid = te.Uid, Gid = te.Gid, Size = te.Length,
            LinkTarget = type is "symlink" or "hardlink" ? te.LinkName : null, Content = content, Sha256 = sha,
        };
    }
}
