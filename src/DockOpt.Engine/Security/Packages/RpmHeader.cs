using System.Buffers.Binary;
using System.Text;

namespace DockOpt.Engine.Security.Packages;

/// <summary>One installed rpm package, as read from a header blob of the rpm database.</summary>
public sealed record RpmPackage(string Name, int? Epoch, string Version, string Release, string Arch, string SourceRpm, string License, string Vendor)
{
    /// <summary>[epoch:]version-release, the form rpm compares and OSV's rpm ecosystems list.</summary>
    public string Evr => (Epoch is { } e ? e + ":" : "") + Version + "-" + Release;

    /// <summary>Source package name and version-release from the source rpm file name ("util-linux-2.32.1-42.el8_8.src.rpm").</summary>
    public (string Name, string VersionRelease) Source
    {
        get
        {
            var s = SourceRpm;
            foreach (var suffix in new[] { ".src.rpm", ".nosrc.rpm" })
                if (s.EndsWith(suffix, StringComparison.Ordinal)) { s = s[..^suffix.Length]; break; }
            var r = s.LastIndexOf('-');
            if (r <= 0) return ("", "");
            var v = s.LastIndexOf('-', r - 1);
            return v <= 0 ? ("", "") : (s[..v], s[(v + 1)..]);
        }
    }
}

/// <summary>
/// Reads an rpm header blob as the databases store it (no lead, no magic): index count and data length (big-endian
/// int32 each), the index entries (tag, type, offset, count), then the data store.
/// </summary>
public static class RpmHeader
{
    const int TagName = 1000, TagVersion = 1001, TagRelease = 1002, TagEpoch = 1003, TagVendor = 1011, TagLicense = 1014, TagArch = 1022, TagSourceRpm = 1044;
    const int TypeInt32 = 4, TypeString = 6, TypeStringArray = 8, TypeI18nString = 9;

    /// <summary>The package, or null when the blob is not a package header (too short, inconsistent, or no name).</summary>
    public static RpmPackage? Parse(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 8) return null;
        var il = BinaryPrimitives.ReadInt32BigEndian(blob);
        var dl = BinaryPrimitives.ReadInt32BigEndian(blob[4..]);
        if (il <= 0 || dl < 0 || il > 0x10000 || (long)8 + (long)il * 16 + dl > blob.Length) return null;
        var index = blob.Slice(8, il * 16);
        var data = blob.Slice(8 + il * 16, dl);
        string? name = null, version = null, release = null, arch = null, src = null, license = null, vendor = null;
        int? epoch = null;
        for (var i = 0; i < il; i++)
        {
            var e = index.Slice(i * 16, 16);
            var tag = BinaryPrimitives.ReadInt32BigEndian(e);
            var type = BinaryPrimitives.ReadInt32BigEndian(e[4..]);
            var off = BinaryPrimitives.ReadInt32BigEndian(e[8..]);
            var count = BinaryPrimitives.ReadInt32BigEndian(e[12..]);
            if (off < 0 || off >= data.Length || count <= 0) continue;
            switch (tag)
            {
                case TagEpoch:
                    if (type == TypeInt32 && off + 4 <= data.Length) epoch = BinaryPrimitives.ReadInt32BigEndian(data[off..]);
                    break;
                case TagName or TagVersion or TagRelease or TagVendor or TagLicense or TagArch or TagSourceRpm:
                    if (type is not (TypeString or TypeI18nString or TypeStringArray)) break;
                    var s = ReadString(data, off);
                    switch (tag)
                    {
                        case TagName: name = s; break;
                        case TagVersion: version = s; break;
                        case TagRelease: release = s; break;
                        case TagVendor: vendor = s; break;
                        case TagLicense: license = s; break;
                        case TagArch: arch = s; break;
                        case TagSourceRpm: src = s; break;
                    }
                    break;
            }
        }
        if (string.IsNullOrEmpty(name) || version == null) return null;
        return new RpmPackage(name, epoch, version, release ?? "", arch ?? "", src ?? "", license ?? "", vendor ?? "");
    }

    static string ReadString(ReadOnlySpan<byte> data, int off)
    {
        var rest = data[off..];
        var end = rest.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? rest : rest[..end]);
    }
}
