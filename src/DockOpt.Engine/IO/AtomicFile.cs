using System.Text;

namespace DockOpt.Engine.IO;

/// <summary>
/// The one way DockOpt writes a report (or any file a reader must never see half-written): the content goes to a
/// temporary file in the SAME folder, which is then renamed over the target, so the target is either the old file or
/// the whole new one. Folders are never created: a missing folder fails with <c>ReportFolderNotFound</c>; any other
/// failure (a read-only folder, a target that is a folder, a full disk) with <c>ReportWriteFailed</c>, and the temporary
/// file is removed.
/// </summary>
public static class AtomicFile
{
    static readonly UTF8Encoding Utf8NoBom = new(false);

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, stream =>
        {
            var bytes = Utf8NoBom.GetBytes(text);
            stream.Write(bytes, 0, bytes.Length);
        });

    /// <summary>Writes what <paramref name="write"/> puts into the stream; returns the full path written.</summary>
    public static string Write(string path, Action<Stream> write) => Write(path, write, null);

    /// <summary>
    /// Writes what <paramref name="write"/> puts into the stream; <paramref name="beforeRename"/> gets the temporary file's
    /// path once it is complete (to give it the target's mode and owner, say) and may throw to leave the target unchanged.
    /// </summary>
    public static string Write(string path, Action<Stream> write, Action<string>? beforeRename)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new DockOptException(ErrorIds.ReportWriteFailed, DockOptErrorCategory.WriteError, "No file path was given for the report.", path,
                "Give -OutFile a file path.");
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw Failed(path, path, e);
        }
        var dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir))
            throw new DockOptException(ErrorIds.ReportFolderNotFound, DockOptErrorCategory.ObjectNotFound,
                $"The folder '{dir}' for '{Path.GetFileName(full)}' does not exist.", path,
                "Create the folder first or choose another path; DockOpt does not create folders.");
        var tmp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Environment.ProcessId + "." + Guid.NewGuid().ToString("n")[..8] + ".tmp");
        try
        {
            using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            beforeRename?.Invoke(tmp);
            File.Move(tmp, full, overwrite: true);
            return full;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(tmp); } catch (Exception) { /* best effort: the write already failed */ }
            throw Failed(path, full, e);
        }
        catch (DockOptException)
        {
            try { File.Delete(tmp); } catch (Exception) { /* best effort: the target stays as it was */ }
            throw;
        }
    }

    /// <summary>
    /// A cache entry written the same way (temporary file in the same folder, then a rename), for caches that are only an
    /// optimisation: the folder is created, and a failure leaves no file and returns false instead of an error.
    /// </summary>
    public static bool TryWriteCacheEntry(string path, Action<Stream> write)
    {
        var tmp = TemporaryPathFor(path);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16)) write(stream);
            File.Move(tmp, path, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(tmp); } catch (Exception) { /* best effort */ }
            return false;
        }
    }

    /// <summary>The temporary name a file is written under before <see cref="Commit"/> renames it into place (same folder, unique).</summary>
    public static string TemporaryPathFor(string path) =>
        path + "." + Environment.ProcessId + "." + Guid.NewGuid().ToString("n")[..8] + ".part";

    /// <summary>Renames a complete temporary file (from <see cref="TemporaryPathFor"/>) into place, replacing what was there.</summary>
    public static void Commit(string temporaryPath, string path) => File.Move(temporaryPath, path, overwrite: true);

    static DockOptException Failed(string path, string full, Exception e) =>
        new(ErrorIds.ReportWriteFailed, DockOptErrorCategory.WriteError, $"Cannot write '{full}': {e.Message}", path,
            "Check that the path names a file (not a folder) you may write, and that the disk has room.", e);
}
