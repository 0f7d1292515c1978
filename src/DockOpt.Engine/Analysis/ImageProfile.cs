using System.Text.RegularExpressions;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis;

/// <summary>What Measure-DockOptImage judges an image as: a base other images build on, or an application that runs.</summary>
public enum ImageProfile
{
    /// <summary>Decided from the config by <see cref="ImageProfiles.Decide"/>.</summary>
    Auto,

    /// <summary>A base image: runs as root and has nothing to health-check by design (debian, python:3.11-slim).</summary>
    Base,

    /// <summary>An image that runs a service or a program.</summary>
    Application,
}

/// <summary>
/// The Auto rule (documented in about_DockOpt_Analysis, PROFILE): an image is a Base when its start command is no more than a
/// shell or a language interpreter with no arguments (CMD ["bash"], CMD ["python3"], CMD ["/bin/sh"], or nothing at all),
/// with no ENTRYPOINT beyond such an interpreter; anything else it starts (a script, a server, arguments) makes it an
/// Application. It reads only the config, so it is the same for an image in the engine and in an archive.
/// </summary>
public static class ImageProfiles
{
    /// <summary>Shells and interpreters a base image's CMD names (compared with the program's file name).</summary>
    static readonly Regex Interpreter = new(
        @"^(sh|bash|ash|dash|zsh|ksh|mksh|busybox|python[0-9.]*|pypy[0-9.]*|node|nodejs|ruby|irb|perl|php|jshell|lua[0-9.]*|pwsh|erl|iex|ghci|julia|R|tclsh|gosh)$",
        RegexOptions.CultureInvariant);

    /// <summary>Whether an argv is empty or a single shell/interpreter with no arguments.</summary>
    public static bool IsInterpreterOnly(IReadOnlyList<string> argv) =>
        argv.Count == 0 || (argv.Count == 1 && Interpreter.IsMatch(argv[0].Split('/').Last()));

    /// <summary>The profile to apply and why (<paramref name="requested"/> wins unless it is Auto).</summary>
    public static (ImageProfile Profile, string Reason) Decide(ImageConfigSummary config, ImageProfile requested)
    {
        if (requested != ImageProfile.Auto) return (requested, $"-Profile {requested}");
        var cmd = Describe(config.Cmd);
        var entrypoint = Describe(config.Entrypoint);
        if (config.Entrypoint.Length > 0 && (config.Cmd.Length > 0 || !IsInterpreterOnly(config.Entrypoint)))
            return (ImageProfile.Application, $"ENTRYPOINT {entrypoint}{(config.Cmd.Length > 0 ? " with CMD " + cmd : "")} starts a program");
        if (config.Entrypoint.Length > 0)
            return (ImageProfile.Base, $"ENTRYPOINT {entrypoint} is only a shell or interpreter, with no CMD");
        if (!IsInterpreterOnly(config.Cmd))
            return (ImageProfile.Application, $"CMD {cmd} starts a program");
        return (ImageProfile.Base, config.Cmd.Length == 0 ? "no CMD or ENTRYPOINT" : $"CMD {cmd} is only a shell or interpreter, with no ENTRYPOINT");
    }

    static string Describe(string[] argv) => "[" + string.Join(", ", argv.Select(a => "\"" + a + "\"")) + "]";
}
