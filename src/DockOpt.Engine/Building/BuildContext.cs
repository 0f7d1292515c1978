using System.IO.Enumeration;
using System.Security.Cryptography;
using System.Text;

namespace DockOpt.Engine.Building;

/// <summary>
/// A local build context packed exactly as the docker CLI packs it for the classic builder
/// (<c>docker build</c>: ReadDockerignore, TrimBuildFilesFromExcludes, archive.TarWithOptions with uid/gid 0,
/// AddDockerfileToBuildContext for a Dockerfile outside the context). The tar is streamed; nothing is buffered whole.
/// </summary>
public sealed class BuildContext
{
    BuildContext(string contextDirectory, string dockerfilePath, string apiDockerfile, List<string> excludes,
        string? ignoreFile, string? outsideDockerfileName)
    {
        ContextDirectory = contextDirectory;
        DockerfilePath = dockerfilePath;
        ApiDockerfile = apiDockerfile;
        Excludes = excludes;
        IgnoreFile = ignoreFile;
        OutsideDockerfileName = outsideDockerfileName;
        Matcher = new PatternMatcher(excludes);
    }

    /// <summary>The context directory, symlinks resolved.</summary>
    public string ContextDirectory { get; }

    /// <summary>The Dockerfile, absolute.</summary>
    public string DockerfilePath { get; }

    /// <summary>The Dockerfile name the build API is given (relative to the context, or the random name of an outside one).</summary>
    public string ApiDockerfile { get; }

    /// <summary>The exclude patterns in effect (after re-including the Dockerfile and .dockerignore as the CLI does).</summary>
    public IReadOnlyList<string> Excludes { get; }

    /// <summary>The ignore file that was read, if any.</summary>
    public string? IgnoreFile { get; }

    /// <summary>Set when the Dockerfile lives outside the context: the random name it travels under.</summary>
    public string? OutsideDockerfileName { get; }

    public PatternMatcher Matcher { get; }

    /// <summary>Files, directories and links written by the last <see cref="WriteTo"/>.</summary>
    public int EntryCount { get; private set; }

