using System.Diagnostics;
using System.Text.Json;

namespace DockOpt.Engine.Security;

/// <summary>Reads Trivy's JSON report (trivy image --format json) into DockOpt vulnerabilities, or runs trivy when it is on PATH.</summary>
public static class TrivyReport
{
    /// <summary>Reads a report; with <paramref name="expectedImageId"/>, a report of another image (Metadata.ImageID) is refused.</summary>
    public static List<DockOpt.Vulnerability> Parse(Stream json, string source, IReadOnlyList<string> diffIds, ISet<int> baseLayers, string? expectedImageId = null)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e)
        {
            throw new DockOptException(ErrorIds.TrivyReportInvalid, DockOptErrorCategory.InvalidData,
                $"The Trivy report '{source}' is not valid JSON: {e.Message}", source, "Give the output of 'trivy image --format json'.", e);
        }
        var list = new List<DockOpt.Vulnerability>();
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("SchemaVersion", out _))
                throw new DockOptException(ErrorIds.TrivyReportInvalid, DockOptErrorCategory.InvalidData,
                    $"'{source}' is not a Trivy JSON report (no SchemaVersion).", source, "Give the output of 'trivy image --format json'.");
            var reportId = doc.RootElement.TryGetProperty("Metadata", out var meta) ? S(meta, "ImageID") : "";
            if (expectedImageId is { Length: > 0 } && reportId.Length > 0 && !string.Equals(reportId, expectedImageId, StringComparison.OrdinalIgnoreCase))
                throw new DockOptException(ErrorIds.TrivyReportImageMismatch, DockOptErrorCategory.InvalidData,
                    $"The Trivy report '{source}' is of image {reportId}, not of the scanned image {expectedImageId}.", source,
                    "Give the report trivy wrote for this exact image (trivy image --input of its archive, or its ID).");
            if (!doc.RootElement.TryGetProperty("Results", out var results) || results.ValueKind != JsonValueKind.Array) return list;
            foreach (var res in results.EnumerateArray())
            {
                if (!res.TryGetProperty("Vulnerabilities", out var vulns) || vulns.ValueKind != JsonValueKind.Array) continue;
                var type = S(res, "Type");
                foreach (var v in vulns.EnumerateArray())
                {
                    var diffId = v.TryGetProperty("Layer", out var layer) ? S(layer, "DiffID") : "";
                    var index = diffId.Length > 0 ? IndexOf(diffIds, diffId) : -1;
                    var purl = v.TryGetProperty("PkgIdentifier", out var pid) ? S(pid, "PURL") : "";
                    var ds = v.TryGetProperty("DataSource", out var dso) ? S(dso, "Name") : "";
                    list.Add(new DockOpt.Vulnerability
                    {
                        Id = S(v, "VulnerabilityID"),
                        Aliases = v.TryGetProperty("VendorIDs", out var vid) && vid.ValueKind == JsonValueKind.Array
                            ? vid.EnumerateArray().Select(x => x.GetString() ?? "").Where(x => x.Length > 0).ToArray() : Array.Empty<string>(),
                        Severity = SeverityScale.Parse(S(v, "Severity")),
                        SeveritySource = S(v, "Severity").Length > 0 ? "Trivy" : "",
                        Package = S(v, "PkgName"),
                        PackageType = MapType(type),
                        Purl = purl,
                        InstalledVersion = S(v, "InstalledVersion"),
                        FixedVersion = S(v, "FixedVersion"),
                        Layer = index,
                        LayerDiffId = diffId,
                        IsBaseLayer = index >= 0 && baseLayers.Contains(index),
                        Source = "Trivy" + (ds.Length > 0 ? ":" + ds : ""),
                        Title = S(v, "Title"),
                    });
                }
            }
        }
        return list;
    }

    static int IndexOf(IReadOnlyList<string> ids, string id)
    {
        for (var i = 0; i < ids.Count; i++) if (ids[i] == id) return i;
        return -1;
    }

    static string MapType(string t) => t switch
    {
        "debian" or "ubuntu" => "deb",
        "alpine" => "apk",
        "python-pkg" or "pip" or "poetry" or "pipenv" => "pypi",
        "node-pkg" or "npm" or "yarn" => "npm",
        "dotnet-core" or "nuget" or "dotnet-deps" => "nuget",
        "gobinary" or "gomod" => "golang",
        _ => t,
    };

    static string S(JsonElement e, string p) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(p, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    /// <summary>The trivy executable on PATH, or null.</summary>
    public static string? FindOnPath()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        var names = OperatingSystem.IsWindows() ? new[] { "trivy.exe" } : new[] { "trivy" };
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            foreach (var n in names)
            {
                var f = Path.Combine(dir, n);
                if (File.Exists(f)) return f;
            }
        return null;
    }

    /// <summary>
    /// Runs trivy offline (cached DB only) on the exact image given as an archive (<c>--input</c>: the engine's export of
    /// the scanned image ID, or the archive or OCI layout that was scanned) and returns its JSON report path. Cancelling
    /// kills trivy and its children.
    /// </summary>
    public static async Task<string> RunAsync(string trivy, string input, string image, CancellationToken ct)
    {
        var outFile = Path.Combine(Path.GetTempPath(), "dockopt-trivy-" + Guid.NewGuid().ToString("N") + ".json");
        var psi = new ProcessStartInfo(trivy)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "image", "--quiet", "--format", "json", "--output", outFile, "--skip-db-update", "--offline-scan", "--scanners", "vuln", "--input", input })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new DockOptException(ErrorIds.ScannerUnavailable, DockOptErrorCategory.ResourceUnavailable, $"Could not start {trivy}.", trivy);
        var err = p.StandardError.ReadToEndAsync(ct);
        _ = p.StandardOutput.ReadToEndAsync(ct);
        try { await p.WaitForExitAsync(ct).ConfigureAwait(false); }
        catch (OperationCanceledException)
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            if (File.Exists(outFile)) File.Delete(outFile);
            throw;
        }
        if (p.ExitCode != 0 || !File.Exists(outFile))
        {
            var msg = Dockerfiles.MessageText.Summarise((await err.ConfigureAwait(false)).Trim());
            throw new DockOptException(ErrorIds.ScannerUnavailable, DockOptErrorCategory.ResourceUnavailable,
                $"trivy failed (exit {p.ExitCode}) for '{image}': {msg}", image,
                "Trivy needs a cached vulnerability DB for offline scans ('trivy image --download-db-only' where it has network), or use -VulnerabilityDatabase with OSV records.");
        }
        return outFile;
    }
}
