using System.Text;
using DockOpt.Engine.Registry;

namespace DockOpt.Engine.Tests.Registry;

/// <summary>The signer against AWS's published SigV4 test suite (aws-sig-v4-test-suite, 20150830T123600Z, us-east-1, service).</summary>
public class SigV4SignerTests
{
    const string Key = "AKIDEXAMPLE";
    const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    static readonly DateTime When = new(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc);

    static string Sign(string method, string url, byte[] body, params (string, string)[] extra)
    {
        var headers = new List<KeyValuePair<string, string>> { new("Host", "example.amazonaws.com"), new("X-Amz-Date", "20150830T123600Z") };
        headers.AddRange(extra.Select(e => new KeyValuePair<string, string>(e.Item1, e.Item2)));
        return SigV4Signer.Sign(method, new Uri(url), headers, body, Key, Secret, "us-east-1", "service", When, out _);
    }

    [Fact]
    public void GetVanilla_matches_the_published_authorization()
    {
        Assert.Equal("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            Sign("GET", "https://example.amazonaws.com/", Array.Empty<byte>()));
    }

    [Fact]
    public void GetVanilla_string_to_sign_matches_the_published_sts()
    {
        var headers = new List<KeyValuePair<string, string>> { new("host", "example.amazonaws.com"), new("x-amz-date", "20150830T123600Z") };
        SigV4Signer.Sign("GET", new Uri("https://example.amazonaws.com/"), headers, Array.Empty<byte>(), Key, Secret, "us-east-1", "service", When, out var sts);
        Assert.Equal("AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63", sts);
    }

    [Fact]
    public void PostVanilla_matches_the_published_signature()
    {
        Assert.EndsWith("Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
            Sign("POST", "https://example.amazonaws.com/", Array.Empty<byte>()));
    }

    [Fact]
    public void GetVanillaQueryOrderKeyCase_sorts_the_query()
    {
        Assert.EndsWith("Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
            Sign("GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1", Array.Empty<byte>()));
    }

    [Fact]
    public void PostXWwwFormUrlencoded_signs_the_body_and_content_type()
    {
        var auth = Sign("POST", "https://example.amazonaws.com/", Encoding.UTF8.GetBytes("Param1=value1"),
            ("Content-Type", "application/x-www-form-urlencoded"));
        Assert.Equal("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a", auth);
    }

    [Fact]
    public void A_changed_body_changes_the_signature()
    {
        var a = Sign("POST", "https://example.amazonaws.com/", Encoding.UTF8.GetBytes("Param1=value1"), ("Content-Type", "application/x-www-form-urlencoded"));
        var b = Sign("POST", "https://example.amazonaws.com/", Encoding.UTF8.GetBytes("Param1=value2"), ("Content-Type", "application/x-www-form-urlencoded"));
        Assert.NotEqual(a, b);
    }
}