    /// <summary>
    /// Resolves the context and Dockerfile like <c>docker build -f DOCKERFILE PATH</c> (a relative Dockerfile is relative
    /// to <paramref name="workingDirectory"/>; default <c>PATH/Dockerfile</c>, or <c>PATH/dockerfile</c> when only that exists)
    /// and reads the ignore file: <c>&lt;Dockerfile&gt;.dockerignore</c> beside the Dockerfile when present, else
    /// <c>PATH/.dockerignore</c>.
    /// </summary>
    public static BuildContext Prepare(string contextPath, string? dockerfile, string workingDirectory)
    {
        var abs = Path.GetFullPath(contextPath, workingDirectory);
        if (!Directory.Exists(abs))
        {
            if (File.Exists(abs))
                throw new DockOptException(ErrorIds.BuildContextNotDirectory, DockOptErrorCategory.InvalidArgument,
                    $"The build context '{abs}' is a file, not a directory.", contextPath,
                    "Give the directory that holds the files the Dockerfile copies as -Path, and the Dockerfile itself as -Dockerfile.");
            throw new DockOptException(ErrorIds.BuildContextNotFound, DockOptErrorCategory.ObjectNotFound,
                $"The build context directory '{abs}' does not exist.", contextPath, "Check -Path; it defaults to the current directory.");
        }
        var contextDir = FileStat.RealPath(abs);

        string dockerfileAbs;
        if (string.IsNullOrEmpty(dockerfile))
        {
            dockerfileAbs = Path.Combine(contextDir, "Dockerfile");
            if (!Exists(dockerfileAbs) && Exists(Path.Combine(contextDir, "dockerfile")))
                dockerfileAbs = Path.Combine(contextDir, "dockerfile");
        }
        else dockerfileAbs = Path.GetFullPath(dockerfile, workingDirectory);
        if (BrokenLink(dockerfileAbs) is { } broken)
            throw new DockOptException(ErrorIds.DockerfileNotFound, DockOptErrorCategory.ObjectNotFound,
                $"The Dockerfile '{dockerfileAbs}' is a symbolic link {broken}.", dockerfile ?? dockerfileAbs,
                "Point the link at an existing Dockerfile (ls -l shows where it leads), or name the Dockerfile itself with -Dockerfile.");
        if (!File.Exists(dockerfileAbs))
        {
            throw new DockOptException(ErrorIds.DockerfileNotFound, DockOptErrorCategory.ObjectNotFound,
                Directory.Exists(dockerfileAbs) ? $"'{dockerfileAbs}' is a directory, not a Dockerfile." : $"Cannot find the Dockerfile '{dockerfileAbs}'.",
                dockerfile ?? dockerfileAbs,
                string.IsNullOrEmpty(dockerfile)
                    ? "Put a Dockerfile in the context directory (-Path) or name it with -Dockerfile."
                    : "Check -Dockerfile: a relative path is relative to the current location, not to the context (as with docker build -f).");
        }
        string dockerfileReal;
        try { dockerfileReal = FileStat.RealPath(dockerfileAbs); }
        catch (IOException e)
        {
            throw new DockOptException(ErrorIds.DockerfileUnreadable, DockOptErrorCategory.ReadError,
                $"The Dockerfile '{dockerfileAbs}' cannot be resolved: {e.Message}", dockerfile ?? dockerfileAbs,
                "Check the links on the way to the Dockerfile (ls -l), or name the Dockerfile itself with -Dockerfile.", e);
        }
        var rel = Path.GetRelativePath(contextDir, dockerfileReal).Replace('\\', '/');
        var outside = rel == ".." || rel.StartsWith("../", StringComparison.Ordinal) || Path.IsPathRooted(rel);

        // BuildKit's rule: <Dockerfile>.dockerignore beside the Dockerfile wins over the context's .dockerignore.
        string? ignorePath = null;
        var specific = dockerfileAbs + ".dockerignore";
        if (File.Exists(specific)) ignorePath = specific;
        else if (File.Exists(Path.Combine(contextDir, ".dockerignore"))) ignorePath = Path.Combine(contextDir, ".dockerignore");

        List<string> excludes;
        try
        {
            excludes = ignorePath != null ? Building.DockerIgnoreFile.Read(ignorePath) : new List<string>();
            _ = new PatternMatcher(excludes);
        }
        catch (UnauthorizedAccessException e)
        {
            throw Unreadable(ignorePath!, e);
        }
        catch (FormatException e)
        {
            throw new DockOptException(ErrorIds.InvalidDockerignore, DockOptErrorCategory.InvalidData,
                $"{ignorePath}: {e.Message}.", ignorePath,
                "Fix the pattern: '[' needs a closing ']', a trailing '\\' escapes nothing, and '!' alone is not a pattern.", e);
        }

        // TrimBuildFilesFromExcludes: the daemon needs .dockerignore and the Dockerfile even when they are excluded.
        if (PatternMatcher.LegacyMatches(".dockerignore", excludes)) excludes.Add("!.dockerignore");
        if (PatternMatcher.LegacyMatches(rel, excludes)) excludes.Add("!" + rel);

        string? randomName = null;
        if (outside) randomName = ".dockerfile." + Convert.ToHexString(RandomNumberGenerator.GetBytes(10)).ToLowerInvariant();
        return new BuildContext(contextDir, dockerfileAbs, outside ? randomName! : rel, excludes, ignorePath, randomName);
    }

    /// <summary>Why a path that is a symbolic link leads nowhere ("that loops", "to 'x', which does not exist"), or null.</summary>
    internal static string? BrokenLink(string path)
    {
        FileSystemInfo info = new FileInfo(path);
        if (info.LinkTarget == null) return null;
        try
        {
            var final = info.ResolveLinkTarget(returnFinalTarget: true);
            if (final == null || final.Exists || Directory.Exists(final.FullName)) return null;
            return $"to '{info.LinkTarget}', which does not exist (a dangling link)";
        }
        catch (IOException)
        {
            return $"that loops (it leads back to itself through '{info.LinkTarget}')";
        }
    }

    static bool Exists(string p) => File.Exists(p) || Directory.Exists(p);

    static DockOptException Unreadable(string path, Exception inner) => new(ErrorIds.BuildContextUnreadable, DockOptErrorCategory.ReadError,
        $"Cannot read '{path}' in the build context: {inner.Message}", path,
        "Fix the file's permissions, or exclude it from the context in .dockerignore.", inner);

