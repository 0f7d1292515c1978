using System.Buffers;
using System.Text;
using System.Text.Json;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Security;

/// <summary>What one pass over an image found: packages, secrets in files, config findings, with layer attribution.</summary>
public sealed class ImageScanResult
{
    public string Image { get; init; } = "";
    public string ImageId { get; set; } = "";
    /// <summary>Where the image was read, transport-qualified (docker://…, docker-daemon:…, docker-archive:…, oci:…).</summary>
    public string Source { get; set; } = "";
    public List<PackageInfo> Packages { get; } = new();
    public List<SecurityFinding> Findings { get; } = new();
    public string[] DiffIds { get; set; } = Array.Empty<string>();
    public HashSet<int> BaseLayers { get; } = new();
    public string OsId { get; set; } = "";
    public string OsVersionId { get; set; } = "";
    public string OsCodename { get; set; } = "";
    public string Architecture { get; set; } = "";

    /// <summary>The image config's "created" time (UTC), when it has one: the SPDX document's creation time by default.</summary>
    public DateTime? Created { get; set; }
    public List<string> Problems { get; } = new();

    /// <summary>The image config's history, oldest first (CreatedBy, empty_layer).</summary>
    public List<(string CreatedBy, bool EmptyLayer)> History { get; set; } = new();
}

public sealed class ImageScanOptions
{
    public bool Packages { get; init; } = true;
    public bool Secrets { get; init; } = true;
    public bool Config { get; init; } = true;

    /// <summary>Number of bottom layers that belong to the base image, or -1 to guess from the history.</summary>
    public int BaseLayerCount { get; init; } = -1;

    /// <summary>History entries of the base image (with <see cref="BaseLayerCount"/>), or -1.</summary>
    public int BaseHistoryCount { get; init; } = -1;

    /// <summary>Files larger than this are not searched for secrets (bytes).</summary>
    public long MaxSecretFileSize { get; init; } = 10 * 1024 * 1024;
}

/// <summary>
/// Streams every layer of an image once (through <see cref="ImageReader"/>) and feeds all scanners from that one pass:
/// package metadata, secrets in files (every layer, also files deleted later), setuid/setgid and world-writable files.
/// </summary>
public sealed class ImageScanner : IImageVisitor
{
    readonly ImageScanOptions _options;
    readonly string _image;
    readonly IDockOptSink _sink;
    readonly Dictionary<string, LayerData> _layers = new(StringComparer.Ordinal);
    ImageContents? _contents;
    int _layersRead;

    public ImageScanner(string image, ImageScanOptions options, IDockOptSink sink)
    {
        _image = image;
        _options = options;
        _sink = sink;
    }

    /// <summary>Reads the image from <paramref name="source"/> and returns what the scanners found.</summary>
    public static async Task<ImageScanResult> ScanAsync(ImageSource source, string image, ImageScanOptions options, IDockOptSink sink, CancellationToken ct,
        ImageReadOptions? readOptions = null)
    {
        var scanner = new ImageScanner(image, options, sink);
        await ImageReader.ReadAsync(source, scanner, readOptions ?? ImageReadOptions.Default, ct).ConfigureAwait(false);
        return scanner.Resolve();
    }

    internal sealed class LayerData : ILayerVisitor
    {
        readonly ImageScanner _s;
        public LayerData(ImageScanner s) => _s = s;
        public readonly HashSet<string> Paths = new(StringComparer.Ordinal);
        public readonly HashSet<string> Whiteouts = new(StringComparer.Ordinal);
        public readonly HashSet<string> Opaques = new(StringComparer.Ordinal);
        public readonly List<(string Path, string Kind, List<RawPackage> Packages)> PackageFiles = new();
        public readonly List<(string Path, SecretMatch Match)> Secrets = new();
        public readonly List<(string Path, int Mode, int Uid, int Gid)> SpecialBits = new();
        public readonly List<(string Path, int Mode, bool Dir)> WorldWritable = new();
        public readonly Dictionary<string, byte[]> Keep = new(StringComparer.Ordinal); // etc/passwd, os-release, rpmdb.sqlite(-wal)

