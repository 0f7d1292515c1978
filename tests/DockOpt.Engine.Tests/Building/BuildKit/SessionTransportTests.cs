using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using DockOpt.Engine.Building;
using DockOpt.Engine.Building.BuildKit;

namespace DockOpt.Engine.Tests.Building.BuildKit;

public sealed class HpackTests
{
    static byte[] Hex(string s) => Convert.FromHexString(s.Replace(" ", ""));

    [Fact]
    public void Decodes_the_RFC7541_C4_requests_with_Huffman_and_the_dynamic_table()
    {
        // RFC 7541 Appendix C.4: three requests on one connection, Huffman-coded, sharing the dynamic table.
        var d = new HpackDecoder();
        var first = d.Decode(Hex("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff"));
        Assert.Equal(new[] { (":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com") }, first);
        Assert.Equal(57, d.DynamicSize);
        var second = d.Decode(Hex("8286 84be 5886 a8eb 1064 9cbf"));
        Assert.Equal(new[] { (":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com"), ("cache-control", "no-cache") }, second);
        Assert.Equal(110, d.DynamicSize);
        var third = d.Decode(Hex("8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"));
        Assert.Equal(new[] { (":method", "GET"), (":scheme", "https"), (":path", "/index.html"), (":authority", "www.example.com"), ("custom-key", "custom-value") }, third);
        Assert.Equal(164, d.DynamicSize);
        Assert.Equal(3, d.DynamicCount);
    }

    [Fact]
    public void Evicts_and_honours_table_size_updates()
    {
        var d = new HpackDecoder();
        d.Decode(Hex("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff")); // adds :authority www.example.com (57 octets)
        d.Decode(Hex("20")); // dynamic table size update to 0: everything evicted
        Assert.Equal(0, d.DynamicSize);
        Assert.Throws<InvalidDataException>(() => d.Decode(Hex("be"))); // index 62 no longer exists
        Assert.Throws<InvalidDataException>(() => d.Decode(Hex("3fe21f"))); // size update to 4097, above the 4096 we advertised
    }

    [Fact]
    public void Huffman_codes_match_RFC7541_appendix_B()
    {
        Assert.Equal(0x1ff8u, Huffman.Codes[0]);
        Assert.Equal(0x3u, Huffman.Codes['a']);
        Assert.Equal(0x14u, Huffman.Codes[' ']);
        Assert.Equal(0x7fff0u, Huffman.Codes['\\']);
        Assert.Equal(0x3ffffeeu, Huffman.Codes[255]);
        Assert.Equal(0x3fffffffu, Huffman.Codes[256]);
        Assert.Equal(Hex("f1e3 c2e5 f23a 6ba0 ab90 f4ff"), Huffman.Encode(Encoding.ASCII.GetBytes("www.example.com")));
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        Assert.Equal(all, Huffman.Decode(Huffman.Encode(all)));
    }

    [Fact]
    public void Encoder_output_decodes_back_including_long_values()
    {
        var long1 = new string('x', 300);
        var block = HpackEncoder.Encode(new[] { ("grpc-status", "12"), ("grpc-message", long1) });
        Assert.Equal(new[] { ("grpc-status", "12"), ("grpc-message", long1) }, new HpackDecoder().Decode(block));
    }
}

public sealed class Http2ServerTests
{
    static byte[] Frame(int type, byte flags, int stream, byte[] payload)
    {
        var f = new byte[9 + payload.Length];
        f[0] = (byte)(payload.Length >> 16); f[1] = (byte)(payload.Length >> 8); f[2] = (byte)payload.Length;
        f[3] = (byte)type; f[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(f.AsSpan(5), stream);
        payload.CopyTo(f, 9);
        return f;
    }

    static async Task<(int Type, byte Flags, int Stream, byte[] Payload)> ReadFrame(Stream s)
    {
        var h = new byte[9];
        await s.ReadExactlyAsync(h);
        var len = (h[0] << 16) | (h[1] << 8) | h[2];
        var p = new byte[len];
        await s.ReadExactlyAsync(p);
        return (h[3], h[4], BinaryPrimitives.ReadInt32BigEndian(h.AsSpan(5)) & 0x7fffffff, p);
    }

    static byte[] Grpc(byte[] msg)
    {
        var b = new byte[5 + msg.Length];
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(1), msg.Length);
        msg.CopyTo(b, 5);
        return b;
    }

