using System.Runtime.InteropServices;
using System.Text;

namespace DockOpt.Engine.Dockerfiles;

/// <summary>
/// Reading and rewriting user files safely: the file type is checked before any open (a FIFO blocks open(2) until a
/// writer comes), and a rewrite keeps the bytes, encoding, BOM, line endings, mode, owner and group, and goes through
/// symbolic links to their target.
/// </summary>
public static class SourceFile
{
    public enum Kind { Missing, Regular, Directory, Fifo, Socket, CharacterDevice, BlockDevice, Other }

    // .NET's own native shim: SystemNative_Stat fills a FileStatus whose first fields are Flags, Mode, Uid, Gid (int32
    // each) on every Unix; Mode carries the S_IFMT bits in their portable values. Follows symbolic links.
    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", CharSet = CharSet.Ansi, SetLastError = true)]
    static extern int SystemNativeStat(string path, byte[] status);

    [DllImport("libc", EntryPoint = "chown", SetLastError = true)]
    static extern int Chown(string path, uint uid, uint gid);

    /// <summary>(mode, uid, gid) of the file a path names (symbolic links followed), or null when it cannot be stat'ed.</summary>
    public static (int Mode, uint Uid, uint Gid)? Stat(string path)
    {
        if (OperatingSystem.IsWindows()) return null;
        var buf = new byte[512];
        try
        {
            if (SystemNativeStat(path, buf) != 0) return null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return null; }
        return (BitConverter.ToInt32(buf, 4), BitConverter.ToUInt32(buf, 8), BitConverter.ToUInt32(buf, 12));
    }

    /// <summary>What a path is, after following symbolic links.</summary>
    public static Kind KindOf(string path)
    {
        if (Stat(path) is not { } st)
            return Directory.Exists(path) ? Kind.Directory : File.Exists(path) ? Kind.Regular : Kind.Missing;
        return (st.Mode & 0xF000) switch
        {
            0x8000 => Kind.Regular,
            0x4000 => Kind.Directory,
            0x1000 => Kind.Fifo,
            0xC000 => Kind.Socket,
            0x2000 => Kind.CharacterDevice,
            0x6000 => Kind.BlockDevice,
            _ => Kind.Other,
        };
    }

    static string Describe(Kind k) => k switch
    {
        Kind.Fifo => "a FIFO (named pipe)",
        Kind.Socket => "a socket",
        Kind.CharacterDevice => "a character device",
        Kind.BlockDevice => "a block device",
        Kind.Directory => "a directory",
        _ => "not a regular file",
    };

    /// <summary>Throws <see cref="ErrorIds.FileNotRegular"/> unless the path is a regular file or a symbolic link to one (a missing path passes: the caller's read reports it).</summary>
    public static void EnsureRegular(string path, string what)
    {
        var k = KindOf(path);
        if (k is Kind.Regular or Kind.Missing) return;
        throw new DockOptException(ErrorIds.FileNotRegular, DockOptErrorCategory.InvalidArgument,
            $"The {what} '{path}' is {Describe(k)}, not a regular file; DockOpt does not read it (reading could block forever).", path,
            "Give a regular file (or a symbolic link to one): a FIFO, socket or device would block or never end when read.");
    }

    /// <summary>The file's bytes, after checking it is a regular file.</summary>
    public static byte[] ReadBytes(string path, string what)
    {
        EnsureRegular(path, what);
        return File.ReadAllBytes(path);
    }

    /// <summary>The file's text (UTF-8 unless a BOM says otherwise), after checking it is a regular file.</summary>
    public static string ReadAllText(string path, string what)
    {
        EnsureRegular(path, what);
        return File.ReadAllText(path);
    }

    /// <summary>The file's lines, after checking it is a regular file.</summary>
    public static string[] ReadAllLines(string path, string what)
    {
        EnsureRegular(path, what);
        return File.ReadAllLines(path);
    }

    /// <summary>A read stream on the file, after checking it is a regular file (a FIFO would block the open).</summary>
    public static FileStream OpenRead(string path, string what)
    {
        EnsureRegular(path, what);
        return File.OpenRead(path);
    }

    static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Text of UTF-8 bytes (a BOM stays in the text as U+FEFF), or null when the bytes are not valid UTF-8.</summary>
    public static string? DecodeUtf8Exactly(byte[] bytes)
    {
        try { return Strict.GetString(bytes); }
        catch (DecoderFallbackException) { return null; }
    }