        /// <summary>Work this layer's scan skipped (an escaping entry, an unparsable package file, a regex timeout, a file over the size cap).</summary>
        public readonly List<string> Problems = new();

        public void OnEntry(LayerEntry e) => _s.OnEntry(this, e);
    }

    static readonly HashSet<string> KeptFiles = new(StringComparer.Ordinal) { "etc/passwd", "etc/os-release", "usr/lib/os-release" };

    void OnEntry(LayerData l, LayerEntry e)
    {
        switch (e.Kind)
        {
            case LayerEntryKind.Whiteout: l.Whiteouts.Add(e.Path); return;
            case LayerEntryKind.OpaqueWhiteout: l.Opaques.Add(e.Path); return;
            case LayerEntryKind.Directory:
                if ((e.Mode & 0x2) != 0 && (e.Mode & 0x200) == 0 && _options.Config) l.WorldWritable.Add((e.Path, e.Mode, true));
                return;
        }
        if (e.Escapes)
        {
            l.Problems.Add($"{(e.Problem is { Length: > 0 } pr ? pr : $"the entry '{e.Path}' leaves the root")}: not scanned");
            return;
        }
        l.Paths.Add(e.Path);
        if (e.Kind != LayerEntryKind.RegularFile && e.Kind != LayerEntryKind.Hardlink) return;
        if (_options.Config)
        {
            if ((e.Mode & 0xC00) != 0) l.SpecialBits.Add((e.Path, e.Mode, e.Uid, e.Gid));
            if ((e.Mode & 0x2) != 0) l.WorldWritable.Add((e.Path, e.Mode, false));
        }
        if (e.Kind != LayerEntryKind.RegularFile || e.Size == 0) return;

        var path = e.Path;
        var pkgKind = _options.Packages ? PackageParsers.Classify(path) : null;
        var keep = KeptFiles.Contains(path) || (_options.Packages && path.EndsWith("/rpmdb.sqlite-wal", StringComparison.Ordinal) && Packages.RpmDatabase.IsDatabasePath(path[..^4]));
        var wantSecret = _options.Secrets && e.Size >= 10 && e.Size <= _options.MaxSecretFileSize && SecretRules.WantsFile(path);
        var maybeGo = _options.Packages && pkgKind == null && (e.Mode & 0x49) != 0 && e.Size >= 4096 && e.Size <= 256L * 1024 * 1024;
        if (_options.Secrets && e.Size > _options.MaxSecretFileSize && pkgKind == null && !keep && !maybeGo && SecretRules.WantsFile(path))
        {
            // Binaries are not scanned for secrets anyway; a text file over the cap is work skipped.
            var head = new byte[8000];
            var got = ReadUpTo(e.Content, head, head.Length);
            if (!SecretRules.LooksBinary(head.AsSpan(0, got)))
                l.Problems.Add($"/{path} ({e.Size} bytes) is over the secret scan size cap ({_options.MaxSecretFileSize} bytes): not scanned for secrets");
            return;
        }
        if (pkgKind == null && !keep && !wantSecret && !maybeGo) return;
        ReadContent(l, e, pkgKind, keep, wantSecret, maybeGo);
    }

