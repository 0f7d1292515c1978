using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using DockOpt.Engine.Security.Packages;

namespace DockOpt.Engine.Security.Packages;

/// <summary>Licences in the SBOMs: an SPDX expression when the metadata gives one (or a known licence name), else the raw text.</summary>
public static class SbomLicenses
{
    /// <summary>CycloneDX "licenses": [{"expression"}] for an SPDX expression, [{"license":{"name"}}] for raw text, null when unknown.</summary>
    public static JsonArray? CycloneDx(string license)
    {
        var l = Licenses.Normalize(license);
        if (l.Length == 0) return null;
        return Licenses.IsSpdxExpression(l)
            ? new JsonArray(new JsonObject { ["expression"] = l })
            : new JsonArray(new JsonObject { ["license"] = new JsonObject { ["name"] = l } });
    }

    /// <summary>SPDX licenseDeclared: the expression, a LicenseRef for raw text (recorded in <paramref name="extracted"/>), or NOASSERTION.</summary>
    public static string Spdx(string license, SortedDictionary<string, string> extracted)
    {
        var l = Licenses.Normalize(license);
        if (l.Length == 0) return "NOASSERTION";
        if (Licenses.IsSpdxExpression(l))
        {
            // LicenseRef- ids used inside expressions must be declared too.
            foreach (var t in l.Split(new[] { ' ', '(', ')' }, StringSplitOptions.RemoveEmptyEntries).Where(t => t.StartsWith("LicenseRef-", StringComparison.Ordinal)))
                extracted.TryAdd(t, t["LicenseRef-".Length..].Replace('-', ' '));
            return l;
        }
        var id = Licenses.LicenseRef(l);
        extracted.TryAdd(id, l);
        return id;
    }
}

/// <summary>
/// A deterministic SPDX 2.3 JSON document of an image: the image as the described package (CONTAINS every package),
/// packages sorted by purl with SPDX ids derived from their bom-ref, purls as PACKAGE-MANAGER external references,
/// licences declared (SPDX expressions or LicenseRefs with the raw text), creation time = the image's created time unless
/// a timestamp is given.
/// </summary>
public static class SpdxWriter
{
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    static string Id(string kind, string key) => "SPDXRef-" + kind + "-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16].ToLowerInvariant();

    public static string ToSpdx(ImageScanResult scan, string toolVersion, DateTime? timestamp = null)
    {
        var key = scan.ImageId.Length > 0 ? scan.ImageId : scan.Image;
        var created = (timestamp ?? scan.Created ?? DateTime.UnixEpoch).ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var imageId = Id("Image", key);
        var extracted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var packages = new List<JsonObject>();
        var relationships = new JsonArray(new JsonObject { ["spdxElementId"] = "SPDXRef-DOCUMENT", ["relationshipType"] = "DESCRIBES", ["relatedSpdxElement"] = imageId });

        packages.Add(ImagePackage(scan, imageId));
        var parts = new SpdxParts(imageId, packages, relationships, extracted);
        if (scan.OsId.Length > 0) AddOperatingSystem(scan, parts);
        AddPackages(scan, parts);

        var doc = new JsonObject
        {
            ["spdxVersion"] = "SPDX-2.3",
            ["dataLicense"] = "CC0-1.0",
            ["SPDXID"] = "SPDXRef-DOCUMENT",
            ["name"] = scan.Image,
            ["documentNamespace"] = "https://dockopt.dev/spdx/" + Uri.EscapeDataString(scan.Image.Replace('/', '_')) + "-" + ReportWriters.Uuid5("dockopt-spdx:" + key),
            ["creationInfo"] = new JsonObject
            {
                ["created"] = created,
                ["creators"] = new JsonArray("Tool: DockOpt-" + toolVersion),
            },
            ["documentDescribes"] = new JsonArray(imageId),
            ["packages"] = new JsonArray(packages.Select(x => (JsonNode)x).ToArray()),
            ["relationships"] = relationships,
        };
        if (extracted.Count > 0)
            doc["hasExtractedLicensingInfos"] = new JsonArray(extracted.Select(kv => (JsonNode)new JsonObject
            {
                ["licenseId"] = kv.Key, ["name"] = kv.Value.Length > 200 ? kv.Value[..200] : kv.Value, ["extractedText"] = kv.Value,
            }).ToArray());
        return doc.ToJsonString(Indented) + "\n";
    }

    /// <summary>The packages, relationships and extracted licences of the document being built, and the image's SPDX id.</summary>
    sealed record SpdxParts(string ImageId, List<JsonObject> Packages, JsonArray Relationships, SortedDictionary<string, string> Extracted);

