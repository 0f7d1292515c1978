using System.Runtime.InteropServices;

namespace DockOpt.Engine.Building;

/// <summary>File types as the packer needs them.</summary>
public enum FileKind { Regular, Directory, Symlink, CharDevice, BlockDevice, Fifo, Socket }

/// <summary>lstat of one path: type, permission bits (with setuid/setgid/sticky), size, mtime, inode identity.</summary>
public readonly record struct FileStat(FileKind Kind, int Mode, long Size, long MtimeSeconds, ulong Inode, uint Links,
    uint DevMajor, uint DevMinor)
{
    /// <summary>Nanoseconds within <see cref="MtimeSeconds"/> (BuildKit's file sync compares mtimes in nanoseconds).</summary>
    public long MtimeNanoseconds { get; init; }

    /// <summary>lstat via statx(2) on Linux (one syscall, no managed allocations); portable fallback elsewhere.</summary>
    public static FileStat Lstat(string path)
    {
        if (OperatingSystem.IsLinux()) return LinuxStat(path);
        return Portable(path);
    }

    const int AT_FDCWD = -100;
    const int AT_SYMLINK_NOFOLLOW = 0x100;
    const uint STATX_BASIC_STATS = 0x7ff;

    [DllImport("libc", SetLastError = true, EntryPoint = "statx")]
    static extern unsafe int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte* buf);

    static unsafe FileStat LinuxStat(string path)
    {
        byte* buf = stackalloc byte[256];
        if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buf) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                2 or 20 => new FileNotFoundException($"No such file: '{path}'.", path),
                13 or 1 => new UnauthorizedAccessException($"Permission denied: '{path}'."),
                _ => new IOException($"Cannot stat '{path}' (errno {errno})."),
            };
        }
        var nlink = *(uint*)(buf + 16);
        var mode = *(ushort*)(buf + 28);
        var ino = *(ulong*)(buf + 32);
        var size = *(long*)(buf + 40);
        var mtime = *(long*)(buf + 112);
        var mtimeNsec = *(uint*)(buf + 120);
        var rdevMajor = *(uint*)(buf + 128);
        var rdevMinor = *(uint*)(buf + 132);
        var kind = (mode & 0xF000) switch
        {
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.Symlink,
            0x2000 => FileKind.CharDevice,
            0x6000 => FileKind.BlockDevice,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            _ => FileKind.Regular,
        };
        return new FileStat(kind, mode & 0xFFF, kind == FileKind.Regular ? size : 0, mtime, ino, nlink, rdevMajor, rdevMinor) { MtimeNanoseconds = mtimeNsec };
    }

    static FileStat Portable(string path)
    {
        FileSystemInfo fi = new FileInfo(path);
        if (!fi.Exists)
        {
            fi = new DirectoryInfo(path);
            if (!fi.Exists) throw new FileNotFoundException($"No such file: '{path}'.", path);
        }
        var kind = fi.LinkTarget != null ? FileKind.Symlink : fi is DirectoryInfo ? FileKind.Directory : FileKind.Regular;
        int mode;
        if (OperatingSystem.IsWindows())
            mode = kind == FileKind.Directory ? 0x1ED : 0x1A4; // archive.chmodTarEntry: 0755 dirs, 0644 files (+x kept)
        else
            mode = (int)fi.UnixFileMode;
        var mtime = new DateTimeOffset(fi.LastWriteTimeUtc).ToUnixTimeSeconds();
        var nsec = (fi.LastWriteTimeUtc.Ticks % TimeSpan.TicksPerSecond) * 100;
        return new FileStat(kind, mode, kind == FileKind.Regular ? ((FileInfo)fi).Length : 0, mtime, 0, 1, 0, 0) { MtimeNanoseconds = nsec };
    }

    [DllImport("libc", SetLastError = true, EntryPoint = "realpath")]
    static extern IntPtr realpath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    static extern void free(IntPtr p);

    /// <summary>filepath.EvalSymlinks of an absolute path (every component resolved); the path itself when it cannot be.</summary>
    public static string RealPath(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return Path.GetFullPath(path);
        var p = realpath(path, IntPtr.Zero);
        if (p == IntPtr.Zero) return Path.GetFullPath(path);
        try { return Marshal.PtrToStringUTF8(p) ?? path; }
        finally { free(p); }
    }
}