    [Fact]
    public async Task Serves_health_answers_unknown_methods_with_UNIMPLEMENTED_and_acks_settings_and_ping()
    {
        var (a, b) = SocketPair();
        await using var server = new Http2Server(new NetworkStream(a, true), new SessionServiceSet().Add(new HealthService()));
        server.Start();
        using var client = new NetworkStream(b, true);
        var first = await ReadFrame(client);
        Assert.Equal(4, first.Type); // our first frame is SETTINGS
        Assert.Equal(0, first.Flags);

        await client.WriteAsync(Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
        await client.WriteAsync(Frame(4, 0, 0, Array.Empty<byte>()));
        await client.WriteAsync(Frame(6, 0, 0, new byte[] { 2, 4, 16, 16, 9, 14, 7, 7 }));
        // Health/Check on stream 1, the request headers split into HEADERS + CONTINUATION.
        var block = HpackEncoder.Encode(new[] { (":method", "POST"), (":scheme", "http"), (":path", "/grpc.health.v1.Health/Check"), (":authority", "localhost"), ("content-type", "application/grpc"), ("te", "trailers") });
        await client.WriteAsync(Frame(1, 0, 1, block[..10]));
        await client.WriteAsync(Frame(9, 4, 1, block[10..]));
        await client.WriteAsync(Frame(0, 1, 1, Grpc(Array.Empty<byte>())));
        // Unknown method on stream 3.
        var unknown = HpackEncoder.Encode(new[] { (":method", "POST"), (":path", "/moby.filesync.v1.FileSend/DiffCopy"), ("content-type", "application/grpc") });
        await client.WriteAsync(Frame(1, 5, 3, unknown));

        var decoder = new HpackDecoder();
        bool settingsAck = false, pingAck = false, healthData = false;
        string? healthStatus = null, unknownStatus = null;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((healthStatus == null || unknownStatus == null || !settingsAck || !pingAck) && DateTime.UtcNow < deadline)
        {
            var f = await ReadFrame(client).WaitAsync(TimeSpan.FromSeconds(10));
            if (f.Type == 4 && f.Flags == 1) settingsAck = true;
            if (f.Type == 6 && f.Flags == 1) { pingAck = true; Assert.Equal(new byte[] { 2, 4, 16, 16, 9, 14, 7, 7 }, f.Payload); }
            if (f.Type == 0 && f.Stream == 1) { healthData = true; Assert.Equal(Grpc(new byte[] { 0x08, 0x01 }), f.Payload); } // SERVING
            if (f.Type == 1)
            {
                var fields = decoder.Decode(f.Payload);
                var status = fields.FirstOrDefault(x => x.Name == "grpc-status").Value;
                if (status != null && f.Stream == 1) healthStatus = status;
                if (status != null && f.Stream == 3) unknownStatus = status;
            }
        }
        Assert.True(settingsAck);
        Assert.True(pingAck);
        Assert.True(healthData);
        Assert.Equal("0", healthStatus);
        Assert.Equal("12", unknownStatus);
    }

    static (Socket, Socket) SocketPair()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        listener.Listen(1);
        var c = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        c.Connect(listener.LocalEndPoint!);
        var s = listener.Accept();
        return (s, c);
    }
}

