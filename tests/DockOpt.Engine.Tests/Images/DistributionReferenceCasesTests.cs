using System.Text.Json;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Tests.Images;

/// <summary>
/// The references docker's own parser (distribution/reference) accepts and rejects, read from
/// Images/Data/distribution-reference-cases.json (copied as data from its reference_test.go and normalize_test.go).
/// </summary>
public class DistributionReferenceCasesTests
{
    static readonly JsonElement Data = JsonDocument.Parse(File.ReadAllText(
        Path.Combine(AppContext.BaseDirectory, "Images", "Data", "distribution-reference-cases.json"))).RootElement;

    static IEnumerable<object[]> Cases(string section) =>
        Data.GetProperty(section).EnumerateArray().Select((e, i) => new object[] { i, e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText() });

    public static IEnumerable<object[]> ReferenceParse => Cases("referenceParse");
    public static IEnumerable<object[]> ValidNames => Cases("validNames");
    public static IEnumerable<object[]> InvalidNames => Cases("invalidNames");
    public static IEnumerable<object[]> RepositoryInfo => Cases("repositoryInfo");
    public static IEnumerable<object[]> SplitHostname => Cases("splitHostname");

    [Fact]
    public void TheDataIsThere()
    {
        Assert.True(Data.GetProperty("referenceParse").GetArrayLength() >= 45);
        Assert.True(Data.GetProperty("validNames").GetArrayLength() >= 30);
        Assert.True(Data.GetProperty("invalidNames").GetArrayLength() >= 25);
    }

    [Theory]
    [MemberData(nameof(ReferenceParse))]
    public void ReferenceParseCases(int index, string json)
    {
        _ = index;
        var c = JsonDocument.Parse(json).RootElement;
        var input = c.GetProperty("input").GetString()!;
        var valid = c.GetProperty("valid").GetBoolean();
        // Go's test binary lacks crypto/sha512, so it rejects this one as an unsupported digest; docker accepts sha512.
        if (input.StartsWith("validname@sha512:", StringComparison.Ordinal)) valid = true;
        var ok = ImageReference.TryParse(input, out var r, out var why);
        Assert.True(valid == ok, $"'{input}': expected {(valid ? "valid" : "invalid")}, got {(ok ? "valid" : "invalid: " + why)}");
        // Cases that parse and name their parts also check the parts (invalid cases end at the verdict above).
        if (ok && c.TryGetProperty("tag", out var tag))
        {
            Assert.Equal(tag.GetString(), r!.Tag);
            Assert.Equal(c.GetProperty("digest").GetString(), r.Digest);
            Assert.Equal(input, r.Familiar); // every valid case is written in docker's familiar form
        }
    }

    [Theory]
    [MemberData(nameof(ValidNames))]
    public void AcceptedNames(int index, string name)
    {
        _ = index;
        Assert.True(ImageReference.TryParse(name, out _, out var why), $"'{name}' should be valid: {why}");
    }

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public void RejectedNames(int index, string name)
    {
        _ = index;
        Assert.False(ImageReference.TryParse(name, out var r), $"'{name}' should be invalid, parsed as {r}");
        Assert.Equal(ErrorIds.InvalidImageReference, Assert.Throws<DockOptException>(() => ImageReference.Parse(name)).ErrorId);
    }

    [Theory]
    [MemberData(nameof(RepositoryInfo))]
    public void FamiliarFullAndAmbiguousNamesNormaliseAlike(int index, string json)
    {
        _ = index;
        var c = JsonDocument.Parse(json).RootElement;
        var names = new[] { "FamiliarName", "FullName", "AmbiguousName" }.Select(k => c.GetProperty(k).GetString()!).Where(n => n.Length > 0);
        foreach (var name in names)
        {
            var r = ImageReference.Parse(name);
            Assert.Equal(c.GetProperty("FamiliarName").GetString(), r.FamiliarRepository);
            Assert.Equal(c.GetProperty("FullName").GetString(), r.Repository);
            Assert.Equal(c.GetProperty("Domain").GetString(), r.Domain);
            Assert.Equal(c.GetProperty("RemoteName").GetString(), r.Path);
        }
    }

    [Theory]
    [MemberData(nameof(SplitHostname))]
    public void DomainAndPath(int index, string json)
    {
        _ = index;
        var c = JsonDocument.Parse(json).RootElement;
        var r = ImageReference.Parse(c.GetProperty("input").GetString()!);
        Assert.Equal((c.GetProperty("domain").GetString(), c.GetProperty("path").GetString()), (r.Domain, r.Path));
    }
}
