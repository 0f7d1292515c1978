using System.Runtime.InteropServices;

namespace DockOpt.Engine.Registry;

/// <summary>
/// A platform as an image index names it (<c>os/arch[/variant]</c>), with the matching rules containerd applies:
/// <c>arm64</c> without a variant is <c>arm64/v8</c>, <c>arm</c> without one is <c>arm/v7</c>, <c>amd64</c> is <c>amd64/v1</c>;
/// <c>aarch64</c> and <c>x86_64</c> are spelled <c>arm64</c> and <c>amd64</c>.
/// </summary>
public sealed record RegistryPlatform(string Os, string Architecture, string? Variant)
{
    /// <summary>Parses <c>os/arch[/variant]</c>; InvalidPlatform otherwise.</summary>
    public static RegistryPlatform Parse(string text)
    {
        var parts = (text ?? "").Trim().ToLowerInvariant().Split('/');
        if (parts.Length is < 2 or > 3 || parts.Any(p => p.Length == 0 || !p.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')))
            throw new DockOptException(ErrorIds.InvalidPlatform, DockOptErrorCategory.InvalidArgument,
                $"'{text}' is not a platform: give os/arch[/variant].", text, "For example linux/amd64, linux/arm64 or linux/arm/v7.");
        return Normalize(parts[0], parts[1], parts.Length == 3 ? parts[2] : null);
    }

    /// <summary>The platform of this process's host (linux/amd64 on these machines).</summary>
    public static RegistryPlatform Host => Normalize(
        OperatingSystem.IsWindows() ? "windows" : "linux",
        RuntimeInformation.OSArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
            System.Runtime.InteropServices.Architecture.Arm => "arm",
            System.Runtime.InteropServices.Architecture.X86 => "386",
            System.Runtime.InteropServices.Architecture.S390x => "s390x",
            System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
            _ => "amd64",
        }, null);

    /// <summary>The platform given, or the host's when null.</summary>
    public static RegistryPlatform ParseOrHost(string? text) => string.IsNullOrWhiteSpace(text) ? Host : Parse(text);

    /// <summary>containerd's normalisation (the one implementation, <see cref="Images.ImagePlatformMatch"/>) with the default variants spelled out.</summary>
    public static RegistryPlatform Normalize(string os, string arch, string? variant)
    {
        var m = Images.ImagePlatformMatch.Normalize(os, arch, variant);
        var v = m.Variant.Length > 0 ? m.Variant : m.Architecture switch { "arm64" => "v8", "amd64" => "v1", _ => null };
        return new RegistryPlatform(m.Os, m.Architecture, v);
    }

    /// <summary>True when an index entry with this platform serves <paramref name="wanted"/>.</summary>
    public bool Matches(RegistryPlatform wanted) =>
        Os == wanted.Os && Architecture == wanted.Architecture && Variant == wanted.Variant;

    public override string ToString() => Variant == null || (Architecture == "amd64" && Variant == "v1") || (Architecture == "arm64" && Variant == "v8")
        ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";
}