public sealed class FileSyncWalkTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "dockopt-fsync-" + Guid.NewGuid().ToString("n"));

    public FileSyncWalkTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, true);

    void Write(string rel, string content = "x")
    {
        var p = Path.Combine(_root, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(p)!);
        File.WriteAllText(p, content);
    }

    [Fact]
    public void Walks_depth_first_with_siblings_in_UTF8_byte_order_and_applies_dockerignore_patterns()
    {
        Write("a/b");
        Write("a-b");
        Write("\U0001F600.txt"); // a surrogate pair: after U+FFFD in UTF-8 order, before it in UTF-16 order
        Write("\uFFFD.txt");
        Write("logs/a.log");
        Write("logs/keep.log");
        Write("x.pyc");
        var entries = FileSyncService.Walk(_root, Array.Empty<string>(), new[] { "**/*.pyc", "logs", "!logs/keep.log" }, CancellationToken.None);
        Assert.Equal(new[] { "a", "a/b", "a-b", "logs", "logs/keep.log", "\uFFFD.txt", "\U0001F600.txt" }, entries.Select(e => e.Path));
        Assert.Equal(0x80000000u, entries[0].GoMode & 0x80000000u);
        Assert.Equal(1L, entries[1].Size);
    }

    [Fact]
    public void Include_patterns_keep_parent_directories_and_whole_subtrees()
    {
        Write("Dockerfile");
        Write("src/app/main.go");
        Write("src/other.txt");
        Write("docs/x.md");
        var entries = FileSyncService.Walk(_root, new[] { "Dockerfile", "src/app" }, Array.Empty<string>(), CancellationToken.None);
        Assert.Equal(new[] { "Dockerfile", "src", "src/app", "src/app/main.go" }, entries.Select(e => e.Path));
    }

    [Fact]
    public void Go_file_mode_bits()
    {
        Assert.Equal(0x80000000u | 0x1ED, FileSyncService.GoMode(new FileStat(FileKind.Directory, 0x1ED, 0, 0, 0, 1, 0, 0)));
        Assert.Equal(0x08000000u | 0x1FF, FileSyncService.GoMode(new FileStat(FileKind.Symlink, 0x1FF, 0, 0, 0, 1, 0, 0)));
        Assert.Equal(0x00800000u | 0x1ED, FileSyncService.GoMode(new FileStat(FileKind.Regular, 0x9ED, 0, 0, 0, 1, 0, 0)));
    }
}

public sealed class BuildKitStatusTests
{
    [Fact]
    public void Decodes_vertexes_logs_and_statuses()
    {
        static ProtoWriter Ts(long s, int n) => new ProtoWriter().Int(1, s).Int(2, n);
        var vertex = new ProtoWriter().String(1, "sha256:abc").String(2, "sha256:in").String(3, "[build 2/3] RUN make")
            .Bool(4, true).Message(5, Ts(1700000000, 500_000_000)).Message(6, Ts(1700000002, 0)).String(7, "");
        var log = new ProtoWriter().String(1, "sha256:abc").Int(3, 1).Bytes(4, Encoding.UTF8.GetBytes("hello\n"));
        var status = new ProtoWriter().String(1, "transferring context:").String(2, "sha256:abc").Int(4, 10).Int(5, 20);
        var msg = new ProtoWriter().Message(1, vertex).Message(2, status).Message(3, log).ToArray();
        var r = StatusResponse.Parse(msg);
        var v = Assert.Single(r.Vertexes);
        Assert.Equal("[build 2/3] RUN make", v.Name);
        Assert.True(v.Cached);
        Assert.Equal(TimeSpan.FromSeconds(1.5), v.Completed - v.Started);
        Assert.Equal("hello\n", Encoding.UTF8.GetString(Assert.Single(r.Logs).Msg));
        Assert.Equal(20, Assert.Single(r.Statuses).Total);
    }

