using DockOpt.Engine.Registry;

namespace DockOpt.Engine.Tests.Registry;

/// <summary>What a push gave the repository, on the OCI image specification's example manifest (Registry/Data/image-spec).</summary>
public class PushFiguresTests
{
    static RemoteManifest Example()
    {
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Registry", "Data", "image-spec", "example-image-manifest.json"));
        var raw = new RawManifest(bytes, RawManifest.OciManifest, RegistryClient.DigestOf(bytes));
        var d = RegistryClient.Descriptors(raw);
        var layers = d.Skip(1).ToArray();
        return new RemoteManifest(raw.Digest, raw.MediaType, bytes.Length, d[0].Digest, layers.Select(l => l.Size).ToArray(), d[0].Size)
        { LayerDigests = layers.Select(l => l.Digest).ToArray() };
    }

    [Fact]
    public void Layers_the_repository_held_before_the_push_are_kept_the_others_sent_with_the_manifest_sizes()
    {
        var m = Example();
        Assert.Equal(new long[] { 32654, 16724, 73109 }, m.LayerSizes);
        var figures = new PushFigures();
        var before = new HashSet<string>(StringComparer.Ordinal) { m.LayerDigests[0] };
        var (sent, kept, bytes, digests) = figures.Compare(m, before);
        Assert.Equal((2, 1, 16724L + 73109L), (sent, kept, bytes));
        Assert.Equal(m.LayerDigests.Skip(1), digests);
        // Afterwards the repository holds every layer: pushing the same manifest again sends nothing.
        Assert.Equal((0, 3, 0L), (figures.Compare(m, new HashSet<string>(figures.Present)) is var again ? (again.Sent, again.Kept, again.Bytes) : default));
    }

    [Fact]
    public void A_layer_listed_twice_is_sent_once()
    {
        var m = Example();
        var twice = m with { LayerSizes = m.LayerSizes.Append(m.LayerSizes[2]).ToArray() };
        twice = twice with { LayerDigests = m.LayerDigests.Append(m.LayerDigests[2]).ToArray() };
        var (sent, kept, bytes, _) = new PushFigures().Compare(twice, new HashSet<string>());
        Assert.Equal((3, 1, 32654L + 16724L + 73109L), (sent, kept, bytes));
    }
}
