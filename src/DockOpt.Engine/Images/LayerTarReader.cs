using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace DockOpt.Engine.Images;

/// <summary>Reads one layer blob (plain, gzip or zstd tar) once: digests it and hands its entries to a visitor.</summary>
public static class LayerTarReader
{
    const int PrefixBytes = 64 * 1024;

    /// <summary>
    /// Reads <paramref name="blobStream"/> to its end. <paramref name="begin"/> gets the blob description (compression,
    /// fingerprint) and returns the entry visitor or null to skip parsing. The stream is not disposed.
    /// </summary>
    public static LayerDigest Read(Stream blobStream, LayerBlob blob, Func<LayerBlob, ILayerVisitor?> begin, CancellationToken ct) =>
        Read(blobStream, blob, begin, ct, computeDiffId: true);

    /// <summary>As above; with <paramref name="computeDiffId"/> false the SHA-256 is skipped and <see cref="LayerDigest.DiffId"/> is "".</summary>
    public static LayerDigest Read(Stream blobStream, LayerBlob blob, Func<LayerBlob, ILayerVisitor?> begin, CancellationToken ct, bool computeDiffId)
    {
        var peek = new PeekableStream(blobStream);
        var magic = peek.Peek(4);
        Stream decompressed;
        if (magic.Length >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        {
            blob.Compression = LayerCompression.Gzip;
            decompressed = new GZipStream(peek, CompressionMode.Decompress, leaveOpen: true);
        }
        else if (magic.Length >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
        {
            blob.Compression = LayerCompression.Zstd;
            decompressed = new ZstdSharp.DecompressionStream(peek, leaveOpen: true);
        }
        else
        {
            blob.Compression = LayerCompression.None;
            decompressed = peek;
        }

        using var hashing = new Sha256CountingStream(decompressed, hash: computeDiffId);
        var tarPeek = new PeekableStream(hashing);
        var prefix = tarPeek.Peek(PrefixBytes);
        using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            sha.AppendData(prefix);
            var fp = Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
            blob.PrefixFingerprint = blob.Compression == LayerCompression.None ? fp + ":" + blob.StoredLength : fp;
        }

        var visitor = begin(blob);
        var count = 0;
        if (visitor != null)
        {
            try
            {
                count = ReadEntries(tarPeek, visitor, ct);
            }
            catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or ZstdSharp.ZstdException or ArgumentException)
            {
                throw new DockOptException(ErrorIds.ImageLayerInvalid, DockOptErrorCategory.InvalidData,
                    $"Layer '{blob.Key}' is not a readable tar: {e.Message}", blob.Key,
                    "The image archive is damaged or not an image. Save it again (docker save) or check the source.", e);
            }
        }
        string diffId;
        try
        {
            diffId = hashing.DrainAndDigest();
        }
        catch (Exception e) when (e is InvalidDataException or ZstdSharp.ZstdException)
        {
            throw new DockOptException(ErrorIds.ImageLayerInvalid, DockOptErrorCategory.InvalidData,
                $"Layer '{blob.Key}' could not be decompressed: {e.Message}", blob.Key,
                "The image archive is damaged. Save it again (docker save) or check the source.", e);
        }
        if (!ReferenceEquals(decompressed, peek)) decompressed.Dispose();
        return new LayerDigest { DiffId = diffId, TarLength = hashing.BytesRead, EntryCount = count, Visited = visitor != null };
    }

    /// <summary>Parses a plain layer tar from <paramref name="tar"/> and calls the visitor per entry; returns the entry count.</summary>
    public static int ReadEntries(Stream tar, ILayerVisitor visitor, CancellationToken ct)
    {
        using var reader = new TarReader(tar, leaveOpen: true);
        var ordinal = 0;
        var entry = new LayerEntry();
        while (reader.GetNextEntry(copyData: false) is { } te)
        {
            ct.ThrowIfCancellationRequested();
            if (te.EntryType is TarEntryType.GlobalExtendedAttributes) continue;
            entry = Describe(te, ordinal++);
            visitor.OnEntry(entry);
        }
        return ordinal;
    }

    internal static LayerEntry Describe(TarEntry te, int ordinal)
    {
        var e = new LayerEntry
        {
            Name = te.Name,
            TypeFlag = (char)te.EntryType,
            Mode = (int)te.Mode & 0xFFF,
            Uid = te.Uid,
            Gid = te.Gid,
            ModifiedTime = te.ModificationTime,
            Ordinal = ordinal,
        };
        var (name, sparseRealSize) = ReadSparseAttributes(te, e);
        var (path, escapes) = NormalizePath(name);
        e.Escapes = escapes;
        e.Path = escapes ? name : path;
        if (escapes) e.Problem = $"the name '{name}' leaves the root through '..'";
        SetKind(te, e);
        if (e.IsSparse && sparseRealSize != null) e.Size = sparseRealSize.Value;
        if (!e.Escapes) RecogniseWhiteout(e);
        e.Content = new EntryContentStream(e.Kind == LayerEntryKind.RegularFile ? te.DataStream : null,
            e.Kind == LayerEntryKind.RegularFile ? te.Length : 0);
        return e;
    }