    /// <summary>Reads a file's content once for what wants it: a Go or Rust binary's build info, a package database, a kept file, secrets.</summary>
    void ReadContent(LayerData l, LayerEntry e, string? pkgKind, bool keep, bool wantSecret, bool maybeGo)
    {
        var path = e.Path;
        var len = (int)Math.Min(e.Size, int.MaxValue - 64);
        var buf = ArrayPool<byte>.Shared.Rent(len);
        try
        {
            var n = ReadUpTo(e.Content, buf, maybeGo && pkgKind == null && !keep && !wantSecret ? 4 : len);
            var data = buf.AsSpan(0, n);
            if (maybeGo && n >= 4 && GoBuildInfo.IsElf(data))
            {
                if (n < len) n += ReadUpTo(e.Content, buf.AsSpan(n, len - n));
                var arr = buf.AsSpan(0, n).ToArray();
                var pk = GoBuildInfo.Parse(arr);
                if (pk.Count > 0) l.PackageFiles.Add((path, "go", pk));
                else if ((pk = Packages.CargoAuditable.Parse(arr)).Count > 0) l.PackageFiles.Add((path, "cargo", pk));
                return;
            }
            if (n < len && (pkgKind != null || keep || wantSecret)) n += ReadUpTo(e.Content, buf.AsSpan(n, len - n));
            data = buf.AsSpan(0, n);
            if (pkgKind != null) ReadPackages(l, path, pkgKind, data.ToArray());
            if (keep) l.Keep[path] = data.ToArray();
            if (wantSecret && !SecretRules.LooksBinary(data)) ScanSecrets(l, path, data);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
    }

    static void ReadPackages(LayerData l, string path, string pkgKind, byte[] bytes)
    {
        try
        {
            var pk = pkgKind == "java" ? Packages.JavaArchives.Parse(bytes, path) : PackageParsers.Parse(pkgKind, bytes);
            l.PackageFiles.Add((path, pkgKind, pk));
            if (pkgKind == "rpm" && path.EndsWith("/rpmdb.sqlite", StringComparison.Ordinal)) l.Keep[path] = bytes; // read again with its WAL
            if (pk.Count == 0 && pkgKind is "npm" or "dotnet" && !IsJson(bytes))
                l.Problems.Add($"/{path} is not valid JSON: its packages were not read");
        }
        catch (InvalidDataException ex)
        {
            l.PackageFiles.Add((path, pkgKind, new List<RawPackage>()));
            l.Problems.Add($"/{path}: the package database could not be read ({ex.Message}); its packages are missing from the inventory.");
        }
    }

    static void ScanSecrets(LayerData l, string path, ReadOnlySpan<byte> data)
    {
        var n = data.Length;
        var lower = ArrayPool<byte>.Shared.Rent(Math.Max(1, n));
        try
        {
            Ascii.ToLower(data, lower.AsSpan(0, n), out _);
            if (!SecretRules.AnyKeyword(lower.AsSpan(0, n), path)) return;
        }
        finally { ArrayPool<byte>.Shared.Return(lower); }
        var text = Encoding.Latin1.GetString(data);
        foreach (var m in SecretRules.Scan(text, path, rule => l.Problems.Add($"/{path}: secret rule {rule} timed out: the file was not fully checked")))
            l.Secrets.Add((path, m));
    }

    static bool IsJson(byte[] content)
    {
        try
        {
            using var _ = System.Text.Json.JsonDocument.Parse(content, new System.Text.Json.JsonDocumentOptions { AllowTrailingCommas = true });
            return true;
        }
        catch (System.Text.Json.JsonException) { return false; }
    }

    static int ReadUpTo(Stream s, Span<byte> buf) => ReadUpTo(s, buf, buf.Length);

    static int ReadUpTo(Stream s, Span<byte> buf, int count)
    {
        var total = 0;
        while (total < count)
        {
            var n = s.Read(buf.Slice(total, count - total));
            if (n <= 0) break;
            total += n;
        }
        return total;
    }

    static int ReadUpTo(Stream s, byte[] buf, int count) => ReadUpTo(s, buf.AsSpan(), count);

    public ILayerVisitor? BeginLayer(LayerBlob blob)
    {
        var l = new LayerData(this);
        _layers[blob.Key] = l;
        return l;
    }

    public void EndLayer(LayerBlob blob, LayerDigest digest)
    {
        _layersRead++;
        _sink.Progress(new DockOptProgress(71, "Scanning " + _image, $"{_layersRead} layer(s) read") { CurrentOperation = digest.DiffId.Length > 0 ? digest.DiffId : blob.Key });
    }

    public void EndImage(ImageContents image) => _contents = image;

    ImageScanResult Resolve()
    {
        _sink.Progress(new DockOptProgress(71, "Scanning " + _image, "done") { Completed = true });
        var img = _contents ?? throw new DockOptException(ErrorIds.ImageReadFailed, DockOptErrorCategory.InvalidData,
            $"The image '{_image}' could not be read completely (no manifest).", _image, "Check that the image exists and is complete.");
        var result = new ImageScanResult { Image = _image, ImageId = img.ConfigDigest ?? "", Architecture = img.Config.Architecture, Created = ImageCreated(img.ConfigJson) };
        var ordered = img.Layers.OrderBy(x => x.Index).Select(x => _layers.TryGetValue(x.Key, out var d) ? d : new LayerData(this)).ToList();
        result.DiffIds = img.Layers.OrderBy(x => x.Index).Select(x => x.DiffId).ToArray();
        var stack = new LayerStack(ordered);
        var n = ordered.Count;
        for (var i = 0; i < n; i++)
            foreach (var p in ordered[i].Problems) result.Problems.Add($"layer {i}: {p}");

        // Base layers
        var config = ImageConfigModel.Parse(img.ConfigJson);
        result.History = config.History;
        var (guessLayers, guessHistory) = BaseImageGuess.FromHistory(config.History, n);
        var baseCount = _options.BaseLayerCount >= 0 ? Math.Min(_options.BaseLayerCount, n) : guessLayers;
        var baseHistory = _options.BaseLayerCount >= 0 ? Math.Max(0, _options.BaseHistoryCount) : guessHistory;
        for (var i = 0; i < baseCount; i++) result.BaseLayers.Add(i);

        ReadOsRelease(result, stack.Final("etc/os-release") ?? stack.Final("usr/lib/os-release"));
        if (_options.Packages) ResolvePackages(result, ordered, stack.Visible, stack.Final);
        if (_options.Secrets) AddSecretFindings(result, ordered, stack);
        if (_options.Config) AddConfigFindings(result, ordered, stack, config, baseHistory);
        return result;
    }

    /// <summary>What a path looks like through the layers: visible in the final image, from which layer, with which kept content.</summary>
    sealed class LayerStack(List<LayerData> ordered)
    {
        /// <summary>Whether <paramref name="path"/> added in <paramref name="layer"/> is still in the final image (no later layer replaces or whites it out).</summary>
        public bool Visible(string path, int layer)
        {
            for (var j = layer + 1; j < ordered.Count; j++)
            {
                var l = ordered[j];
                if (l.Paths.Contains(path)) return false;
                if (l.Whiteouts.Count == 0 && l.Opaques.Count == 0) continue;
                if (l.Whiteouts.Contains(path)) return false;
                var p = path;
                while (true)
                {
                    var i = p.LastIndexOf('/');
                    var parent = i < 0 ? "" : p[..i];
                    if (l.Whiteouts.Contains(parent) && parent.Length > 0) return false;
                    if (l.Opaques.Contains(parent)) return false;
                    if (i < 0) break;
                    p = parent;
                }
            }
            return true;
        }

        int TopmostVisible(string path)
        {
            for (var i = ordered.Count - 1; i >= 0; i--)
                if (ordered[i].Paths.Contains(path)) return Visible(path, i) ? i : -1;
            return -1;
        }

        public byte[]? Final(string path) { var i = TopmostVisible(path); return i >= 0 ? ordered[i].Keep.GetValueOrDefault(path) : null; }

        public bool Exists(string path) => TopmostVisible(path) >= 0;
    }

    static void ReadOsRelease(ImageScanResult result, byte[]? osRelease)
    {
        if (osRelease == null) return;
        foreach (var line in Encoding.UTF8.GetString(osRelease).Split('\n'))
        {
            var eq = line.IndexOf('=');
            if (eq <= 0) continue;
            var k = line[..eq].Trim();
            var v = line[(eq + 1)..].Trim().Trim('"', '\'');
            if (k == "ID") result.OsId = v;
            else if (k == "VERSION_ID") result.OsVersionId = v;
            else if (k == "VERSION_CODENAME") result.OsCodename = v;
        }
    }

    void AddSecretFindings(ImageScanResult result, List<LayerData> ordered, LayerStack stack)
    {
        for (var i = 0; i < ordered.Count; i++)
            foreach (var (path, m) in ordered[i].Secrets)
                result.Findings.Add(new SecurityFinding
                {
                    Image = _image,
                    Kind = "Secret",
                    RuleId = m.Rule.Id,
                    Severity = m.Rule.Severity,
                    Title = m.Rule.Title + " in a file",
                    Location = "/" + path + ":" + m.Line,
                    Match = m.Redacted,
                    Status = stack.Visible(path, i) ? "PresentInFinalImage" : "RemovedButExtractable",
                    Layer = i,
                    LayerDiffId = result.DiffIds[i],
                    IsBaseLayer = result.BaseLayers.Contains(i),
                    Rationale = m.Rule.Rationale + " Files deleted in a later layer stay extractable from the layer that added them.",
                    Cis = "4.10",
                    Dockle = "CIS-DI-0010",
                });
    }

    void AddConfigFindings(ImageScanResult result, List<LayerData> ordered, LayerStack stack, ImageConfigModel config, int baseHistory)
    {
        var special = new List<(string, int, int, bool)>();
        var ww = new List<(string, int, int, bool)>();
        var seenSpecial = new HashSet<string>(StringComparer.Ordinal);
        for (var i = ordered.Count - 1; i >= 0; i--)
        {
            foreach (var s in ordered[i].SpecialBits)
                if (stack.Visible(s.Path, i) && seenSpecial.Add(s.Path)) special.Add((s.Path, s.Mode, i, result.BaseLayers.Contains(i)));
            foreach (var w in ordered[i].WorldWritable)
                if ((w.Dir || stack.Visible(w.Path, i)) && seenSpecial.Add("ww:" + w.Path)) ww.Add((w.Path, w.Mode, i, result.BaseLayers.Contains(i)));
        }
        var ctx = new ConfigCheckContext
        {
            Image = _image,
            Config = config,
            PasswdText = stack.Final("etc/passwd") is { } pw ? Encoding.UTF8.GetString(pw) : null,
            Exists = stack.Exists,
            SetuidFiles = special.OrderBy(s => s.Item1, StringComparer.Ordinal).ToList(),
            WorldWritable = ww.OrderBy(s => s.Item1, StringComparer.Ordinal).ToList(),
            BaseLayers = result.BaseLayers,
            BaseHistoryCount = baseHistory,
            DiffIds = result.DiffIds,
        };
        result.Findings.AddRange(ConfigChecks.Run(ctx));
    }

    static DateTime? ImageCreated(byte[] json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.TryGetProperty("created", out var c) && c.ValueKind == JsonValueKind.String && c.TryGetDateTime(out var dt) ? dt.ToUniversalTime() : null;
        }
        catch (JsonException) { return null; }
    }

