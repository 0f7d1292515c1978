using System.Formats.Tar;
using System.Text;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Tests.Images;

/// <summary>Issue 18 item 5: a malformed manifest.json is ImageArchiveInvalid, never JsonException / KeyNotFoundException.</summary>
public class ImageArchiveManifestFaultTests
{
    static byte[] ArchiveWithManifest(string manifest)
    {
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            var e = new PaxTarEntry(TarEntryType.RegularFile, "manifest.json") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(manifest)) };
            w.WriteEntry(e);
            var c = new PaxTarEntry(TarEntryType.RegularFile, "abc.json")
            {
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}")),
            };
            w.WriteEntry(c);
        }
        return ms.ToArray();
    }

    [Theory]
    [InlineData("[{\"Config\": \"abc.json\", \"Layers\": [", "JsonException")]            // not JSON (truncated)
    [InlineData("[{\"RepoTags\": [\"a:b\"], \"Layers\": []}]", "KeyNotFoundException")]   // no Config
    [InlineData("[{\"Config\": \"abc.json\"}]", "KeyNotFoundException")]                   // no Layers
    [InlineData("[{\"Config\": 42, \"Layers\": []}]", "InvalidOperationException")]        // Config not a string
    [InlineData("[{\"Config\": \"abc.json\", \"Layers\": {\"a\": 1}}]", "InvalidOperationException")] // Layers not a list
    public async Task MalformedManifest_IsImageArchiveInvalid(string manifest, string rawType)
    {
        var bytes = ArchiveWithManifest(manifest);
        var src = ImageSource.FromStream(_ => Task.FromResult<Stream>(new MemoryStream(bytes)), "bad.tar");
        var ex = await Assert.ThrowsAsync<DockOptException>(() => ImageReader.ReadAsync(src, new RecordingVisitor(), CancellationToken.None));
        Assert.Equal(ErrorIds.ImageArchiveInvalid, ex.ErrorId);
        Assert.Contains("manifest is malformed", ex.Message);
        Assert.NotNull(ex.RecommendedAction);
        // the cause is kept, wrapped (System.Text.Json throws its internal JsonReaderException, a JsonException)
        var names = new List<string>();
        for (var t = ex.InnerException!.GetType(); t != null; t = t.BaseType) names.Add(t.Name);
        Assert.Contains(rawType, names);
    }
}
