namespace DockOpt.Engine.Building.BuildKit;

/// <summary>moby.buildkit.v1.StatusResponse, decoded from the <c>moby.buildkit.trace</c> aux messages of <c>/build</c>.</summary>
public sealed class StatusResponse
{
    public List<Vertex> Vertexes { get; } = new();
    public List<VertexStatus> Statuses { get; } = new();
    public List<VertexLog> Logs { get; } = new();

    public sealed class Vertex
    {
        public string Digest = "";
        public List<string> Inputs = new();
        public string Name = "";
        public bool Cached;
        public DateTime? Started;
        public DateTime? Completed;
        public string Error = "";
    }

    public sealed class VertexStatus
    {
        public string Id = "";
        public string Vertex = "";
        public string Name = "";
        public long Current;
        public long Total;
        public DateTime? Started;
        public DateTime? Completed;
    }

    public sealed class VertexLog
    {
        public string Vertex = "";
        public long Stream;
        public byte[] Msg = Array.Empty<byte>();
    }

    public static StatusResponse Parse(ReadOnlySpan<byte> data)
    {
        var result = new StatusResponse();
        var r = new ProtoReader(data);
        while (r.Next())
        {
            if (r.Wire != 2)
            {
                r.Skip();
                continue;
            }
            switch (r.Field)
            {
                case 1: result.Vertexes.Add(ParseVertex(r.Bytes())); break;
                case 2: result.Statuses.Add(ParseStatus(r.Bytes())); break;
                case 3: result.Logs.Add(ParseLog(r.Bytes())); break;
                default: r.Skip(); break;
            }
        }
        return result;
    }

    static Vertex ParseVertex(ReadOnlySpan<byte> data)
    {
        var v = new Vertex();
        var r = new ProtoReader(data);
        while (r.Next())
        {
            switch (r.Field)
            {
                case 1 when r.Wire == 2: v.Digest = r.String(); break;
                case 2 when r.Wire == 2: v.Inputs.Add(r.String()); break;
                case 3 when r.Wire == 2: v.Name = r.String(); break;
                case 4 when r.Wire == 0: v.Cached = r.Varint() != 0; break;
                case 5 when r.Wire == 2: v.Started = r.Timestamp(); break;
                case 6 when r.Wire == 2: v.Completed = r.Timestamp(); break;
                case 7 when r.Wire == 2: v.Error = r.String(); break;
                default: r.Skip(); break;
            }
        }
        return v;
    }

    static VertexStatus ParseStatus(ReadOnlySpan<byte> data)
    {
        var s = new VertexStatus();
        var r = new ProtoReader(data);
        while (r.Next())
        {
            switch (r.Field)
            {
                case 1 when r.Wire == 2: s.Id = r.String(); break;
                case 2 when r.Wire == 2: s.Vertex = r.String(); break;
                case 3 when r.Wire == 2: s.Name = r.String(); break;
                case 4 when r.Wire == 0: s.Current = (long)r.Varint(); break;
                case 5 when r.Wire == 0: s.Total = (long)r.Varint(); break;
                case 7 when r.Wire == 2: s.Started = r.Timestamp(); break;
                case 8 when r.Wire == 2: s.Completed = r.Timestamp(); break;
                default: r.Skip(); break;
            }
        }
        return s;
    }

    static VertexLog ParseLog(ReadOnlySpan<byte> data)
    {
        var l = new VertexLog();
        var r = new ProtoReader(data);
        while (r.Next())
        {
            switch (r.Field)
            {
                case 1 when r.Wire == 2: l.Vertex = r.String(); break;
                case 3 when r.Wire == 0: l.Stream = (long)r.Varint(); break;
                case 4 when r.Wire == 2: l.Msg = r.Bytes().ToArray(); break;
                default: r.Skip(); break;
            }
        }
        return l;
    }
}
