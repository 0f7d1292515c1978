using DockOpt.Engine.Analysis;

namespace DockOpt.Engine.Tests.Analysis;

public class BaseLayerResolverTagTests
{
    [Fact]
    public void A_base_pushed_to_a_registry_is_still_named_by_its_local_tag_whatever_the_engine_lists_first()
    {
        var tags = new[] { "127.0.0.1:5000/dockopt-a-archive/busybox:latest", "dockopt/busybox:latest", "localhost/x/busybox:1" };
        Assert.Equal("dockopt/busybox:latest", BaseLayerResolver.PreferredTag(tags));
        Assert.Equal("dockopt/busybox:latest", BaseLayerResolver.PreferredTag(tags.Reverse()));
    }

    [Fact]
    public void Among_local_names_the_shortest_then_ordinal_wins_and_untagged_gives_null()
    {
        Assert.Equal("b:1", BaseLayerResolver.PreferredTag(new[] { "dockopt/busybox:latest", "b:1" }));
        Assert.Equal("a:1", BaseLayerResolver.PreferredTag(new[] { "b:1", "a:1" }));
        Assert.Equal("registry.example.com/app:1", BaseLayerResolver.PreferredTag(new[] { "<none>:<none>", "registry.example.com/app:1" }));
        Assert.Null(BaseLayerResolver.PreferredTag(new[] { "<none>:<none>" }));
        Assert.Null(BaseLayerResolver.PreferredTag(null));
    }
}