    /// <summary>The image as the described CONTAINER package, with its oci purl when it has an image ID.</summary>
    static JsonObject ImagePackage(ImageScanResult scan, string imageId)
    {
        var image = new JsonObject
        {
            ["SPDXID"] = imageId,
            ["name"] = scan.Image,
            ["versionInfo"] = scan.ImageId.Length > 0 ? scan.ImageId : null,
            ["downloadLocation"] = "NOASSERTION",
            ["filesAnalyzed"] = false,
            ["licenseConcluded"] = "NOASSERTION",
            ["licenseDeclared"] = "NOASSERTION",
            ["copyrightText"] = "NOASSERTION",
            ["primaryPackagePurpose"] = "CONTAINER",
        };
        if (scan.ImageId.Length > 0)
        {
            var repo = scan.Image.Split('@')[0];
            var lc = repo.LastIndexOf(':');
            if (lc > repo.LastIndexOf('/')) repo = repo[..lc];
            image["externalRefs"] = new JsonArray(PurlRef(PackageUrl.Build("oci", null, repo.Split('/').Last().ToLowerInvariant(), scan.ImageId,
                new Dictionary<string, string?> { ["arch"] = scan.Architecture.Length > 0 ? scan.Architecture : null, ["repository_url"] = repo })));
        }
        else image.Remove("versionInfo");
        return image;
    }

    /// <summary>The operating system as an OPERATING_SYSTEM package the image CONTAINS.</summary>
    static void AddOperatingSystem(ImageScanResult scan, SpdxParts parts)
    {
        var osId = Id("OperatingSystem", scan.OsId + "@" + scan.OsVersionId);
        var os = new JsonObject
        {
            ["SPDXID"] = osId, ["name"] = scan.OsId, ["versionInfo"] = scan.OsVersionId, ["downloadLocation"] = "NOASSERTION", ["filesAnalyzed"] = false,
            ["licenseConcluded"] = "NOASSERTION", ["licenseDeclared"] = "NOASSERTION", ["copyrightText"] = "NOASSERTION", ["primaryPackagePurpose"] = "OPERATING_SYSTEM",
        };
        parts.Packages.Add(os);
        parts.Relationships.Add(new JsonObject { ["spdxElementId"] = parts.ImageId, ["relationshipType"] = "CONTAINS", ["relatedSpdxElement"] = osId });
    }

    /// <summary>Every package, sorted by purl then path (a repeated purl gets ?file=path in its bom-ref), as a LIBRARY the image CONTAINS.</summary>
    static void AddPackages(ImageScanResult scan, SpdxParts parts)
    {
        var refs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in scan.Packages.OrderBy(p => p.Purl, StringComparer.Ordinal).ThenBy(p => p.Path, StringComparer.Ordinal))
        {
            var bomRef = p.Purl;
            if (!refs.Add(bomRef)) { bomRef = p.Purl + "?file=" + p.Path; refs.Add(bomRef); }
            var id = Id("Package", bomRef);
            var o = new JsonObject
            {
                ["SPDXID"] = id,
                ["name"] = p.Name,
                ["versionInfo"] = p.Version,
                ["downloadLocation"] = "NOASSERTION",
                ["filesAnalyzed"] = false,
                ["licenseConcluded"] = "NOASSERTION",
                ["licenseDeclared"] = SbomLicenses.Spdx(p.License, parts.Extracted),
                ["copyrightText"] = "NOASSERTION",
                ["externalRefs"] = new JsonArray(PurlRef(p.Purl)),
                ["primaryPackagePurpose"] = "LIBRARY",
                ["sourceInfo"] = $"found in /{p.Path}, layer {p.Layer.ToString(CultureInfo.InvariantCulture)} ({(p.LayerDiffId.Length > 0 ? p.LayerDiffId : "unknown diff ID")}{(p.IsBaseLayer ? ", base image" : "")})",
            };
            if (p.Vendor.Length > 0) o["supplier"] = "Organization: " + p.Vendor.Replace('\n', ' ');
            if (p.SourceName.Length > 0) o["comment"] = "source package " + p.SourceName + (p.SourceVersion.Length > 0 ? " " + p.SourceVersion : "");
            parts.Packages.Add(o);
            parts.Relationships.Add(new JsonObject { ["spdxElementId"] = parts.ImageId, ["relationshipType"] = "CONTAINS", ["relatedSpdxElement"] = id });
        }
    }

    static JsonObject PurlRef(string purl) => new() { ["referenceCategory"] = "PACKAGE-MANAGER", ["referenceType"] = "purl", ["referenceLocator"] = purl };
}
