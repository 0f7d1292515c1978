using System.Net;
using System.Security.Cryptography;

namespace DockOpt.Engine.Registry;

/// <summary>Reading from a registry: manifests and indexes by tag or digest, blobs streamed, every digest verified.</summary>
public sealed partial class RegistryClient
{
    /// <summary>Largest manifest or index read (regclient's pull limit).</summary>
    public const int MaxManifestBytes = 8 * 1024 * 1024;

    /// <summary>Largest config blob read into memory.</summary>
    public const int MaxConfigBytes = 32 * 1024 * 1024;

    /// <summary>
    /// The manifest or index under <paramref name="reference"/> (a tag or a digest) with its media type and digest.
    /// A digest reference must match the body's SHA-256; a tag's body must match the registry's Docker-Content-Digest.
    /// RegistryImageNotFound when the registry does not have it.
    /// </summary>
    public async Task<(byte[] Body, string ContentType, string Digest)> GetManifestBytesAsync(string reference, CancellationToken ct)
    {
        var m = await ReadManifestAsync(reference, ct).ConfigureAwait(false)
                ?? throw new DockOptException(ErrorIds.RegistryImageNotFound, DockOptErrorCategory.ObjectNotFound,
                    $"Registry {Target.Host} has no manifest {Target.Repository}{(reference.Contains(':') ? "@" : ":")}{reference}.",
                    Target.ToString(), "Check the repository and tag (or digest) in the registry; list its tags with 'skopeo list-tags docker://" + Target + "'.");
        return (m.Bytes, m.MediaType, m.Digest);
    }

    /// <summary>
    /// The one manifest read (pull and copy): the body byte for byte, bounded by <see cref="MaxManifestBytes"/>, its digest
    /// checked against a digest reference or the registry's Docker-Content-Digest, and its media type (from the body when the
    /// registry answers a generic content type). Null when the registry does not have it.
    /// </summary>
    async Task<RawManifest?> ReadManifestAsync(string reference, CancellationToken ct)
    {
        using var resp = await SendAsync(HttpMethod.Get, $"/v2/{Target.Repository}/manifests/{reference}", "pull", ct,
            accept: ManifestAccept, okIfNotFound: true).ConfigureAwait(false);
        if (resp.StatusCode == HttpStatusCode.NotFound) return null;
        if (resp.Content.Headers.ContentLength is > MaxManifestBytes)
            throw ManifestTooLarge(reference);
        var body = await ReadBoundedAsync(resp, MaxManifestBytes, ct).ConfigureAwait(false) ?? throw ManifestTooLarge(reference);
        var digest = DigestOf(body);
        var expected = reference.StartsWith("sha256:", StringComparison.Ordinal) ? reference
            : resp.Headers.TryGetValues("Docker-Content-Digest", out var d) && d.FirstOrDefault() is { } h && h.StartsWith("sha256:", StringComparison.Ordinal) ? h : null;
        if (expected != null && expected != digest)
            throw new DockOptException(ErrorIds.RegistryDigestMismatch, DockOptErrorCategory.InvalidData,
                $"Registry {Target.Host} sent a manifest for {Target.Repository} ({reference}) whose SHA-256 is {digest}, not {expected}.",
                Target.ToString(), "The registry or a proxy alters manifests; check it.");
        var mediaType = resp.Content.Headers.ContentType?.MediaType;
        if (string.IsNullOrEmpty(mediaType) || mediaType == "application/json" || mediaType == "text/plain")
            mediaType = MediaTypeInBody(body) ?? mediaType ?? "";
        return new RawManifest(body, mediaType, digest);
    }

    DockOptException ManifestTooLarge(string reference) =>
        new(ErrorIds.RegistryManifestInvalid, DockOptErrorCategory.InvalidData,
            $"The manifest {Target.Repository} ({reference}) on {Target.Host} is larger than {MaxManifestBytes / (1024 * 1024)} MiB.", Target.ToString(),
            "The registry sent a manifest DockOpt cannot read (a Docker v2 schema 2 or OCI manifest or index is needed; schema 1 is deprecated).");

    /// <summary>A small blob (an image config) read whole and checked against its digest.</summary>
    public async Task<byte[]> GetBlobBytesAsync(string digest, CancellationToken ct)
    {
        using var resp = await SendAsync(HttpMethod.Get, $"/v2/{Target.Repository}/blobs/{digest}", "pull", ct, okIfNotFound: true).ConfigureAwait(false);
        if (resp.StatusCode == HttpStatusCode.NotFound) throw BlobMissing(digest);
        var body = await ReadBoundedAsync(resp, MaxConfigBytes, ct).ConfigureAwait(false)
                   ?? throw new DockOptException(ErrorIds.RegistryManifestInvalid, DockOptErrorCategory.InvalidData,
                       $"The blob {digest} of {Target} is larger than {MaxConfigBytes / (1024 * 1024)} MiB; an image config is not.", Target.ToString(), null);
        var actual = "sha256:" + Convert.ToHexString(SHA256.HashData(body)).ToLowerInvariant();
        if (digest.StartsWith("sha256:", StringComparison.Ordinal) && actual != digest) throw BlobDigestMismatch(digest, actual);
        return body;
    }

    /// <summary>
    /// Opens a blob for streaming (the caller disposes the stream, which ends the response). The stream checks the bytes
    /// against <paramref name="digest"/> and <paramref name="size"/> when it reaches its end (RegistryDigestMismatch).
    /// </summary>
    public async Task<Stream> OpenBlobAsync(string digest, long size, CancellationToken ct)
    {
        var resp = await SendAsync(HttpMethod.Get, $"/v2/{Target.Repository}/blobs/{digest}", "pull", ct, okIfNotFound: true).ConfigureAwait(false);
        if (resp.StatusCode == HttpStatusCode.NotFound)
        {
            resp.Dispose();
            throw BlobMissing(digest);
        }
        try
        {
            var s = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            // Read ahead on a pool thread so the socket keeps flowing while the caller decompresses and parses.
            return new DigestCheckingStream(new Images.ReadAheadStream(s, ct), resp, digest, size, (expected, actual) => BlobDigestMismatch(expected, actual));
        }
        catch
        {
            resp.Dispose();
            throw;
        }
    }

    DockOptException BlobMissing(string digest) =>
        new(ErrorIds.RegistryImageNotFound, DockOptErrorCategory.ObjectNotFound,
            $"Registry {Target.Host} has no blob {digest} in {Target.Repository}, though the manifest lists it.", Target.ToString(),
            "The image in the registry is incomplete (a blob was garbage-collected or never pushed); push it again.");

    DockOptException BlobDigestMismatch(string expected, string actual) =>
        new(ErrorIds.RegistryDigestMismatch, DockOptErrorCategory.InvalidData,
            $"Registry {Target.Host} sent blob {expected} of {Target.Repository}, but its content is {actual}.", Target.ToString(),
            "The registry or a proxy altered the blob, or the transfer was cut; try again.");

    static async Task<byte[]?> ReadBoundedAsync(HttpResponseMessage resp, int max, CancellationToken ct)
    {
        await using var s = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var ms = new MemoryStream();
        var buf = new byte[81920];
        int n;
        while ((n = await s.ReadAsync(buf, ct).ConfigureAwait(false)) > 0)
        {
            if (ms.Length + n > max) return null;
            ms.Write(buf, 0, n);
        }
        return ms.ToArray();
    }
}
