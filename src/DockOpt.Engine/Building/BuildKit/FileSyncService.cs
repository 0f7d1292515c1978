using System.IO.Enumeration;
using System.Text;
using System.Threading.Channels;

namespace DockOpt.Engine.Building.BuildKit;

/// <summary>
/// <c>/moby.filesync.v1.FileSync/DiffCopy</c>: DockOpt is the fsutil sender. The daemon names the directory
/// (<c>dir-name</c>: <c>context</c> or <c>dockerfile</c>) and the filters (<c>include-patterns</c>,
/// <c>exclude-patterns</c> — the parsed .dockerignore, applied here with the project's matcher — and
/// <c>followpaths</c>). DockOpt sends one STAT packet per entry in Go's walk order (siblings by UTF-8 bytes), an empty
/// packet, then DATA for each file the daemon REQuests, and answers FIN with FIN.
/// </summary>
public sealed class FileSyncService : ISessionService
{
    public const string DiffCopy = "/moby.filesync.v1.FileSync/DiffCopy";
    public const string TarStream = "/moby.filesync.v1.FileSync/TarStream";
    const int ChunkSize = 32 * 1024;

    // fsutil Packet types
    const int PacketStat = 0, PacketReq = 1, PacketData = 2, PacketFin = 3, PacketErr = 4;

    readonly IReadOnlyDictionary<string, string> _dirs;
    long _bytesSent;
    int _entriesSent;
    int _filesSent;

    /// <param name="dirs">dir-name → local directory (e.g. <c>context</c> and <c>dockerfile</c>).</param>
    public FileSyncService(IReadOnlyDictionary<string, string> dirs) => _dirs = dirs;

    public IEnumerable<string> Methods => new[] { DiffCopy, TarStream };

    /// <summary>File content bytes sent so far (the daemon asks only for new or changed files).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Entries described (STAT packets) so far, over all calls.</summary>
    public int EntriesSent => _entriesSent;

    /// <summary>Files whose content was requested and sent.</summary>
    public int FilesSent => _filesSent;

    readonly Dictionary<string, (int Entries, int Files, long Bytes)> _byDir = new(StringComparer.Ordinal);

    /// <summary>Per dir-name: the most entries one call described, and the files and bytes sent over all calls.</summary>
    public (int Entries, int Files, long Bytes) For(string dirName)
    {
        lock (_byDir) return _byDir.TryGetValue(dirName, out var v) ? v : default;
    }

    /// <summary>Called after each call with dir-name, entries, files sent and bytes sent.</summary>
    public Action<string, int, int, long>? Completed { get; init; }

    public async Task HandleAsync(IGrpcServerCall call)
    {
        if (call.Method.Equals(TarStream, StringComparison.OrdinalIgnoreCase))
            throw new GrpcException(GrpcStatus.Unimplemented, "TarStream is not supported");
        var (dirName, entries) = WalkRequestedDir(call);

        var requests = Channel.CreateUnbounded<int>();
        var reader = Task.Run(() => ReadPacketsAsync(call, requests.Writer));

        await SendStatsAsync(call, entries).ConfigureAwait(false);
        var (files, bytes) = await SendRequestedFilesAsync(call, entries, requests.Reader).ConfigureAwait(false);
        var finReceived = await reader.ConfigureAwait(false);
        if (finReceived) await call.WriteMessageAsync(new ProtoWriter().UInt(1, PacketFin).ToArray()).ConfigureAwait(false);
        lock (_byDir)
        {
            var prev = _byDir.TryGetValue(dirName, out var v) ? v : default;
            _byDir[dirName] = (Math.Max(prev.Entries, entries.Count), prev.Files + files, prev.Bytes + bytes);
        }
        Completed?.Invoke(dirName, entries.Count, files, bytes);
    }

    /// <summary>The call's dir-name and the entries of its directory that pass the call's include and exclude filters.</summary>
    (string DirName, List<Entry> Entries) WalkRequestedDir(IGrpcServerCall call)
    {
        var dirName = call.Value("dir-name") ?? "";
        if (!_dirs.TryGetValue(dirName, out var root))
            throw new GrpcException(GrpcStatus.NotFound, $"no access allowed to dir \"{dirName}\"");
        var includes = call.Values("include-patterns").Concat(call.Values("followpaths")).ToList();
        var excludes = call.Values("exclude-patterns").ToList();
        return (dirName, Walk(root, includes, excludes, call.CancellationToken));
    }

    /// <summary>Reads the daemon's packets: REQ ids go to <paramref name="requests"/>, which FIN, ERR or the call's end completes; true when FIN came.</summary>
    static async Task<bool> ReadPacketsAsync(IGrpcServerCall call, ChannelWriter<int> requests)
    {
        try
        {
            while (await call.ReadMessageAsync().ConfigureAwait(false) is { } msg)
            {
                var (type, id, data) = ParsePacket(msg);
                switch (type)
                {
                    case PacketReq:
                        requests.TryWrite(id);
                        break;
                    case PacketFin:
                        requests.TryComplete();
                        return true;
                    case PacketErr:
                        requests.TryComplete(new GrpcException(GrpcStatus.Unknown, "the daemon reported: " + Encoding.UTF8.GetString(data)));
                        return false;
                }
            }
            requests.TryComplete();
        }
        catch (Exception e)
        {
            requests.TryComplete(e);
        }
        return false;
    }

