using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace DockOpt.Engine.Tests.Registry;

/// <summary>
/// Test-side client of the real local registry (127.0.0.1:5000, started by Bootstrap): docker push, and the distribution
/// API's monolithic blob upload and manifest PUT, to build images and indexes that the engine cannot make (another platform).
/// </summary>
static class LocalRegistryApi
{
    public const string Host = "127.0.0.1:5000";
    static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    public static bool Available()
    {
        try { return Http.GetAsync($"http://{Host}/v2/").GetAwaiter().GetResult().IsSuccessStatusCode; }
        catch (HttpRequestException) { return false; }
    }

    public static string? Docker(params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in args) psi.ArgumentList.Add(a);
            var p = Process.Start(psi)!;
            var o = p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? o.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }

    /// <summary>Tags a local image into the registry and pushes it with the docker CLI; false when it cannot.</summary>
    public static bool Push(string localImage, string repoTag)
    {
        if (Docker("image", "inspect", localImage) == null) return false;
        var target = $"{Host}/{repoTag}";
        if (Docker("tag", localImage, target) == null) return false;
        var ok = Docker("push", target) != null;
        Docker("rmi", target);
        return ok;
    }

    public static string Digest(byte[] b) => "sha256:" + Convert.ToHexString(SHA256.HashData(b)).ToLowerInvariant();

    public static async Task<(byte[] Body, string Type)> GetManifestAsync(string repo, string reference)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, $"http://{Host}/v2/{repo}/manifests/{reference}");
        req.Headers.TryAddWithoutValidation("Accept", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json");
        using var resp = await Http.SendAsync(req);
        resp.EnsureSuccessStatusCode();
        return (await resp.Content.ReadAsByteArrayAsync(), resp.Content.Headers.ContentType?.MediaType ?? "");
    }

    public static async Task<byte[]> GetBlobAsync(string repo, string digest) =>
        await Http.GetByteArrayAsync($"http://{Host}/v2/{repo}/blobs/{digest}");

    public static async Task PutBlobAsync(string repo, byte[] blob)
    {
        using var post = await Http.PostAsync($"http://{Host}/v2/{repo}/blobs/uploads/", null);
        post.EnsureSuccessStatusCode();
        var loc = post.Headers.Location!;
        var url = (loc.IsAbsoluteUri ? loc.ToString() : $"http://{Host}{loc}");
        url += (url.Contains('?') ? "&" : "?") + "digest=" + Uri.EscapeDataString(Digest(blob));
        using var put = await Http.PutAsync(url, new ByteArrayContent(blob));
        put.EnsureSuccessStatusCode();
    }

    public static async Task<string> PutManifestAsync(string repo, string reference, byte[] body, string mediaType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var put = await Http.PutAsync($"http://{Host}/v2/{repo}/manifests/{reference}", content);
        put.EnsureSuccessStatusCode();
        return Digest(body);
    }

    /// <summary>
    /// Makes a two-platform index in <paramref name="repo"/>: the pushed amd64 image under <c>amd64</c>, a copy whose config
    /// says linux/arm64/v8 (same layers: a test artifact, not a runnable arm64 image) under <c>arm64</c>, and an OCI index
    /// under <c>multi</c>. Returns the config digests.
    /// </summary>
    public static async Task<(string Amd64Config, string Arm64Config, string Index)> MakeMultiPlatformAsync(string repo)
    {
        var (manifest, type) = await GetManifestAsync(repo, "amd64");
        var m = JsonNode.Parse(manifest)!;
        var amdConfig = m["config"]!["digest"]!.GetValue<string>();
        var config = JsonNode.Parse(await GetBlobAsync(repo, amdConfig))!;
        config["architecture"] = "arm64";
        config["variant"] = "v8";
        var armConfigBytes = System.Text.Encoding.UTF8.GetBytes(config.ToJsonString());
        await PutBlobAsync(repo, armConfigBytes);
        m["config"]!["digest"] = Digest(armConfigBytes);
        m["config"]!["size"] = armConfigBytes.Length;
        var armManifest = System.Text.Encoding.UTF8.GetBytes(m.ToJsonString());
        var armDigest = await PutManifestAsync(repo, "arm64", armManifest, type);
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = new JsonArray(
                new JsonObject { ["mediaType"] = type, ["digest"] = Digest(manifest), ["size"] = manifest.Length,
                    ["platform"] = new JsonObject { ["architecture"] = "amd64", ["os"] = "linux" } },
                new JsonObject { ["mediaType"] = type, ["digest"] = armDigest, ["size"] = armManifest.Length,
                    ["platform"] = new JsonObject { ["architecture"] = "arm64", ["os"] = "linux", ["variant"] = "v8" } }),
        };
        var indexDigest = await PutManifestAsync(repo, "multi", System.Text.Encoding.UTF8.GetBytes(index.ToJsonString()), "application/vnd.oci.image.index.v1+json");
        return (amdConfig, Digest(armConfigBytes), indexDigest);
    }
}