    void ResolvePackages(ImageScanResult result, List<LayerData> ordered, Func<string, int, bool> visible, Func<string, byte[]?> final)
    {
        var n = ordered.Count;
        // Debian licences: usr/share/doc/PACKAGE/copyright of the final file system.
        var debLicenses = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = n - 1; i >= 0; i--)
            foreach (var (path, kind, found) in ordered[i].PackageFiles)
                if (kind == "dpkg-copyright" && visible(path, i) && found.Count == 1)
                    debLicenses.TryAdd(path.Split('/')[3], found[0].License);
        var distro = result.OsId.Length > 0 ? result.OsId.ToLowerInvariant() + (result.OsVersionId.Length > 0 ? "-" + result.OsVersionId : "") : null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = n - 1; i >= 0; i--)
        {
            foreach (var (path, kind, found) in ordered[i].PackageFiles)
            {
                if (kind == "dpkg-copyright" || !seen.Add(path) || !visible(path, i)) continue;
                var pkgs = found;
                if (ordered[i].Problems.FirstOrDefault(p => p.StartsWith("/" + path + ":", StringComparison.Ordinal)) is { } problem) result.Problems.Add(problem);
                if (kind == "rpm" && final(path + "-wal") is { Length: > 0 } wal && ordered[i].Keep.TryGetValue(path, out var db))
                {
                    try { pkgs = PackageParsers.ParseRpm(db, wal); }
                    catch (InvalidDataException ex) { result.Problems.Add($"/{path}-wal: the write-ahead log could not be applied ({ex.Message})."); }
                }
                foreach (var raw in pkgs)
                {
                    // Attribution: the lowest layer, walking down through the same file, that already had this version.
                    var layer = i;
                    if (kind is "dpkg" or "apk" or "rpm")
                    {
                        for (var j = i - 1; j >= 0; j--)
                        {
                            var same = ordered[j].PackageFiles.FirstOrDefault(f => f.Path == path);
                            if (same.Path == null) continue;
                            if (same.Packages.Any(p => p.Name == raw.Name && p.Architecture == raw.Architecture && p.Version == raw.Version)) layer = j;
                            else break;
                        }
                    }
                    var info = ToPackage(raw, path, layer, result, distro);
                    if (raw.Type == "deb" && info.License.Length == 0 && debLicenses.TryGetValue(raw.Name, out var dl)) info.License = dl;
                    result.Packages.Add(info);
                }
            }
        }
        result.Packages.Sort((a, b) =>
        {
            var c = string.CompareOrdinal(a.Type, b.Type);
            if (c == 0) c = string.CompareOrdinal(a.Name, b.Name);
            if (c == 0) c = string.CompareOrdinal(a.Version, b.Version);
            return c != 0 ? c : string.CompareOrdinal(a.Path, b.Path);
        });
    }

    PackageInfo ToPackage(RawPackage raw, string path, int layer, ImageScanResult r, string? distro)
    {
        string purl, eco;
        switch (raw.Type)
        {
            case "deb":
                var vendor = r.OsId is "ubuntu" ? "ubuntu" : "debian";
                var major = r.OsVersionId.Split('.')[0];
                purl = PackageUrl.Build("deb", vendor, raw.Name, raw.Version, new Dictionary<string, string?>
                {
                    ["arch"] = raw.Architecture, ["distro"] = distro,
                    ["upstream"] = raw.SourceName.Length > 0 && raw.SourceName != raw.Name ? raw.SourceName : null,
                });
                eco = (vendor == "ubuntu" ? "Ubuntu:" + r.OsVersionId : "Debian" + (major.Length > 0 ? ":" + major : ""));
                break;
            case "apk":
                purl = PackageUrl.Build("apk", r.OsId.Length > 0 ? r.OsId : "alpine", raw.Name, raw.Version,
                    new Dictionary<string, string?> { ["arch"] = raw.Architecture, ["distro"] = r.OsVersionId.Length > 0 ? r.OsVersionId : null });
                var mm = string.Join('.', r.OsVersionId.Split('.').Take(2));
                eco = "Alpine" + (mm.Length > 0 ? ":v" + mm : "");
                break;
            case "rpm":
                purl = PackageUrl.Rpm(r.OsId, raw.Name, raw.UpstreamVersion + "-" + raw.Release, raw.Architecture, raw.Epoch, distro);
                eco = PackageUrl.RpmEcosystem(r.OsId, r.OsVersionId);
                break;
            case "maven":
                var colon = raw.Name.IndexOf(':');
                purl = PackageUrl.Build("maven", raw.Namespace.Length > 0 ? raw.Namespace : null, colon >= 0 ? raw.Name[(colon + 1)..] : raw.Name, raw.Version);
                eco = colon >= 0 ? "Maven" : ""; // without a group id the name is a guess: not matched
                break;
            case "gem": purl = PackageUrl.Build("gem", null, raw.Name, raw.Version); eco = "RubyGems"; break;
            case "composer":
                purl = PackageUrl.Build("composer", raw.Namespace.Length > 0 ? raw.Namespace : null, raw.Namespace.Length > 0 ? raw.Name[(raw.Namespace.Length + 1)..] : raw.Name, raw.Version);
                eco = "Packagist";
                break;
            case "cargo": purl = PackageUrl.Build("cargo", null, raw.Name, raw.Version); eco = raw.InnerPath is "crates.io" or "registry" ? "crates.io" : ""; break;
            case "pypi": purl = PackageUrl.Build("pypi", null, raw.Name, raw.Version); eco = "PyPI"; break;
            case "npm": purl = PackageUrl.Build("npm", null, raw.Name, raw.Version); eco = "npm"; break;
            case "nuget": purl = PackageUrl.Build("nuget", null, raw.Name, raw.Version); eco = "NuGet"; break;
            case "golang": purl = PackageUrl.Build("golang", null, raw.Name, raw.Version); eco = "Go"; break;
            default: purl = PackageUrl.Build("generic", null, raw.Name, raw.Version); eco = ""; break;
        }
        return new PackageInfo
        {
            Image = _image,
            Name = raw.Name,
            Version = raw.Version,
            Type = raw.Type,
            Purl = purl,
            Layer = layer,
            LayerDiffId = layer < r.DiffIds.Length ? r.DiffIds[layer] : "",
            IsBaseLayer = r.BaseLayers.Contains(layer),
            Path = raw.Type == "maven" && raw.InnerPath.Length > 0 ? path + "!/" + raw.InnerPath : path,
            SourceName = raw.SourceName != raw.Name ? raw.SourceName : "",
            SourceVersion = raw.SourceName != raw.Name ? raw.SourceVersion : "",
            Architecture = raw.Architecture,
            Ecosystem = eco,
            License = raw.License,
            Vendor = raw.Vendor,
        };
    }
}