    /// <summary>GNU sparse files in PAX form: the real name and size are in extended attributes.</summary>
    static (string Name, long? SparseRealSize) ReadSparseAttributes(TarEntry te, LayerEntry e)
    {
        var name = te.Name;
        long? sparseRealSize = null;
        if (te is PaxTarEntry pax)
        {
            var ea = pax.ExtendedAttributes;
            if (ea.TryGetValue("GNU.sparse.name", out var sparseName))
            {
                name = sparseName;
                e.Name = sparseName;
                e.IsSparse = true;
            }
            if ((ea.TryGetValue("GNU.sparse.realsize", out var rs) || ea.TryGetValue("GNU.sparse.size", out rs))
                && long.TryParse(rs, out var real))
                sparseRealSize = real;
            if (ea.ContainsKey("GNU.sparse.major") || ea.ContainsKey("GNU.sparse.map")) e.IsSparse = true;
        }
        return (name, sparseRealSize);
    }

    /// <summary>The file-system kind of a tar entry type (and a hard link's normalised target).</summary>
    static void SetKind(TarEntry te, LayerEntry e)
    {
        switch (te.EntryType)
        {
            case TarEntryType.RegularFile:
            case TarEntryType.V7RegularFile:
            case TarEntryType.ContiguousFile:
                e.Kind = LayerEntryKind.RegularFile;
                e.Size = te.Length;
                break;
            case TarEntryType.SparseFile:
                e.Kind = LayerEntryKind.RegularFile;
                e.IsSparse = true;
                e.Size = te.Length;
                e.Problem ??= "GNU sparse file: size is the stored data length";
                break;
            case TarEntryType.Directory:
                e.Kind = LayerEntryKind.Directory;
                break;
            case TarEntryType.SymbolicLink:
                e.Kind = LayerEntryKind.Symlink;
                e.LinkTarget = te.LinkName;
                break;
            case TarEntryType.HardLink:
                e.Kind = LayerEntryKind.Hardlink;
                var (target, tEscapes) = NormalizePath(te.LinkName);
                e.LinkTarget = tEscapes ? te.LinkName : target;
                if (tEscapes)
                {
                    e.Escapes = true;
                    e.Problem ??= $"the hard link target '{te.LinkName}' leaves the root through '..'";
                }
                break;
            case TarEntryType.CharacterDevice:
                e.Kind = LayerEntryKind.CharDevice;
                break;
            case TarEntryType.BlockDevice:
                e.Kind = LayerEntryKind.BlockDevice;
                break;
            case TarEntryType.Fifo:
                e.Kind = LayerEntryKind.Fifo;
                break;
            default:
                e.Kind = LayerEntryKind.Other;
                e.Problem ??= $"tar entry type '{(char)te.EntryType}' is not a file system object";
                break;
        }
    }

    /// <summary>Whiteouts (OCI image spec, layer changesets): .wh.&lt;name&gt; deletes &lt;name&gt;; .wh..wh..opq makes the directory opaque.</summary>
    static void RecogniseWhiteout(LayerEntry e)
    {
        var slash = e.Path.LastIndexOf('/');
        var baseName = slash < 0 ? e.Path : e.Path.Substring(slash + 1);
        var dir = slash < 0 ? "" : e.Path.Substring(0, slash);
        if (!baseName.StartsWith(".wh.", StringComparison.Ordinal)) return;
        if (baseName == ".wh..wh..opq")
        {
            e.Kind = LayerEntryKind.OpaqueWhiteout;
            e.Path = dir;
            e.Size = 0;
        }
        else if (baseName.StartsWith(".wh..wh.", StringComparison.Ordinal))
        {
            e.Kind = LayerEntryKind.Other;
            e.Problem ??= $"'{baseName}' is an AUFS metadata entry, ignored";
        }
        else
        {
            e.Kind = LayerEntryKind.Whiteout;
            e.Path = dir.Length == 0 ? baseName.Substring(4) : dir + "/" + baseName.Substring(4);
            e.Size = 0;
        }
    }

    /// <summary>
    /// Normalises a tar name to a root-relative path (<c>./a//b/</c> → <c>a/b</c>); <c>escapes</c> is true when a
    /// <c>..</c> would leave the root. Absolute names are taken as relative to the root.
    /// </summary>
    public static (string Path, bool Escapes) NormalizePath(string name)
    {
        if (name.Length == 0) return ("", false);
        // Fast path: already clean.
        if (name[0] != '/' && name[0] != '.' && !name.Contains("//", StringComparison.Ordinal) && !name.Contains("/.", StringComparison.Ordinal))
            return (name.EndsWith('/') ? name.TrimEnd('/') : name, false);
        var parts = new List<string>();
        var escapes = false;
        foreach (var p in name.Split('/'))
        {
            if (p.Length == 0 || p == ".") continue;
            if (p == "..")
            {
                if (parts.Count == 0) escapes = true;
                else parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(p);
        }
        return (string.Join('/', parts), escapes);
    }
}
