using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DockOpt.Engine.Registry;

/// <summary>AWS Signature Version 4 for request headers (the algorithm of the AWS general reference), with System.Security.Cryptography only.</summary>
public static class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    public static string Hex(byte[] b) => Convert.ToHexString(b).ToLowerInvariant();
    public static string Sha256Hex(byte[] data) => Hex(SHA256.HashData(data));
    static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    /// <summary>RFC 3986 encoding as SigV4 wants it (unreserved A-Z a-z 0-9 - _ . ~ kept).</summary>
    public static string UriEncode(string s, bool keepSlash)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(s))
        {
            var c = (char)b;
            if (c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_' or '.' or '~' || (keepSlash && c == '/'))
                sb.Append(c);
            else
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>Canonical query: decoded pairs re-encoded, sorted by key then value.</summary>
    public static string CanonicalQuery(string query)
    {
        if (string.IsNullOrEmpty(query)) return "";
        var q = query.TrimStart('?');
        var pairs = q.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p =>
        {
            var eq = p.IndexOf('=');
            var k = Uri.UnescapeDataString(eq < 0 ? p : p.Substring(0, eq));
            var v = eq < 0 ? "" : Uri.UnescapeDataString(p.Substring(eq + 1));
            return (K: UriEncode(k, false), V: UriEncode(v, false));
        }).OrderBy(p => p.K, StringComparer.Ordinal).ThenBy(p => p.V, StringComparer.Ordinal);
        return string.Join("&", pairs.Select(p => p.K + "=" + p.V));
    }

    public static string CanonicalRequest(string method, string path, string query, IEnumerable<KeyValuePair<string, string>> headers,
        out string signedHeaders, string payloadHash)
    {
        var h = headers.GroupBy(kv => kv.Key.Trim().ToLowerInvariant())
            .Select(g => (Name: g.Key, Value: string.Join(",", g.Select(kv => CollapseSpaces(kv.Value)))))
            .OrderBy(x => x.Name, StringComparer.Ordinal).ToList();
        signedHeaders = string.Join(";", h.Select(x => x.Name));
        var canonicalPath = string.IsNullOrEmpty(path) ? "/" : UriEncode(Uri.UnescapeDataString(path), true);
        var sb = new StringBuilder();
        sb.Append(method.ToUpperInvariant()).Append('\n')
            .Append(canonicalPath).Append('\n')
            .Append(CanonicalQuery(query)).Append('\n');
        foreach (var x in h) sb.Append(x.Name).Append(':').Append(x.Value).Append('\n');
        sb.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);
        return sb.ToString();
    }

    static string CollapseSpaces(string v)
    {
        var t = v.Trim();
        var sb = new StringBuilder(t.Length);
        var space = false;
        foreach (var c in t)
        {
            if (c == ' ') { if (!space) sb.Append(' '); space = true; }
            else { sb.Append(c); space = false; }
        }
        return sb.ToString();
    }

    public static byte[] SigningKey(string secret, string date, string region, string service)
    {
        var k = Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), date);
        k = Hmac(k, region);
        k = Hmac(k, service);
        return Hmac(k, "aws4_request");
    }

    /// <summary>
    /// Signs a request: returns the Authorization header value. <paramref name="headers"/> must include <c>host</c> and
    /// <c>x-amz-date</c> (and <c>x-amz-security-token</c> with a session token) — every header given is signed.
    /// </summary>
    public static string Sign(string method, Uri uri, IEnumerable<KeyValuePair<string, string>> headers, byte[] payload,
        string accessKey, string secret, string region, string service, DateTime utcNow, out string stringToSign)
    {
        var amzDate = utcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate.Substring(0, 8);
        var creq = CanonicalRequest(method, uri.AbsolutePath, uri.Query, headers, out var signedHeaders, Sha256Hex(payload));
        var scope = $"{date}/{region}/{service}/aws4_request";
        stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Sha256Hex(Encoding.UTF8.GetBytes(creq))}";
        var signature = Hex(HMACSHA256.HashData(SigningKey(secret, date, region, service), Encoding.UTF8.GetBytes(stringToSign)));
        return $"{Algorithm} Credential={accessKey}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
    }

    /// <summary>Adds host, x-amz-date, x-amz-security-token and Authorization to <paramref name="req"/>.</summary>
    public static void SignRequest(HttpRequestMessage req, byte[] payload, AwsCredentials creds, string region, string service, DateTime utcNow)
    {
        var uri = req.RequestUri!;
        var amzDate = utcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var headers = new List<KeyValuePair<string, string>>
        {
            new("host", uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}"),
            new("x-amz-date", amzDate),
        };
        if (creds.SessionToken != null) headers.Add(new("x-amz-security-token", creds.SessionToken));
        if (req.Headers.TryGetValues("X-Amz-Target", out var target)) headers.Add(new("x-amz-target", string.Join(",", target)));
        if (req.Content?.Headers.ContentType != null) headers.Add(new("content-type", req.Content.Headers.ContentType.ToString()));
        var auth = Sign(req.Method.Method, uri, headers, payload, creds.AccessKeyId, creds.SecretAccessKey, region, service, utcNow, out _);
        req.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (creds.SessionToken != null) req.Headers.TryAddWithoutValidation("X-Amz-Security-Token", creds.SessionToken);
        req.Headers.TryAddWithoutValidation("Authorization", auth);
    }
}
