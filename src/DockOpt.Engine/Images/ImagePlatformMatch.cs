using System.Runtime.InteropServices;

namespace DockOpt.Engine.Images;

/// <summary>
/// A platform <c>os/arch[/variant]</c> normalised as containerd's platforms package does (<c>x86_64</c> → <c>amd64</c>,
/// <c>aarch64</c> → <c>arm64</c>, arm64 <c>v8</c> is the default variant, <c>arm</c> defaults to <c>v7</c>), so that
/// <c>linux/arm64</c> and <c>linux/arm64/v8</c> match each other.
/// </summary>
internal readonly record struct ImagePlatformMatch(string Os, string Architecture, string Variant)
{
    /// <summary>The host's platform: linux (images are Linux images) and the process architecture.</summary>
    public static ImagePlatformMatch Host => Normalize("linux", RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        var a => a.ToString().ToLowerInvariant(),
    }, "");

    /// <summary>Parses <c>os/arch[/variant]</c>; null when the text is not of that shape.</summary>
    public static ImagePlatformMatch? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var parts = text.Trim().Split('/');
        if (parts.Length is < 2 or > 3 || parts.Any(p => p.Length == 0)) return null;
        return Normalize(parts[0], parts[1], parts.Length == 3 ? parts[2] : "");
    }

    /// <summary>containerd's normalisation of os, architecture and variant.</summary>
    public static ImagePlatformMatch Normalize(string? os, string? arch, string? variant)
    {
        os = (os ?? "").ToLowerInvariant();
        if (os == "macos") os = "darwin";
        arch = (arch ?? "").ToLowerInvariant();
        variant = (variant ?? "").ToLowerInvariant();
        switch (arch)
        {
            case "i386":
                arch = "386";
                variant = "";
                break;
            case "x86_64":
            case "x86-64":
            case "amd64":
                arch = "amd64";
                if (variant == "v1") variant = "";
                break;
            case "aarch64":
            case "arm64":
                arch = "arm64";
                if (variant is "8" or "v8" or "v8.0") variant = "";
                else if (variant is "9" or "9.0" or "v9.0") variant = "v9";
                break;
            case "armhf":
                arch = "arm";
                variant = "v7";
                break;
            case "armel":
                arch = "arm";
                variant = "v6";
                break;
            case "arm":
                if (variant is "" or "7") variant = "v7";
                else if (variant is "5" or "6" or "8") variant = "v" + variant;
                break;
        }
        return new ImagePlatformMatch(os, arch, variant);
    }

    /// <summary>Same os and architecture, and the same variant after normalisation.</summary>
    public bool Matches(ImagePlatformMatch other) =>
        Os == other.Os && Architecture == other.Architecture && Variant == other.Variant;

    /// <summary>Same os and architecture, whatever the variant (the fallback when no variant was asked for).</summary>
    public bool MatchesIgnoringVariant(ImagePlatformMatch other) => Os == other.Os && Architecture == other.Architecture;

    /// <summary><c>os/arch[/variant]</c>; arm64's default variant is shown as v8 as the registries list it.</summary>
    public override string ToString() =>
        Variant.Length > 0 ? $"{Os}/{Architecture}/{Variant}" : Architecture == "arm64" ? $"{Os}/arm64/v8" : $"{Os}/{Architecture}";
}