    [Fact]
    public void Maps_step_names_to_stages_and_lines()
    {
        var text = "# syntax=docker/dockerfile:1.4\nARG V=1\nFROM busybox AS build\nWORKDIR /src\nENV A=1\nRUN make \\\n  all\nFROM scratch\nCOPY --from=build /src /\nFROM build AS test\nRUN <<EOF\nEOF\n";
        var s = DockerfileStages.Parse(text);
        Assert.Equal(("docker/dockerfile:1.4", 1), s.Syntax);
        Assert.Equal(new[] { "build", "stage-1", "test" }, s.Stages.Select(x => x.Name));
        Assert.Equal(3, s.LineOf("build", 1));   // FROM busybox
        Assert.Equal(4, s.LineOf("build", 2));   // WORKDIR
        Assert.Equal(6, s.LineOf("build", 3));   // RUN (ENV is not counted)
        Assert.Equal(9, s.LineOf("stage-1", 1)); // FROM scratch is not counted
        Assert.Equal(11, s.LineOf("test", 1));   // FROM of another stage is not counted
        Assert.Equal((11, "RUN"), s.FirstHeredoc);
        Assert.Equal(("build", 3, 3, "RUN make all"), DockerfileStages.ParseStepName("[build 3/3] RUN make all"));
        Assert.Equal(("stage-0", 1, 4, "FROM docker.io/library/alpine:3.12"), DockerfileStages.ParseStepName("[stage-0 1/4] FROM docker.io/library/alpine:3.12"));
        Assert.Equal(("build", 2, 3, "RUN x"), DockerfileStages.ParseStepName("[linux/arm64 build 2/3] RUN x"));
        Assert.Null(DockerfileStages.ParseStepName("[internal] load build context"));
        Assert.Null(DockerfileStages.ParseStepName("exporting to image"));
    }

    [Fact]
    public void Builder_choice()
    {
        Assert.Equal(BuilderKind.BuildKit, BuildDriver.ChooseBuilder(BuilderKind.Auto, new Version(1, 41), "linux", false, _ => null));
        Assert.Equal(BuilderKind.Classic, BuildDriver.ChooseBuilder(BuilderKind.Auto, new Version(1, 41), "linux", false, _ => "0"));
        Assert.Equal(BuilderKind.Classic, BuildDriver.ChooseBuilder(BuilderKind.Auto, new Version(1, 38), "linux", false, _ => null));
        Assert.Equal(BuilderKind.Classic, BuildDriver.ChooseBuilder(BuilderKind.Classic, new Version(1, 41), "linux", false, _ => null));
        var e = Assert.Throws<DockOptException>(() => BuildDriver.ChooseBuilder(BuilderKind.BuildKit, new Version(1, 38), "linux", false, _ => null));
        Assert.Equal(ErrorIds.BuildKitUnavailable, e.ErrorId);
        Assert.Throws<DockOptException>(() => BuildDriver.ChooseBuilder(BuilderKind.Auto, new Version(1, 38), "linux", true, _ => null));
        Assert.Throws<DockOptException>(() => BuildDriver.ChooseBuilder(BuilderKind.BuildKit, new Version(1, 41), "windows", false, _ => null));
    }
}

