namespace DockOpt.Engine.Dockerfiles.Rules;

/// <summary>Windows container paths (<c>C:\app</c>, <c>c:/app</c>).</summary>
internal static class WindowsPaths
{
    /// <summary>A drive letter, a colon and a separator.</summary>
    public static bool IsDriveAbsolute(string path) =>
        path.Length >= 3 && char.IsAsciiLetter(path[0]) && path[1] == ':' && path[2] is '\\' or '/';
}
