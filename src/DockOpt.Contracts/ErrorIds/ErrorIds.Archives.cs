namespace DockOpt;

public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Pick one of the platforms the image offers with -Platform os/arch[/variant].")] public const string PlatformNotFound = nameof(PlatformNotFound);
}
