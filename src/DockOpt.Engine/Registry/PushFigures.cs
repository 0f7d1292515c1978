namespace DockOpt.Engine.Registry;

/// <summary>
/// The layer figures of an engine push as the registry shows them, whatever the engine prints (Podman 4.3's push stream
/// has no per-layer lines): before the push, which layer blobs the repository already has (HEAD
/// <c>/v2/&lt;repo&gt;/blobs/&lt;digest&gt;</c> for every layer of the manifests it serves that could share layers with the image);
/// after it, which layers of the manifest the registry now serves it did not have. Those are the layers the push gave the
/// repository, and their compressed sizes are the manifest's.
/// </summary>
public sealed class PushFigures
{
    /// <summary>Layer digests the repository is known to hold; grows as candidates are checked and tags are pushed.</summary>
    public HashSet<string> Present { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// HEADs every candidate not yet known to be present (4 requests at a time; one found missing is asked again before the
    /// next push, which an earlier tag's push may have changed); returns a snapshot of what is present.
    /// </summary>
    public async Task<IReadOnlySet<string>> SnapshotAsync(RegistryClient reg, IEnumerable<string> candidates, CancellationToken ct)
    {
        var todo = candidates.Where(d => d.StartsWith("sha256:", StringComparison.Ordinal) && !Present.Contains(d)).Distinct(StringComparer.Ordinal).ToList();
        using var gate = new SemaphoreSlim(4);
        var checks = todo.Select(async d =>
        {
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try { return (Digest: d, Exists: await reg.BlobExistsAsync(d, ct).ConfigureAwait(false)); }
            finally { gate.Release(); }
        }).ToList();
        foreach (var (d, exists) in await Task.WhenAll(checks).ConfigureAwait(false))
        {
            if (exists) Present.Add(d);
        }
        return new HashSet<string>(Present, StringComparer.Ordinal);
    }

    /// <summary>
    /// What a push gave the repository: the distinct layers of the manifest now served that were not present before, and their
    /// compressed bytes (the manifest's sizes). Kept = the manifest's other layers. Afterwards every layer counts as present.
    /// </summary>
    public (int Sent, int Kept, long Bytes, string[] SentDigests) Compare(RemoteManifest after, IReadOnlySet<string> before)
    {
        var sent = new List<string>();
        long bytes = 0;
        for (var i = 0; i < after.LayerDigests.Length; i++)
        {
            var d = after.LayerDigests[i];
            if (before.Contains(d) || sent.Contains(d)) continue;
            sent.Add(d);
            bytes += i < after.LayerSizes.Length ? after.LayerSizes[i] : 0;
        }
        foreach (var d in after.LayerDigests) Present.Add(d);
        return (sent.Count, after.LayerDigests.Length - sent.Count, bytes, sent.ToArray());
    }
}
