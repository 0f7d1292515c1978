using DockOpt.Engine.Security.Packages;
using DockOpt.Engine.IO;
using DockOpt.Engine.Images;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DockOpt.Engine.Security;

/// <summary>Writes reports (JSON, SARIF 2.1.0) and CycloneDX 1.6 SBOMs; every file through a temp file and a rename.</summary>
public static class ReportWriters
{
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    /// <summary>Writes a report through <see cref="AtomicFile"/>.</summary>
    public static void WriteAtomic(string path, string text) => AtomicFile.WriteAllText(path, text);

    public static string ToJson(IReadOnlyList<SecurityReport> reports) =>
        JsonSerializer.Serialize(reports.Count == 1 ? (object)reports[0] : reports, Indented);

    static string SarifLevel(string severity) => SeverityScale.Normalize(severity) switch
    {
        "Critical" or "High" => "error",
        "Medium" => "warning",
        _ => "note",
    };

    static string SecuritySeverity(string s) => SeverityScale.Normalize(s) switch
    {
        "Critical" => "9.5", "High" => "8.0", "Medium" => "5.5", "Low" => "2.0", _ => "0.0",
    };

    /// <summary>SARIF 2.1.0: one run per image; results never hold a secret (only the redacted match).</summary>
    public static string ToSarif(IReadOnlyList<SecurityReport> reports, string toolVersion)
    {
        var runs = new JsonArray();
        foreach (var r in reports)
        {
            var rules = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            var results = new JsonArray();
            foreach (var f in r.Findings)
            {
                var check = ConfigChecks.All.FirstOrDefault(c => c.Id == f.RuleId);
                rules.TryAdd(f.RuleId, new JsonObject
                {
                    ["id"] = f.RuleId,
                    ["shortDescription"] = new JsonObject { ["text"] = check?.Title ?? SecretRules.All.FirstOrDefault(s => s.Id == f.RuleId)?.Title ?? f.Title },
                    ["fullDescription"] = new JsonObject { ["text"] = f.Rationale },
                    ["properties"] = new JsonObject { ["security-severity"] = SecuritySeverity(f.Severity), ["tags"] = new JsonArray("security", f.Kind.ToLowerInvariant()), ["cis"] = f.Cis, ["dockle"] = f.Dockle },
                });
                results.Add(Result(f.RuleId, f.Severity, $"{f.Title}: {f.Match}".TrimEnd(' ', ':'), f.Location, (f.Dockerfile, f.Line), f.Suppressed, new JsonObject
                {
                    ["kind"] = f.Kind, ["status"] = f.Status, ["layer"] = f.Layer, ["layerDiffId"] = f.LayerDiffId, ["isBaseLayer"] = f.IsBaseLayer, ["deduction"] = f.Deduction,
                }));
            }
            foreach (var v in r.Vulnerabilities)
            {
                rules.TryAdd(v.Id, new JsonObject
                {
                    ["id"] = v.Id,
                    ["shortDescription"] = new JsonObject { ["text"] = v.Title.Length > 0 ? v.Title : v.Id },
                    ["properties"] = new JsonObject { ["security-severity"] = SecuritySeverity(v.Severity.ToString()), ["tags"] = new JsonArray("security", "vulnerability") },
                });
                results.Add(Result(v.Id, v.Severity.ToString(), $"{v.Package} {v.InstalledVersion} is affected by {v.Id}" + (v.IsFixable ? $"; fixed in {v.FixedVersion}" : "; no fix known"),
                    v.Purl.Length > 0 ? v.Purl : v.Package, (v.Dockerfile, v.Line), v.Suppressed, new JsonObject
                    {
                        ["package"] = v.Package, ["installedVersion"] = v.InstalledVersion, ["fixedVersion"] = v.FixedVersion, ["purl"] = v.Purl,
                        ["layer"] = v.Layer, ["isBaseLayer"] = v.IsBaseLayer, ["source"] = v.Source, ["deduction"] = v.Deduction,
                    }));
            }
            runs.Add(new JsonObject
            {
                ["tool"] = new JsonObject
                {
                    ["driver"] = new JsonObject
                    {
                        ["name"] = "DockOpt", ["version"] = toolVersion, ["informationUri"] = "https://github.com/dockopt/dockopt",
                        ["rules"] = new JsonArray(rules.Values.Select(x => (JsonNode)x).ToArray()),
                    },
                },
                ["results"] = results,
                ["invocations"] = new JsonArray(new JsonObject
                {
                    ["executionSuccessful"] = r.Outcome != "ScannerError",
                    ["toolExecutionNotifications"] = new JsonArray(r.Errors.Select(e => (JsonNode)new JsonObject { ["level"] = "error", ["message"] = new JsonObject { ["text"] = e } }).ToArray()),
                }),
                ["properties"] = new JsonObject { ["image"] = r.Image, ["imageId"] = r.ImageId, ["score"] = r.Score, ["grade"] = r.Grade, ["outcome"] = r.Outcome },
            });
        }
        var root = new JsonObject
        {
            ["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json",
            ["version"] = "2.1.0",
            ["runs"] = runs,
        };
        return root.ToJsonString(Indented);
    }

    /// <summary>
    /// One result. Where the finding was traced to the Dockerfile instruction that created it (DockerfileLocator), that line
    /// is the primary location, so code scanning annotates the Dockerfile, and the place in the image becomes a related
    /// location; otherwise the place in the image is the location.
    /// </summary>
    static JsonObject Result(string ruleId, string severity, string message, string location, (string? Path, int? Line) dockerfile, bool suppressed, JsonObject props)
    {
        var inImage = new JsonObject
        {
            ["physicalLocation"] = new JsonObject { ["artifactLocation"] = new JsonObject { ["uri"] = LocationUri(location) } },
        };
        var o = new JsonObject
        {
            ["ruleId"] = ruleId,
            ["level"] = SarifLevel(severity),
            ["message"] = new JsonObject { ["text"] = message },
        };
        if (dockerfile is { Path: { Length: > 0 } path, Line: > 0 and var line })
        {
            o["locations"] = new JsonArray(new JsonObject
            {
                ["physicalLocation"] = new JsonObject
                {
                    ["artifactLocation"] = new JsonObject { ["uri"] = new Uri(Path.GetFullPath(path)).AbsoluteUri },
                    ["region"] = new JsonObject { ["startLine"] = line },
                },
            });
            inImage["id"] = 0;
            inImage["message"] = new JsonObject { ["text"] = "where it is in the image" };
            o["relatedLocations"] = new JsonArray(inImage);
        }
        else o["locations"] = new JsonArray(inImage);
        o["properties"] = props;
        if (suppressed) o["suppressions"] = new JsonArray(new JsonObject { ["kind"] = "external", ["justification"] = "ignore file" });
        return o;
    }

    static string LocationUri(string loc)
    {
        var l = loc.StartsWith('/') ? loc[1..] : loc;
        var colon = l.LastIndexOf(':');
        if (colon > 0 && l[(colon + 1)..].All(char.IsAsciiDigit) && !loc.StartsWith("pkg:", StringComparison.Ordinal)) l = l[..colon];
        return Uri.EscapeDataString(l).Replace("%2F", "/");
    }

    /// <summary>RFC 4122 version-5 UUID (SHA-1, URL namespace) of a name: a stable serial number for the same image.</summary>
    public static Guid Uuid5(string name)
    {
        var ns = new byte[] { 0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8 };
        var data = ns.Concat(Encoding.UTF8.GetBytes(name)).ToArray();
        var h = SHA1.HashData(data);
        var b = h[..16];
        b[6] = (byte)((b[6] & 0x0f) | 0x50);
        b[8] = (byte)((b[8] & 0x3f) | 0x80);
        var hex = Convert.ToHexString(b).ToLowerInvariant();
        return Guid.Parse($"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}");
    }

    /// <summary>
    /// A deterministic CycloneDX 1.6 JSON SBOM: components sorted by purl, bom-ref = purl (plus the path when the same purl occurs twice),
    /// serial number a UUIDv5 of the image ID, no timestamp unless <paramref name="timestamp"/> is given.
    /// </summary>
    public static string ToCycloneDx(ImageScanResult scan, string toolVersion, DateTime? timestamp = null)
    {
        var imageRef = "image:" + (scan.ImageId.Length > 0 ? scan.ImageId : scan.Image);
        var repo = ImageReference.TryParse(scan.Image, out var imageName) ? imageName!.FamiliarRepository
            : ImageReference.SplitPattern(scan.Image).Repository; // an archive path or an ID
        var name = repo.Split('/').Last().ToLowerInvariant();
        var metaComponent = new JsonObject
        {
            ["type"] = "container",
            ["bom-ref"] = imageRef,
            ["name"] = scan.Image,
        };
        if (scan.ImageId.Length > 0)
        {
            metaComponent["version"] = scan.ImageId;
            metaComponent["purl"] = PackageUrl.Build("oci", null, name, scan.ImageId,
                new Dictionary<string, string?> { ["arch"] = scan.Architecture.Length > 0 ? scan.Architecture : null, ["repository_url"] = repo });
        }
        var metadata = new JsonObject();
        if (timestamp is { } ts) metadata["timestamp"] = ts.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ");
        metadata["lifecycles"] = new JsonArray(new JsonObject { ["phase"] = "post-build" });
        metadata["tools"] = new JsonObject
        {
            ["components"] = new JsonArray(new JsonObject { ["type"] = "application", ["name"] = "DockOpt", ["version"] = toolVersion }),
        };
        metadata["component"] = metaComponent;

        var components = new List<(string Key, JsonObject Obj)>();
        var refs = new HashSet<string>(StringComparer.Ordinal);
        if (scan.OsId.Length > 0)
        {
            var osRef = "os:" + scan.OsId + "@" + scan.OsVersionId;
            refs.Add(osRef);
            var os = new JsonObject { ["type"] = "operating-system", ["bom-ref"] = osRef, ["name"] = scan.OsId };
            if (scan.OsVersionId.Length > 0) os["version"] = scan.OsVersionId;
            components.Add(("0" + osRef, os));
        }
        foreach (var p in scan.Packages.OrderBy(p => p.Purl, StringComparer.Ordinal).ThenBy(p => p.Path, StringComparer.Ordinal))
        {
            var bomRef = p.Purl;
            if (!refs.Add(bomRef)) { bomRef = p.Purl + "?file=" + p.Path; refs.Add(bomRef); }
            var props = new JsonArray(
                new JsonObject { ["name"] = "dockopt:package:type", ["value"] = p.Type },
                new JsonObject { ["name"] = "dockopt:layer:index", ["value"] = p.Layer.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                new JsonObject { ["name"] = "dockopt:layer:diffID", ["value"] = p.LayerDiffId },
                new JsonObject { ["name"] = "dockopt:layer:isBase", ["value"] = p.IsBaseLayer ? "true" : "false" });
            if (p.SourceName.Length > 0) props.Add(new JsonObject { ["name"] = "dockopt:package:source", ["value"] = p.SourceName + (p.SourceVersion.Length > 0 ? "@" + p.SourceVersion : "") });
            var c = new JsonObject
            {
                ["type"] = "library",
                ["bom-ref"] = bomRef,
                ["name"] = p.Name,
                ["version"] = p.Version,
                ["purl"] = p.Purl,
                ["evidence"] = new JsonObject { ["occurrences"] = new JsonArray(new JsonObject { ["location"] = "/" + p.Path }) },
                ["properties"] = props,
            };
            if (SbomLicenses.CycloneDx(p.License) is { } lic) c["licenses"] = lic;
            if (p.Vendor.Length > 0) c["supplier"] = new JsonObject { ["name"] = p.Vendor };
            components.Add(("1" + bomRef, c));
        }
        var bom = new JsonObject
        {
            ["$schema"] = "http://cyclonedx.org/schema/bom-1.6.schema.json",
            ["bomFormat"] = "CycloneDX",
            ["specVersion"] = "1.6",
            ["serialNumber"] = "urn:uuid:" + Uuid5("dockopt:" + (scan.ImageId.Length > 0 ? scan.ImageId : scan.Image)),
            ["version"] = 1,
            ["metadata"] = metadata,
            ["components"] = new JsonArray(components.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => (JsonNode)c.Obj).ToArray()),
            ["dependencies"] = new JsonArray(new JsonObject
            {
                ["ref"] = imageRef,
                ["dependsOn"] = new JsonArray(refs.OrderBy(r => r, StringComparer.Ordinal).Select(r => (JsonNode)JsonValue.Create(r)!).ToArray()),
            }),
        };
        return bom.ToJsonString(Indented) + "\n";
    }
}