    /// <summary>One STAT packet per entry, then the empty packet that ends the stats.</summary>
    async Task SendStatsAsync(IGrpcServerCall call, List<Entry> entries)
    {
        for (var i = 0; i < entries.Count; i++)
            await call.WriteMessageAsync(StatPacket(entries[i])).ConfigureAwait(false);
        await call.WriteMessageAsync(Array.Empty<byte>()).ConfigureAwait(false); // end of stats: a packet with no stat
        Interlocked.Add(ref _entriesSent, entries.Count);
    }

    /// <summary>Sends each requested regular file as DATA packets ending with an empty one; the files and bytes sent.</summary>
    async Task<(int Files, long Bytes)> SendRequestedFilesAsync(IGrpcServerCall call, List<Entry> entries, ChannelReader<int> requests)
    {
        long bytes = 0;
        var files = 0;
        var buffer = new byte[ChunkSize];
        await foreach (var id in requests.ReadAllAsync(call.CancellationToken).ConfigureAwait(false))
        {
            if (id < 0 || id >= entries.Count || entries[id].Kind != FileKind.Regular)
                throw new GrpcException(GrpcStatus.InvalidArgument, $"invalid file request {id}");
            var e = entries[id];
            await using (var fs = new FileStream(e.AbsolutePath, new FileStreamOptions
                         {
                             Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete,
                             BufferSize = 0, Options = FileOptions.SequentialScan,
                         }))
            {
                int n;
                while ((n = await fs.ReadAsync(buffer, call.CancellationToken).ConfigureAwait(false)) > 0)
                {
                    await call.WriteMessageAsync(DataPacket(id, buffer.AsSpan(0, n))).ConfigureAwait(false);
                    bytes += n;
                    Interlocked.Add(ref _bytesSent, n);
                }
            }
            await call.WriteMessageAsync(DataPacket(id, ReadOnlySpan<byte>.Empty)).ConfigureAwait(false);
            files++;
            Interlocked.Increment(ref _filesSent);
        }
        return (files, bytes);
    }

    static (int Type, int Id, byte[] Data) ParsePacket(byte[] msg)
    {
        var r = new ProtoReader(msg);
        int type = 0, id = 0;
        byte[] data = Array.Empty<byte>();
        while (r.Next())
        {
            switch (r.Field)
            {
                case 1 when r.Wire == 0: type = (int)r.Varint(); break;
                case 3 when r.Wire == 0: id = (int)r.Varint(); break;
                case 4 when r.Wire == 2: data = r.Bytes().ToArray(); break;
                default: r.Skip(); break;
            }
        }
        return (type, id, data);
    }

    static byte[] DataPacket(int id, ReadOnlySpan<byte> data) =>
        new ProtoWriter().UInt(1, PacketData).UInt(3, (ulong)id).Bytes(4, data).ToArray();

    static byte[] StatPacket(Entry e)
    {
        var stat = new ProtoWriter()
            .String(1, e.Path)
            .UInt(2, e.GoMode)
            .Int(5, e.Size)
            .Int(6, e.ModTimeNs)
            .String(7, e.LinkName)
            .Int(8, e.DevMajor)
            .Int(9, e.DevMinor);
        return new ProtoWriter().Message(2, stat).ToArray();
    }

    /// <summary>One entry to send.</summary>
    public sealed record Entry(string Path, string AbsolutePath, FileKind Kind, uint GoMode, long Size, long ModTimeNs, string? LinkName,
        long DevMajor, long DevMinor);

    /// <summary>Go os.FileMode bits for an lstat result (type bits, setuid/setgid/sticky, permissions).</summary>
    public static uint GoMode(FileStat st)
    {
        uint m = (uint)(st.Mode & 0x1FF);
        if ((st.Mode & 0x800) != 0) m |= 0x00800000;
        if ((st.Mode & 0x400) != 0) m |= 0x00400000;
        if ((st.Mode & 0x200) != 0) m |= 0x00100000;
        m |= st.Kind switch
        {
            FileKind.Directory => 0x80000000,
            FileKind.Symlink => 0x08000000,
            FileKind.CharDevice => 0x04000000 | 0x00200000,
            FileKind.BlockDevice => 0x04000000,
            FileKind.Fifo => 0x02000000,
            _ => 0u,
        };
        if (OperatingSystem.IsWindows())
            m = (m & ~0x1FFu) | (((m & 0x1FF) | 0x49) & 0x1ED); // (perm | 0111) & 0755
        return m;
    }

    /// <summary>Compares names by their UTF-8 bytes, as Go sorts them.</summary>
    public sealed class Utf8Order : IComparer<string>
    {
        public static readonly Utf8Order Instance = new();

        public int Compare(string? x, string? y)
        {
            var a = Encoding.UTF8.GetBytes(x ?? "");
            var b = Encoding.UTF8.GetBytes(y ?? "");
            return a.AsSpan().SequenceCompareTo(b);
        }
    }