    /// <summary>
    /// Replaces a file's content with <paramref name="text"/> (UTF-8, no BOM added: a BOM the text starts with is
    /// kept) through a temporary file in the target's folder and a rename, after giving the temporary file the
    /// target's mode, owner and group. A symbolic link is followed: its final target is rewritten and the link stays.
    /// </summary>
    public static void Rewrite(string path, string text)
    {
        var target = File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
        var st = Stat(target);
        var bytes = Strict.GetBytes(text);
        try
        {
            DockOpt.Engine.IO.AtomicFile.Write(target, stream => stream.Write(bytes, 0, bytes.Length), tmp =>
            {
                if (st is not { } s || OperatingSystem.IsWindows()) return;
                File.SetUnixFileMode(tmp, (UnixFileMode)(s.Mode & 0xFFF));
                var mine = Stat(tmp);
                if (mine is { } m && (m.Uid != s.Uid || m.Gid != s.Gid) && Chown(tmp, s.Uid, s.Gid) != 0)
                    throw new DockOptException(ErrorIds.DockerfileFixOwnerNotPreserved, DockOptErrorCategory.PermissionDenied,
                        $"Cannot give the fixed '{target}' its owner and group back ({s.Uid}:{s.Gid}, errno {Marshal.GetLastPInvokeError()}); the file was left unchanged.", target,
                        "Run as a user who may give the file its owner and group back (its owner or root), or apply the fixes by hand.");
            });
        }
        catch (DockOptException e) when (e.ErrorId is ErrorIds.ReportWriteFailed or ErrorIds.ReportFolderNotFound)
        {
            throw new DockOptException(ErrorIds.DockerfileWriteFailed, DockOptErrorCategory.WriteError,
                $"Cannot write the fixes to '{target}': {e.Message}", target, "Check that the file and its folder are writable.", e);
        }
    }
}

/// <summary>
/// Text from outside DockOpt (engine and registry error bodies, scanner stderr, container output and logs, build
/// errors) made fit for an error record or a result's detail: control characters escaped, length and line count capped,
/// what is left out summarised as "… (N more bytes, M more lines left out)". Every place that quotes external output
/// goes through here, so a hostile or runaway peer cannot blow up a message.
/// </summary>
public static class MessageText
{
    public const int DefaultMax = 1000;
    public const int DefaultMaxLines = 40;

    /// <summary>The start of <paramref name="message"/>: at most <paramref name="max"/> characters and <paramref name="maxLines"/> lines.</summary>
    public static string Summarise(string? message, int max = DefaultMax, int maxLines = DefaultMaxLines)
    {
        if (string.IsNullOrEmpty(message)) return message ?? "";
        var sb = new StringBuilder(Math.Min(message.Length, max) + 100);
        var lines = 1;
        var k = 0;
        for (; k < message.Length && sb.Length < max; k++)
        {
            if (message[k] == '\n' && ++lines > maxLines) break;
            Append(sb, message[k]);
        }
        if (k < message.Length)
        {
            var rest = message.AsSpan(k);
            var more = rest.Count('\n') + (rest[0] == '\n' ? 0 : 1) - (rest[^1] == '\n' ? 1 : 0);
            sb.Append(Marker(rest, more, "more"));
        }
        return sb.ToString();
    }

    /// <summary>The end of <paramref name="message"/> (a log's last words matter most), capped as <see cref="Summarise"/> caps the start.</summary>
    public static string SummariseTail(string? message, int max = DefaultMax, int maxLines = DefaultMaxLines)
    {
        if (string.IsNullOrEmpty(message)) return message ?? "";
        var start = message.Length;
        var lines = 1;
        while (start > 0 && message.Length - start < max)
        {
            if (message[start - 1] == '\n' && ++lines > maxLines) break;
            start--;
        }
        var sb = new StringBuilder(Math.Min(message.Length, max) + 100);
        if (start > 0)
        {
            var cut = message.AsSpan(0, start);
            var earlier = cut.Count('\n') + (cut[^1] == '\n' ? 0 : 1);
            sb.Append(Marker(cut, earlier, "earlier").TrimStart()).Append('\n');
            if (message[start] == '\n') start++;
        }
        for (var k = start; k < message.Length; k++) Append(sb, message[k]);
        return sb.ToString();
    }

    static void Append(StringBuilder sb, char c)
    {
        if (c == '\n' || c == '\t' || (!char.IsControl(c) && c != '\uFFFD')) sb.Append(c);
        else if (c == '\r') return;
        else sb.Append("\\x").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
    }

    static string Marker(ReadOnlySpan<char> part, int lines, string word)
    {
        var bytes = Encoding.UTF8.GetByteCount(part);
        return $" … ({bytes:N0} {word} bytes{(lines > 1 ? $", {lines:N0} {word} lines" : "")} left out)";
    }
}
