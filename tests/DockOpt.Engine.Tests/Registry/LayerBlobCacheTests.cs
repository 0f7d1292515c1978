using DockOpt.Engine.Analysis;
using DockOpt.Engine.Images;
using DockOpt.Engine.Registry;

namespace DockOpt.Engine.Tests.Registry;

[Collection(ProcessStateCollection.Name)]
public class LayerBlobCacheTests
{
    [Fact]
    public void The_blob_cache_evicts_the_least_recently_used_beyond_its_cap()
    {
        var dir = Directory.CreateTempSubdirectory("dockopt-b-blobs").FullName;
        try
        {
            var cache = new LayerBlobCache(dir, maxBytes: 2500);
            var sha = Path.Combine(dir, "sha256");
            Directory.CreateDirectory(sha);
            string Put(char c, int minutesAgo)
            {
                var p = Path.Combine(sha, new string(c, 64));
                File.WriteAllBytes(p, new byte[1000]);
                File.SetLastWriteTimeUtc(p, DateTime.UtcNow.AddMinutes(-minutesAgo));
                return p;
            }
            var oldest = Put('a', 30);
            var used = Put('b', 20);
            var newest = Put('c', 10);
            using (cache.TryOpen("sha256:" + new string('b', 64), 1000)) { } // a use makes it recent
            cache.Evict();
            Assert.False(File.Exists(oldest));
            Assert.True(File.Exists(used));
            Assert.True(File.Exists(newest));
            Assert.Null(cache.TryOpen("sha256:" + new string('c', 64), 999)); // wrong size: dropped, not served
            Assert.False(File.Exists(newest));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void The_environment_turns_the_cache_off_or_moves_it()
    {
        var saved = Environment.GetEnvironmentVariable("DOCKOPT_LAYER_CACHE");
        try
        {
            Environment.SetEnvironmentVariable("DOCKOPT_LAYER_CACHE", "off");
            Assert.Null(LayerBlobCache.FromEnvironment());
            Environment.SetEnvironmentVariable("DOCKOPT_LAYER_CACHE", "/tmp/dockopt-b-elsewhere");
            Assert.Equal("/tmp/dockopt-b-elsewhere", LayerBlobCache.FromEnvironment()!.Directory);
            Environment.SetEnvironmentVariable("DOCKOPT_LAYER_CACHE", null);
            Assert.EndsWith(Path.Combine("dockopt", "layers"), LayerBlobCache.DefaultDirectory());
        }
        finally { Environment.SetEnvironmentVariable("DOCKOPT_LAYER_CACHE", saved); }
    }
}