    /// <summary>
    /// Writes the context as an uncompressed tar to <paramref name="output"/> (typically the request body). Returns the bytes written.
    /// A file or directory that is included but cannot be read ends the archive with BuildContextUnreadable, as
    /// the CLI's ValidateContextDirectory does before it sends anything.
    /// </summary>
    public long WriteTo(Stream output, CancellationToken ct, Action<long, int>? progress = null)
    {
        var tar = new TarStreamWriter(output);
        var seenInodes = new Dictionary<ulong, string>();
        byte[]? modifiedIgnore = null;
        var ignoreWritten = false;
        if (OutsideDockerfileName != null)
        {
            var ignore = Path.Combine(ContextDirectory, ".dockerignore");
            var original = File.Exists(ignore) ? ReadAllBytesChecked(ignore) : Encoding.UTF8.GetBytes(".dockerignore");
            modifiedIgnore = original.Concat(Encoding.UTF8.GetBytes("\n" + OutsideDockerfileName + "\n")).ToArray();
        }
        EntryCount = 0;
        var lastReport = 0L;
        var scratch = new bool[Matcher.Patterns.Count]; // per-pattern results of the entry at hand

        void Visit(string dirAbs, string dirRel, bool[]? parentInfo)
        {
            List<(string Name, bool IsDir)> children;
            try
            {
                children = new FileSystemEnumerable<(string, bool)>(dirAbs,
                    (ref FileSystemEntry e) => (e.FileName.ToString(), e.IsDirectory && (e.Attributes & FileAttributes.ReparsePoint) == 0),
                    new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false, RecurseSubdirectories = false, ReturnSpecialDirectories = false })
                    .ToList();
            }
            catch (UnauthorizedAccessException e)
            {
                throw Unreadable(dirAbs, e);
            }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
            {
                throw Unreadable(dirAbs, e);
            }
            children.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            foreach (var (name, isDir) in children)
            {
                ct.ThrowIfCancellationRequested();
                var rel = dirRel.Length == 0 ? name : dirRel + "/" + name;
                var skip = Matcher.Matches(rel, parentInfo, scratch);
                if (skip)
                {
                    if (!isDir || !MayHoldException(rel)) continue;
                    Visit(Path.Join(dirAbs, name), rel, (bool[])scratch.Clone()); // walked for the exceptions, but not archived
                    continue;
                }
                var abs = Path.Join(dirAbs, name);
                var info = isDir ? (bool[])scratch.Clone() : null;
                if (AddEntry(tar, abs, rel, seenInodes, modifiedIgnore, ref ignoreWritten, ct))
                    EntryCount++; // only what the archive holds: a skipped socket is not an entry
                if (progress != null && tar.Position - lastReport >= 4 * 1024 * 1024)
                {
                    lastReport = tar.Position;
                    progress(tar.Position, EntryCount);
                }
                if (isDir) Visit(abs, rel, info);
            }
        }

        Visit(ContextDirectory, "", null);