/// <summary>The parts of the image config JSON the checks use (values included: the checks redact).</summary>
public sealed class ImageConfigModel
{
    public string User { get; init; } = "";
    public List<KeyValuePair<string, string>> Env { get; init; } = new();
    public Dictionary<string, string> Labels { get; init; } = new(StringComparer.Ordinal);
    public bool HasHealthcheck { get; init; }
    public List<(string CreatedBy, bool EmptyLayer)> History { get; init; } = new();

    public static ImageConfigModel Parse(byte[] json)
    {
        if (json.Length == 0) return new ImageConfigModel();
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var cfg = root.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
        string S(JsonElement e, string p) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(p, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
        var env = new List<KeyValuePair<string, string>>();
        if (cfg.ValueKind == JsonValueKind.Object && cfg.TryGetProperty("Env", out var ev) && ev.ValueKind == JsonValueKind.Array)
            foreach (var x in ev.EnumerateArray())
            {
                var s = x.GetString() ?? "";
                var i = s.IndexOf('=');
                env.Add(i < 0 ? new(s, "") : new(s[..i], s[(i + 1)..]));
            }
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (cfg.ValueKind == JsonValueKind.Object && cfg.TryGetProperty("Labels", out var lb) && lb.ValueKind == JsonValueKind.Object)
            foreach (var p in lb.EnumerateObject()) labels[p.Name] = p.Value.GetString() ?? "";
        var hc = false;
        if (cfg.ValueKind == JsonValueKind.Object && cfg.TryGetProperty("Healthcheck", out var h) && h.ValueKind == JsonValueKind.Object &&
            h.TryGetProperty("Test", out var t) && t.ValueKind == JsonValueKind.Array && t.GetArrayLength() > 0)
            hc = t[0].GetString() != "NONE";
        var hist = new List<(string, bool)>();
        if (root.TryGetProperty("history", out var hs) && hs.ValueKind == JsonValueKind.Array)
            foreach (var x in hs.EnumerateArray())
                hist.Add((S(x, "created_by"), x.TryGetProperty("empty_layer", out var el) && el.ValueKind == JsonValueKind.True));
        return new ImageConfigModel { User = S(cfg, "User"), Env = env, Labels = labels, HasHealthcheck = hc, History = hist };
    }
}

/// <summary>Trivy's base-image guess: after the trailing metadata-only entries, the last earlier empty-layer CMD ends the base image.</summary>
public static class BaseImageGuess
{
    /// <summary>(base layers, base history entries); (0, 0) when no base image is recognisable.</summary>
    public static (int Layers, int History) FromHistory(List<(string CreatedBy, bool EmptyLayer)> history, int layerCount)
    {
        var i = history.Count - 1;
        while (i >= 0 && history[i].EmptyLayer) i--; // trailing CMD/ENTRYPOINT/… of this image
        for (; i >= 0; i--)
        {
            var (cb, empty) = history[i];
            if (empty && (cb.Contains("#(nop)  CMD", StringComparison.Ordinal) || cb.StartsWith("CMD ", StringComparison.Ordinal)))
            {
                var layers = history.Take(i).Count(h => !h.EmptyLayer);
                return (Math.Min(layers, layerCount), i + 1);
            }
        }
        return (0, 0);
    }
}
