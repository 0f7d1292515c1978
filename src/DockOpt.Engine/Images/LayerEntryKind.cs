namespace DockOpt.Engine.Images;

/// <summary>What a layer tar entry is, after whiteouts are recognised.</summary>
public enum LayerEntryKind
{
    RegularFile,
    Directory,
    Symlink,
    /// <summary>A hard link; <see cref="LayerEntry.LinkTarget"/> is the normalised path of the file it links to.</summary>
    Hardlink,
    CharDevice,
    BlockDevice,
    Fifo,
    /// <summary><c>.wh.&lt;name&gt;</c>: <see cref="LayerEntry.Path"/> is the path it deletes from the lower layers.</summary>
    Whiteout,
    /// <summary><c>.wh..wh..opq</c>: <see cref="LayerEntry.Path"/> is the directory whose lower contents are hidden.</summary>
    OpaqueWhiteout,
    /// <summary>Anything else (unknown type flags, contiguous files, GNU volume headers).</summary>
    Other,
}