        if (OutsideDockerfileName != null)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var content = ReadAllBytesChecked(DockerfilePath);
            tar.WriteHeader(new TarHeader { Name = OutsideDockerfileName, Type = '0', Mode = 0x180, Size = content.Length, MtimeSeconds = now });
            tar.WriteContent(content);
            if (!ignoreWritten)
            {
                tar.WriteHeader(new TarHeader { Name = ".dockerignore", Type = '0', Mode = 0x180, Size = modifiedIgnore!.Length, MtimeSeconds = now });
                tar.WriteContent(modifiedIgnore);
            }
        }
        tar.Close();
        progress?.Invoke(tar.Position, EntryCount);
        return tar.Position;
    }

    /// <summary>Whether an excluded directory may still hold an exception ('!dir/keep'), so it must be walked.</summary>
    bool MayHoldException(string dirRel)
    {
        if (!Matcher.HasExclusions) return false;
        foreach (var p in Matcher.Patterns)
        {
            // (p.Text + "/").StartsWith(dirRel + "/")
            if (!p.Exclusion || p.Text.Length < dirRel.Length || !p.Text.StartsWith(dirRel, StringComparison.Ordinal)) continue;
            if (p.Text.Length == dirRel.Length || p.Text[dirRel.Length] == '/') return true;
        }
        return false;
    }

    static byte[] ReadAllBytesChecked(string path)
    {
        Dockerfiles.SourceFile.EnsureRegular(path, "file"); // a FIFO would block the read
        try { return File.ReadAllBytes(path); }
        catch (UnauthorizedAccessException e) { throw Unreadable(path, e); }
    }

    /// <summary>Archives one entry; false when it was skipped (a socket, a file that vanished), so it does not count.</summary>
    static bool AddEntry(TarStreamWriter tar, string abs, string rel, Dictionary<ulong, string> seenInodes, byte[]? modifiedIgnore,
        ref bool ignoreWritten, CancellationToken ct)
    {
        FileStat st;
        try { st = FileStat.Lstat(abs); }
        catch (FileNotFoundException) { return false; } // vanished while walking: the CLI logs and skips it
        catch (UnauthorizedAccessException e) { throw Unreadable(abs, e); }

        var entry = EntryHeader(abs, rel, st);
        if (entry == null) return false; // archive/tar: sockets not supported; the CLI skips them
        LinkHardLink(entry, st, seenInodes);

        if (modifiedIgnore != null && rel == ".dockerignore" && entry.Type == '0')
        {
            entry.Size = modifiedIgnore.Length;
            tar.WriteHeader(entry);
            tar.WriteContent(modifiedIgnore);
            ignoreWritten = true;
            return true;
        }

        if (entry.Type == '0' && entry.Size > 0)
            return WriteFileEntry(tar, entry, abs, ct);
        return WriteHeaderOnlyEntry(tar, entry, abs);
    }

    /// <summary>The tar header for an entry of this kind; null for a socket, which is not archived.</summary>
    static TarHeader? EntryHeader(string abs, string rel, FileStat st)
    {
        var entry = new TarHeader { Name = rel, Mode = st.Mode, MtimeSeconds = st.MtimeSeconds };
        switch (st.Kind)
        {
            case FileKind.Directory:
                entry.Type = '5';
                entry.Name = rel + "/";
                break;
            case FileKind.Symlink:
                entry.Type = '2';
                entry.LinkName = new FileInfo(abs).LinkTarget ?? "";
                break;
            case FileKind.CharDevice:
            case FileKind.BlockDevice:
                entry.Type = st.Kind == FileKind.CharDevice ? '3' : '4';
                entry.DevMajor = st.DevMajor;
                entry.DevMinor = st.DevMinor;
                break;
            case FileKind.Fifo:
                entry.Type = '6';
                break;
            case FileKind.Socket:
                return null;
            default:
                entry.Type = '0';
                entry.Size = st.Size;
                break;
        }
        return entry;
    }

    /// <summary>A second name of an inode already archived becomes a hard link to the first; a first name is remembered.</summary>
    static void LinkHardLink(TarHeader entry, FileStat st, Dictionary<ulong, string> seenInodes)
    {
        if (st.Kind != FileKind.Directory && st.Links > 1 && st.Inode != 0)
        {
            if (seenInodes.TryGetValue(st.Inode, out var first))
            {
                entry.Type = '1';
                entry.LinkName = first;
                entry.Size = 0;
            }
            else seenInodes[st.Inode] = entry.Name;
        }
    }

    /// <summary>Writes a non-empty regular file's header and content; false when it vanished before it was opened.</summary>
    static bool WriteFileEntry(TarStreamWriter tar, TarHeader entry, string abs, CancellationToken ct)
    {
        ContextFileStream? fs;
        try { fs = ContextFileStream.Open(abs); }
        catch (UnauthorizedAccessException e) { throw Unreadable(abs, e); }
        if (fs == null) return false;
        using (fs)
        {
            tar.WriteHeader(entry);
            tar.WriteContent(fs, entry.Size, ct);
        }
        return true;
    }

    /// <summary>Writes an entry with no content (directory, link, device, FIFO, empty file); an empty file must still open.</summary>
    static bool WriteHeaderOnlyEntry(TarStreamWriter tar, TarHeader entry, string abs)
    {
        if (entry.Type == '0')
        {
            // The CLI opens every included file (ValidateContextDirectory): an unreadable empty file fails too.
            ContextFileStream? fs;
            try { fs = ContextFileStream.Open(abs); }
            catch (UnauthorizedAccessException e) { throw Unreadable(abs, e); }
            if (fs == null) return false;
            fs.Dispose();
        }
        tar.WriteHeader(entry);
        return true;
    }
}
