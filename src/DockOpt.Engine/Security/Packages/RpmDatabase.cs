namespace DockOpt.Engine.Security.Packages;

/// <summary>The rpm database in any of its three formats: SQLite (rpmdb.sqlite), Berkeley DB hash (Packages), ndb (Packages.db).</summary>
public static class RpmDatabase
{
    /// <summary>Paths (without a leading '/') where images keep the rpm database.</summary>
    public static bool IsDatabasePath(string path)
    {
        var slash = path.LastIndexOf('/');
        if (slash < 0) return false;
        var dir = path[..slash];
        var file = path[(slash + 1)..];
        return file is "rpmdb.sqlite" or "Packages" or "Packages.db" &&
               dir is "var/lib/rpm" or "usr/lib/sysimage/rpm" or "usr/share/rpm";
    }

    /// <summary>The format name (sqlite, bdb, ndb) from the first bytes, or null.</summary>
    public static string? Format(ReadOnlySpan<byte> head) =>
        SqliteTableReader.IsSqlite(head) ? "sqlite" : RpmNdbReader.IsNdb(head) ? "ndb" : BerkeleyDbHashReader.IsHashDb(head) ? "bdb" : null;

    /// <summary>
    /// Every package of the database, gpg-pubkey pseudo-packages left out. <paramref name="wal"/> is the SQLite "-wal"
    /// file beside rpmdb.sqlite, when present. Throws InvalidDataException when the file is damaged or of unknown format.
    /// </summary>
    public static List<RpmPackage> Read(byte[] db, byte[]? wal = null)
    {
        IEnumerable<byte[]> blobs;
        switch (Format(db))
        {
            case "sqlite":
                var r = new SqliteTableReader(db);
                if (wal != null) r.ApplyWal(wal);
                var root = r.FindTable("Packages");
                if (root == 0) throw new InvalidDataException("no Packages table in the SQLite database");
                blobs = r.Rows(root).Select(row => SqliteTableReader.DecodeRecord(row.Record)).Select(cols => cols.OfType<byte[]>().FirstOrDefault()).OfType<byte[]>();
                break;
            case "ndb": blobs = RpmNdbReader.Blobs(db); break;
            case "bdb": blobs = BerkeleyDbHashReader.Values(db); break;
            default: throw new InvalidDataException("not an rpm database (neither SQLite, Berkeley DB hash nor ndb)");
        }
        var list = new List<RpmPackage>();
        foreach (var b in blobs)
        {
            var p = RpmHeader.Parse(b);
            if (p != null && p.Name != "gpg-pubkey") list.Add(p);
        }
        return list;
    }
}
