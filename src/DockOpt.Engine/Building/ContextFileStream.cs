using System.Runtime.InteropServices;

namespace DockOpt.Engine.Building;

/// <summary>
/// A context file opened for the tar. On Linux it is open(2), read(2) and close(2) and nothing else: a FileStream adds
/// fstat, flock and posix_fadvise to every open, three more system calls for each of the thousands of small files a
/// large context holds. Elsewhere a FileStream opened for sequential reading.
/// </summary>
internal sealed class ContextFileStream : Stream
{
    const int O_RDONLY = 0;
    const int O_CLOEXEC = 0x80000;
    const int EINTR = 4;

    [DllImport("libc", SetLastError = true, EntryPoint = "open")]
    static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true, EntryPoint = "read")]
    static extern unsafe nint read(int fd, byte* buf, nint count);

    [DllImport("libc", EntryPoint = "close")]
    static extern int close(int fd);

    int _fd = -1;
    readonly FileStream? _portable;

    ContextFileStream(int fd) => _fd = fd;

    ContextFileStream(FileStream fs) => _portable = fs;

    /// <summary>Opens a file for reading; null when it no longer exists (it vanished while the context was walked).</summary>
    /// <exception cref="UnauthorizedAccessException">The file cannot be read.</exception>
    public static ContextFileStream? Open(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            try
            {
                return new ContextFileStream(new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete,
                    BufferSize = 0, Options = FileOptions.SequentialScan,
                }));
            }
            catch (FileNotFoundException) { return null; }
            catch (DirectoryNotFoundException) { return null; }
        }
        while (true)
        {
            var fd = open(path, O_RDONLY | O_CLOEXEC);
            if (fd >= 0) return new ContextFileStream(fd);
            var errno = Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case EINTR: continue;
                case 2 or 20: return null; // ENOENT, ENOTDIR
                case 13 or 1: throw new UnauthorizedAccessException($"Access to the path '{path}' is denied.");
                default: throw new IOException($"Cannot open '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", errno);
            }
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override unsafe int Read(Span<byte> buffer)
    {
        if (_portable != null) return _portable.Read(buffer);
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        if (buffer.Length == 0) return 0;
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var n = read(_fd, p, buffer.Length);
                if (n >= 0) return (int)n;
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR) continue;
                throw new IOException($"Cannot read a build context file: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", errno);
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        _portable?.Dispose();
        if (_fd >= 0)
        {
            close(_fd);
            _fd = -1;
        }
        base.Dispose(disposing);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