[Collection(ProcessStateCollection.Name)]
public sealed class SessionServiceTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "dockopt-svc-" + Guid.NewGuid().ToString("n"));

    public SessionServiceTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, true);

    sealed class FakeCall : IGrpcServerCall
    {
        readonly Queue<byte[]> _in;
        public FakeCall(string method, params byte[][] messages)
        {
            Method = method;
            _in = new Queue<byte[]>(messages);
        }
        public string Method { get; }
        public IReadOnlyList<(string Name, string Value)> Metadata { get; init; } = Array.Empty<(string, string)>();
        public CancellationToken CancellationToken => CancellationToken.None;
        public List<byte[]> Written { get; } = new();
        public ValueTask<byte[]?> ReadMessageAsync() => ValueTask.FromResult(_in.Count > 0 ? _in.Dequeue() : null);
        public ValueTask WriteMessageAsync(ReadOnlyMemory<byte> message)
        {
            Written.Add(message.ToArray());
            return ValueTask.CompletedTask;
        }
    }

    static (string, string) Strings12(byte[] msg)
    {
        var r = new ProtoReader(msg);
        string a = "", b = "";
        while (r.Next())
        {
            if (r.Field == 1) a = r.String();
            else if (r.Field == 2) b = r.String();
            else r.Skip();
        }
        return (a, b);
    }

    [Fact]
    public async Task Auth_answers_from_config_json_and_leaves_token_authority_unimplemented()
    {
        File.WriteAllText(Path.Combine(_root, "config.json"),
            "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes("hubuser:hubpass")) + "\"}," +
            "\"registry.example.com:5000\":{\"identitytoken\":\"tok-123\"}}}");
        var auth = AuthService.FromRegistryAuth(new DockOpt.Engine.Registry.RegistryAuth { Config = new DockOpt.Engine.Registry.DockerConfigCredentials(_root) }, NullSink.Instance);
        var hub = new FakeCall("/moby.filesync.v1.Auth/Credentials", new ProtoWriter().String(1, "registry-1.docker.io").ToArray());
        await auth.HandleAsync(hub);
        Assert.Equal(("hubuser", "hubpass"), Strings12(hub.Written.Single()));
        var token = new FakeCall("/moby.filesync.v1.Auth/Credentials", new ProtoWriter().String(1, "registry.example.com:5000").ToArray());
        await auth.HandleAsync(token);
        Assert.Equal(("", "tok-123"), Strings12(token.Written.Single()));
        var none = new FakeCall("/moby.filesync.v1.Auth/Credentials", new ProtoWriter().String(1, "other.example.com").ToArray());
        await auth.HandleAsync(none);
        Assert.Empty(none.Written.Single()); // anonymous: empty username and secret
        var e = await Assert.ThrowsAsync<GrpcException>(() => auth.HandleAsync(new FakeCall("/moby.filesync.v1.Auth/GetTokenAuthority")));
        Assert.Equal(GrpcStatus.Unimplemented, e.Status);
    }

    [Fact]
    public async Task Secrets_from_files_and_environment_and_NOT_FOUND_for_unknown_ids()
    {
        var file = Path.Combine(_root, "s.txt");
        File.WriteAllText(file, "file-secret");
        Environment.SetEnvironmentVariable("DOCKOPT_TEST_SECRET_ENV", "env-secret");
        try
        {
            var svc = new SecretsService(new Dictionary<string, BuildSecret>
            {
                ["f"] = BuildSecret.Parse($"id=f,src={file}", _root),
                ["e"] = BuildSecret.Parse("id=e,env=DOCKOPT_TEST_SECRET_ENV", _root),
            });
            var f = new FakeCall("/moby.buildkit.secrets.v1.Secrets/GetSecret", new ProtoWriter().String(1, "f").ToArray());
            await svc.HandleAsync(f);
            Assert.Equal(("file-secret", ""), Strings12(f.Written.Single()));
            var en = new FakeCall("/moby.buildkit.secrets.v1.Secrets/GetSecret", new ProtoWriter().String(1, "e").ToArray());
            await svc.HandleAsync(en);
            Assert.Equal(("env-secret", ""), Strings12(en.Written.Single()));
            var e = await Assert.ThrowsAsync<GrpcException>(() => svc.HandleAsync(new FakeCall("/moby.buildkit.secrets.v1.Secrets/GetSecret", new ProtoWriter().String(1, "x").ToArray())));
            Assert.Equal(GrpcStatus.NotFound, e.Status);
        }
        finally { Environment.SetEnvironmentVariable("DOCKOPT_TEST_SECRET_ENV", null); }
        Assert.Equal(ErrorIds.BuildSecretInvalid, Assert.Throws<DockOptException>(() => BuildSecret.Parse("src=/x", _root)).ErrorId);
        Assert.Equal(ErrorIds.BuildSecretInvalid, Assert.Throws<DockOptException>(() => BuildSecret.Parse("id=a,src=missing.txt", _root)).ErrorId);
    }
}
