using DockOpt.Engine.Registry;

namespace DockOpt.Engine.Tests.Registry;

/// <summary>Issue 18 item 9: a scheme in a publish destination is refused (http://) or means what it says (https://).</summary>
public class DestinationSchemeTests
{
    [Theory]
    [InlineData(null, null, "http://127.0.0.1:5000/team/app:1")]
    [InlineData(null, null, "HTTP://registry.example.com/app")]
    [InlineData(null, null, "ftp://registry.example.com/app")]
    [InlineData("http://127.0.0.1:5000", "team/app", null)]
    public void HttpOrOtherScheme_IsRefused(string? registry, string? repository, string? destination)
    {
        var ex = Assert.Throws<DockOptException>(() => RegistryTarget.Parse(registry, repository, destination));
        Assert.Equal(ErrorIds.InvalidDestination, ex.ErrorId);
        Assert.Contains("insecure-registries", ex.RecommendedAction);
    }

    [Fact]
    public void Https_IsTheRegistrysOwnScheme_AndDropped()
    {
        var (t, tag) = RegistryTarget.Parse(null, null, "https://127.0.0.1:5000/team/app:1");
        Assert.Equal("127.0.0.1:5000/team/app", t.ToString());
        Assert.Equal("1", tag);
    }
}