    /// <summary>
    /// The entries fsutil would send for <paramref name="root"/>: depth-first pre-order, siblings by UTF-8 bytes, with
    /// the exclude patterns (.dockerignore semantics through <see cref="PatternMatcher"/>) and include patterns applied.
    /// IDs are the list indexes.
    /// </summary>
    public static List<Entry> Walk(string root, IReadOnlyList<string> includes, IReadOnlyList<string> excludes, CancellationToken ct)
    {
        var list = new List<Entry>();
        var matcher = excludes.Count > 0 ? new PatternMatcher(excludes) : null;
        var incl = includes.Select(GoPath.Clean).Where(p => p.Length > 0).Distinct().ToList();
        var includeAll = incl.Count == 0 || incl.Any(p => p == "." || p == "/");
        var includeMatchers = includeAll ? null : incl.Select(p => (Parts: p.Split('/'), Matchers: Prefixes(p))).ToList();
        var inodes = new Dictionary<ulong, string>();

        void Visit(string dirAbs, string dirRel, bool[]? parentInfo, List<(string Rel, string Abs)> pendingParents)
        {
            List<(string Name, bool IsDir)> children = new FileSystemEnumerable<(string, bool)>(dirAbs,
                    (ref FileSystemEntry e) => (e.FileName.ToString(), e.IsDirectory && (e.Attributes & FileAttributes.ReparsePoint) == 0),
                    new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false, RecurseSubdirectories = false, ReturnSpecialDirectories = false })
                .ToList();
            children.Sort((a, b) => Utf8Order.Instance.Compare(a.Name, b.Name));
            foreach (var (name, isDir) in children)
            {
                ct.ThrowIfCancellationRequested();
                var rel = dirRel.Length == 0 ? name : dirRel + "/" + name;
                var abs = Path.Combine(dirAbs, name);
                var walkOnly = false;
                if (includeMatchers != null)
                {
                    var (full, partial) = IncludeMatch(rel, includeMatchers);
                    if (!full && !(partial && isDir)) continue; // a parent of an include is sent (fsutil keeps parent directories)
                }
                bool[]? info = null;
                if (matcher != null && matcher.Matches(rel, parentInfo, out info))
                {
                    if (!isDir || !matcher.HasExclusions) continue;
                    var dirSlash = rel + "/";
                    if (!matcher.Patterns.Any(p => p.Exclusion && (p.Text + "/").StartsWith(dirSlash, StringComparison.Ordinal))) continue;
                    walkOnly = true; // excluded, but an exception may re-include something below: sent only if a child is
                }
                if (walkOnly)
                {
                    var pending = new List<(string, string)>(pendingParents) { (rel, abs) };
                    Visit(abs, rel, info, pending);
                    continue;
                }
                foreach (var (pRel, pAbs) in pendingParents) Add(pRel, pAbs);
                pendingParents = new List<(string, string)>();
                if (!Add(rel, abs)) continue;
                if (isDir) Visit(abs, rel, info, pendingParents);
            }
        }

        bool Add(string rel, string abs)
        {
            FileStat st;
            try { st = FileStat.Lstat(abs); }
            catch (FileNotFoundException) { return false; }
            if (st.Kind == FileKind.Socket) return false;
            string? link = null;
            var size = st.Kind == FileKind.Regular ? st.Size : 0;
            if (st.Kind == FileKind.Symlink) link = new FileInfo(abs).LinkTarget ?? "";
            else if (st.Kind != FileKind.Directory && st.Links > 1 && st.Inode != 0)
            {
                if (inodes.TryGetValue(st.Inode, out var first))
                {
                    link = first;
                    size = 0;
                }
                else inodes[st.Inode] = rel;
            }
            list.Add(new Entry(rel, abs, st.Kind, GoMode(st), size, st.MtimeSeconds * 1_000_000_000L + st.MtimeNanoseconds, link,
                st.DevMajor, st.DevMinor));
            return true;
        }

        Visit(root, "", null, new List<(string, string)>());
        return list;
    }

    static PatternMatcher.Pattern[] Prefixes(string pattern)
    {
        var parts = pattern.Split('/');
        var result = new PatternMatcher.Pattern[parts.Length];
        for (var i = 0; i < parts.Length; i++) result[i] = new PatternMatcher(new[] { string.Join('/', parts.Take(i + 1)) }).Patterns[0];
        return result;
    }

    /// <summary>full: the path or one of its parents matches an include; partial: the path is a parent of what an include names.</summary>
    static (bool Full, bool Partial) IncludeMatch(string rel, List<(string[] Parts, PatternMatcher.Pattern[] Matchers)> includes)
    {
        var parts = rel.Split('/');
        var partial = false;
        foreach (var (ip, m) in includes)
        {
            if (parts.Length >= ip.Length)
            {
                if (m[^1].Match(string.Join('/', parts.Take(ip.Length)))) return (true, false);
            }
            else if (m[parts.Length - 1].Match(rel)) partial = true;
        }
        return (false, partial);
    }
}
