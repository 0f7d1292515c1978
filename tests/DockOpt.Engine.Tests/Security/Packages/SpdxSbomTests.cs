using System.Text.Json.Nodes;
using DockOpt.Engine.Security;
using DockOpt.Engine.Security.Packages;
using Json.Schema;

namespace DockOpt.Engine.Tests.Security.Packages;

/// <summary>SPDX 2.3 JSON validated against the published schema (spdx/spdx-spec v2.3 schemas/spdx-schema.json); licences in both SBOM formats.</summary>
public class SpdxSbomTests
{
    static readonly Lazy<JsonSchema> Spdx = new(() => JsonSchema.FromFile(Path.Combine(AppContext.BaseDirectory, "Security", "Schemas", "spdx-2.3.schema.json")));

    static readonly Lazy<JsonSchema> Cdx = new(() =>
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "Security", "Schemas");
        foreach (var f in new[] { "spdx.schema.json", "jsf-0.82.schema.json" })
            try { SchemaRegistry.Global.Register(JsonSchema.FromFile(Path.Combine(dir, f))); } catch (ArgumentException) { }
        var s = JsonSchema.FromFile(Path.Combine(dir, "bom-1.6.schema.json"));
        try { SchemaRegistry.Global.Register(s); } catch (ArgumentException) { }
        return s;
    });

    static string Errors(EvaluationResults r) => string.Join("\n", (r.Details ?? Array.Empty<EvaluationResults>())
        .Where(d => d.Errors != null).SelectMany(d => d.Errors!.Select(e => d.InstanceLocation + ": " + e.Value)).Take(20));

    internal static ImageScanResult Scan()
    {
        var r = new ImageScanResult { Image = "registry.example/h7/app:1.0", ImageId = "sha256:" + new string('a', 64), OsId = "rhel", OsVersionId = "9.4", Architecture = "amd64", Created = new DateTime(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc) };
        r.DiffIds = new[] { "sha256:" + new string('1', 64), "sha256:" + new string('2', 64) };
        PackageInfo P(string type, string name, string version, string purl, string license, string vendor = "", int layer = 0, string path = "var/lib/rpm/rpmdb.sqlite") =>
            new() { Image = r.Image, Type = type, Name = name, Version = version, Purl = purl, License = license, Vendor = vendor, Layer = layer, LayerDiffId = r.DiffIds[layer], Path = path };
        r.Packages.Add(P("rpm", "h7-alpha", "2:1.4.2-3.el9_1", "pkg:rpm/rhel/h7-alpha@1.4.2-3.el9_1?arch=x86_64&distro=rhel-9.4&epoch=2", "MIT AND (Apache-2.0 OR BSD-3-Clause)", "DockOpt Test Vendor"));
        r.Packages.Add(P("rpm", "h7-noepoch", "3.1-7.el9", "pkg:rpm/rhel/h7-noepoch@3.1-7.el9?arch=noarch&distro=rhel-9.4", "LGPLv2+ with exceptions", "Red Hat, Inc."));
        r.Packages.Add(P("maven", "com.fasterxml.jackson.core:jackson-databind", "2.15.2", "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.15.2", "The Apache Software License, Version 2.0", layer: 1, path: "app/demo.jar!/BOOT-INF/lib/jackson-databind-2.15.2.jar"));
        r.Packages.Add(P("gem", "json", "2.6.3", "pkg:gem/json@2.6.3", "Ruby OR BSD-2-Clause", layer: 1, path: "usr/local/bundle/specifications/json-2.6.3.gemspec"));
        r.Packages.Add(P("npm", "left-pad", "1.3.0", "pkg:npm/left-pad@1.3.0", "", layer: 1, path: "srv/web/package-lock.json"));
        r.Packages.Add(P("npm", "left-pad", "1.3.0", "pkg:npm/left-pad@1.3.0", "WTFPL", layer: 1, path: "srv/web/node_modules/left-pad/package.json"));
        r.Packages.Add(P("deb", "tzdata", "2024a-0+deb12u1", "pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all", "LicenseRef-Public-Domain", layer: 0, path: "var/lib/dpkg/status"));
        return r;
    }

    [Fact]
    public void SpdxDocumentIsValidDeterministicAndCarriesLicences()
    {
        var json = SpdxWriter.ToSpdx(Scan(), "1.2.3");
        var result = Spdx.Value.Evaluate(JsonNode.Parse(json), new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, Errors(result));
        Assert.Equal(json, SpdxWriter.ToSpdx(Scan(), "1.2.3")); // byte-identical

        var doc = JsonNode.Parse(json)!;
        Assert.Equal("SPDX-2.3", (string)doc["spdxVersion"]!);
        Assert.Equal("2026-11-30T12:00:00Z", (string)doc["creationInfo"]!["created"]!);
        var pkgs = doc["packages"]!.AsArray();
        Assert.Equal(2 + 7, pkgs.Count); // image + OS + packages (the duplicate purl kept with its own id)
        Assert.Equal(pkgs.Count, pkgs.Select(p => (string)p!["SPDXID"]!).Distinct().Count());
        JsonNode Pkg(string name, int nth = 0) => pkgs.Where(p => (string)p!["name"]! == name).ElementAt(nth)!;
        Assert.Equal("MIT AND (Apache-2.0 OR BSD-3-Clause)", (string)Pkg("h7-alpha")["licenseDeclared"]!);
        Assert.Equal("Organization: DockOpt Test Vendor", (string)Pkg("h7-alpha")["supplier"]!);
        Assert.Equal("pkg:rpm/rhel/h7-alpha@1.4.2-3.el9_1?arch=x86_64&distro=rhel-9.4&epoch=2", (string)Pkg("h7-alpha")["externalRefs"]![0]!["referenceLocator"]!);
        Assert.Equal("Apache-2.0", (string)Pkg("com.fasterxml.jackson.core:jackson-databind")["licenseDeclared"]!);
        Assert.Equal("NOASSERTION", (string)Pkg("left-pad", 1)["licenseDeclared"]!); // sorted by purl, then path: node_modules before package-lock.json
        Assert.Equal("WTFPL", (string)Pkg("left-pad", 0)["licenseDeclared"]!);
        // Raw text becomes a LicenseRef with the text in hasExtractedLicensingInfos.
        var rawRef = (string)Pkg("h7-noepoch")["licenseDeclared"]!;
        Assert.Equal("LicenseRef-LGPLv2-with-exceptions", rawRef);
        var extracted = doc["hasExtractedLicensingInfos"]!.AsArray();
        Assert.Contains(extracted, e => (string)e!["licenseId"]! == rawRef && (string)e["extractedText"]! == "LGPLv2+ with exceptions");
        Assert.Contains(extracted, e => (string)e!["licenseId"]! == "LicenseRef-Public-Domain");
        // The image describes and contains every package.
        var rel = doc["relationships"]!.AsArray();
        Assert.Equal(pkgs.Count - 1, rel.Count(x => (string)x!["relationshipType"]! == "CONTAINS"));
    }

    [Fact]
    public void SchemaRejectsAnInvalidDocument()
    {
        var bad = JsonNode.Parse("""{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"x","creationInfo":{"created":"2026-01-01T00:00:00Z","creators":["Tool: x"]},"packages":[{"name":"p","downloadLocation":"NOASSERTION"}]}""");
        Assert.False(Spdx.Value.Evaluate(bad).IsValid); // a package without SPDXID
    }

    [Fact]
    public void CycloneDxCarriesLicencesAsExpressionOrName()
    {
        var json = ReportWriters.ToCycloneDx(Scan(), "1.2.3");
        var result = Cdx.Value.Evaluate(JsonNode.Parse(json), new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, Errors(result));
        var comps = JsonNode.Parse(json)!["components"]!.AsArray();
        JsonNode C(string name) => comps.First(c => (string)c!["name"]! == name)!;
        Assert.Equal("MIT AND (Apache-2.0 OR BSD-3-Clause)", (string)C("h7-alpha")["licenses"]![0]!["expression"]!);
        Assert.Equal("LGPLv2+ with exceptions", (string)C("h7-noepoch")["licenses"]![0]!["license"]!["name"]!);
        Assert.Equal("Apache-2.0", (string)C("com.fasterxml.jackson.core:jackson-databind")["licenses"]![0]!["expression"]!);
        Assert.Equal("DockOpt Test Vendor", (string)C("h7-alpha")["supplier"]!["name"]!);
    }

    [Fact]
    public void LicencesFromDpkgCopyrightPythonAndNpmMetadata()
    {
        const string copyright = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: zlib\n\nFiles: *\nCopyright: 1995-2013 Jean-loup Gailly and Mark Adler\nLicense: Zlib\n\nFiles: debian/*\nLicense: GPL-2+\n This program is free software\n";
        Assert.Equal("Zlib AND GPL-2.0-or-later", PackageParsers.ParseDebianCopyright(copyright));
        Assert.Equal("", PackageParsers.ParseDebianCopyright("This is free-form text. Licensed under the GPL."));
        Assert.Equal("MIT", PackageParsers.ParsePythonMetadata("Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\nLicense: MIT\n\nbody")[0].License);
        Assert.Equal("Apache-2.0 OR BSD-3-Clause", PackageParsers.ParsePythonMetadata("Metadata-Version: 2.4\nName: x\nVersion: 1\nLicense-Expression: Apache-2.0 OR BSD-3-Clause\n")[0].License);
        Assert.Equal("BSD-3-Clause", PackageParsers.ParsePythonMetadata("Metadata-Version: 2.1\nName: y\nVersion: 1\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: BSD License\n")[0].License);
        Assert.Equal("ISC", PackageParsers.ParseNpm("""{"name":"a","version":"1.0.0","license":"ISC"}"""u8.ToArray())[0].License);
        Assert.Equal("MIT OR Apache-2.0", PackageParsers.ParseNpm("""{"name":"a","version":"1.0.0","licenses":[{"type":"MIT"},{"type":"Apache-2.0"}]}"""u8.ToArray())[0].License);
    }
}
