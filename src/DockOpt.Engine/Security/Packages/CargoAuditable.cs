using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace DockOpt.Engine.Security.Packages;

/// <summary>
/// Rust binaries built with cargo-auditable: the ELF section ".dep-v0" holds zlib-compressed JSON
/// <c>{"packages":[{"name","version","source","kind","dependencies":[…],"root":bool}]}</c>. Build-only dependencies
/// (kind "build") are left out, as they are not in the binary.
/// </summary>
public static class CargoAuditable
{
    /// <summary>The contents of the named section of a 32- or 64-bit little- or big-endian ELF file, or null.</summary>
    public static byte[]? ElfSection(byte[] elf, string name)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F') return null;
        var is64 = elf[4] == 2;
        var le = elf[5] == 1;
        ulong U(int at, int size)
        {
            var s = elf.AsSpan(at);
            return size == 8 ? (le ? BinaryPrimitives.ReadUInt64LittleEndian(s) : BinaryPrimitives.ReadUInt64BigEndian(s))
                : size == 4 ? (le ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s))
                : (le ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s));
        }
        var shoff = (long)U(is64 ? 0x28 : 0x20, is64 ? 8 : 4);
        var shentsize = (int)U(is64 ? 0x3A : 0x2E, 2);
        var shnum = (int)U(is64 ? 0x3C : 0x30, 2);
        var shstrndx = (int)U(is64 ? 0x3E : 0x32, 2);
        if (shoff <= 0 || shnum == 0 || shstrndx >= shnum || shoff + (long)shnum * shentsize > elf.Length || shentsize < (is64 ? 64 : 40)) return null;
        (long Off, long Size, int Name) Section(int i)
        {
            var b = (int)(shoff + (long)i * shentsize);
            return is64 ? ((long)U(b + 0x18, 8), (long)U(b + 0x20, 8), (int)U(b, 4)) : ((long)U(b + 0x10, 4), (long)U(b + 0x14, 4), (int)U(b, 4));
        }
        var strtab = Section(shstrndx);
        if (strtab.Off + strtab.Size > elf.Length) return null;
        var want = Encoding.ASCII.GetBytes(name);
        for (var i = 0; i < shnum; i++)
        {
            var sec = Section(i);
            var nameAt = strtab.Off + sec.Name;
            if (nameAt + want.Length + 1 > elf.Length) continue;
            if (!elf.AsSpan((int)nameAt, want.Length).SequenceEqual(want) || elf[(int)nameAt + want.Length] != 0) continue;
            if (sec.Off + sec.Size > elf.Length || sec.Size > 64 * 1024 * 1024) return null;
            return elf.AsSpan((int)sec.Off, (int)sec.Size).ToArray();
        }
        return null;
    }

    /// <summary>The crates recorded in the binary (empty when it has no .dep-v0 section or it cannot be read).</summary>
    public static List<RawPackage> Parse(byte[] elf)
    {
        var list = new List<RawPackage>();
        var section = ElfSection(elf, ".dep-v0");
        if (section == null) return list;
        try
        {
            using var z = new ZLibStream(new MemoryStream(section), CompressionMode.Decompress);
            var ms = new MemoryStream();
            z.CopyTo(ms);
            using var doc = JsonDocument.Parse(ms.ToArray());
            if (!doc.RootElement.TryGetProperty("packages", out var pkgs) || pkgs.ValueKind != JsonValueKind.Array) return list;
            foreach (var p in pkgs.EnumerateArray())
            {
                string S(string k) => p.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
                if (S("kind") == "build") continue;
                var name = S("name");
                var version = S("version");
                if (name.Length == 0 || version.Length == 0) continue;
                list.Add(new RawPackage("cargo", name, version) { InnerPath = S("source") });
            }
        }
        catch (Exception e) when (e is InvalidDataException or JsonException) { }
        return list;
    }
}
