using System.Collections;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using DockOpt.Engine.Images;
using DockOpt.Engine.Testing;
using DockOpt.Engine.Tests.Images;

namespace DockOpt.Engine.Tests.Testing;

public class UserClassificationTests
{
    const string Passwd = "root:x:0:0:root:/root:/bin/sh\napp:x:0:0:app:/:/bin/sh\nweb:x:10001:10001::/www:/bin/false\n# comment\n";

    [Theory]
    [InlineData("", true)]
    [InlineData("root", true)]
    [InlineData("0", true)]
    [InlineData("0:0", true)]
    [InlineData("0:1000", true)]
    [InlineData("root:nogroup", true)]
    [InlineData(":1000", true)]
    [InlineData("app", true)]
    [InlineData("app:app", true)]
    [InlineData("1000", false)]
    [InlineData("1000:0", false)]
    [InlineData("web", false)]
    [InlineData("web:web", false)]
    public void Root_is_decided_by_uid(string user, bool root)
    {
        var v = MetadataChecks.ClassifyUser(user, Passwd);
        Assert.Equal(root, v.IsRoot);
    }

    [Fact]
    public void Unknown_name_or_missing_passwd_is_unresolved_not_a_pass()
    {
        Assert.Null(MetadataChecks.ClassifyUser("ghost", Passwd).IsRoot);
        Assert.Null(MetadataChecks.ClassifyUser("web", null).IsRoot);
        Assert.Equal(10001, MetadataChecks.ClassifyUser("web", Passwd).Uid);
    }

    [Fact]
    public void First_passwd_entry_wins()
    {
        Assert.Equal(5, MetadataChecks.PasswdUid("a:x:5:5::/:/bin/sh\na:x:0:0::/:/bin/sh\n", "a"));
        Assert.Null(MetadataChecks.PasswdUid("a:x:notanumber:5::/:/bin/sh\n", "a"));
    }
}

public class MetadataCheckTests
{
    static ImageTestResult Make(string n, string e, string a, ImageTestOutcome o, string m) =>
        new() { Name = n, Expected = e, Actual = a, Outcome = o, Message = m };

    static ImageInfo Image() => new()
    {
        User = "1000",
        ExposedPorts = new[] { "53/udp", "8080/tcp" },
        Entrypoint = new[] { "/bin/sh", "-c", "exec app" },
        Labels = new() { ["org.opencontainers.image.version"] = "2.3.4" },
        EnvNames = new[] { "PATH", "MODE" },
        Env = new() { ["PATH"] = "/bin", ["MODE"] = "prod" },
        Size = 5_000_000,
        LayerCount = 3,
        StopSignal = "SIGQUIT",
        Healthcheck = new HealthcheckInfo { Test = new[] { "CMD", "true" }, Interval = TimeSpan.FromSeconds(60) },
    };

    [Fact]
    public void Ports_compare_with_protocol()
    {
        var spec = new MetadataSpec();
        spec.ExposedPorts.AddRange(new[] { "8080", "53", "53/udp" });
        var r = MetadataChecks.Run(Image(), spec, null, Make).ToList();
        Assert.Equal(new[] { ImageTestOutcome.Passed, ImageTestOutcome.Failed, ImageTestOutcome.Passed }, r.Select(x => x.Outcome));
    }

    [Fact]
    public void Shell_form_entrypoint_fails_exec_form_with_the_reason()
    {
        var r = MetadataChecks.Run(Image(), new MetadataSpec { ExecForm = true }, null, Make).Single();
        Assert.Equal(ImageTestOutcome.Failed, r.Outcome);
        Assert.Contains("SIGTERM", r.Message);
    }

    [Fact]
    public void Healthcheck_params_labels_env_signal_size_layers()
    {
        var spec = new MetadataSpec
        {
            Healthcheck = true, HealthcheckMaxInterval = TimeSpan.FromSeconds(30), HealthcheckMinRetries = 3,
            StopSignal = "QUIT", MaxSize = 4_000_000, MaxLayers = 3,
        };
        spec.Labels.Add(new KeyMatch { Key = "org.opencontainers.image.version", Value = @"^\d+\.\d+\.\d+$", IsRegex = true });
        spec.Labels.Add(new KeyMatch { Key = "org.opencontainers.image.source" });
        spec.Env.Add(new KeyMatch { Key = "MODE", Value = "prod" });
        spec.AbsentEnvNames.Add("DEBUG");
        var r = MetadataChecks.Run(Image(), spec, null, Make).ToDictionary(x => x.Name, x => x.Outcome);
        Assert.Equal(ImageTestOutcome.Passed, r["HEALTHCHECK defined"]);
        Assert.Equal(ImageTestOutcome.Failed, r["HEALTHCHECK interval"]);
        Assert.Equal(ImageTestOutcome.Passed, r["HEALTHCHECK retries"]); // default 3
        Assert.Equal(ImageTestOutcome.Passed, r["STOPSIGNAL"]);
        Assert.Equal(ImageTestOutcome.Passed, r["Label org.opencontainers.image.version"]);
        Assert.Equal(ImageTestOutcome.Failed, r["Label org.opencontainers.image.source"]);
        Assert.Equal(ImageTestOutcome.Passed, r["Env MODE"]);
        Assert.Equal(ImageTestOutcome.Passed, r["Env DEBUG not set"]);
        Assert.Equal(ImageTestOutcome.Failed, r["Image size"]);
        Assert.Equal(ImageTestOutcome.Passed, r["Layer count"]);
    }

    [Fact]
    public void Env_values_are_never_shown()
    {
        var spec = new MetadataSpec();
        spec.Env.Add(new KeyMatch { Key = "MODE", Value = "dev" });
        var r = MetadataChecks.Run(Image(), spec, null, Make).Single();
        Assert.Equal(ImageTestOutcome.Failed, r.Outcome);
        Assert.DoesNotContain("prod", r.Actual + r.Expected + r.Message);
        Assert.DoesNotContain("dev", r.Actual + r.Expected + r.Message);
    }

    [Theory]
    [InlineData("TERM", "SIGTERM")]
    [InlineData("15", "SIGTERM")]
    [InlineData("sigquit", "SIGQUIT")]
    [InlineData("SIGRTMIN+3", "SIGRTMIN+3")]
    public void Signals_normalize(string s, string expected) => Assert.Equal(expected, MetadataChecks.NormalizeSignal(s));
}

public class SpecReaderTests
{
    [Fact]
    public void Reads_the_dockopt_yaml_schema()
    {
        var yaml = """
            schemaVersion: dockopt/v1
            metadata:
              nonRoot: true
              exposedPorts: [5000]
              healthcheck: { maxInterval: 30s, minRetries: 2 }
              labels: { a: b }
              labelPatterns: { v: '^\d' }
              maxSize: 50MB
            files:
              - path: /app/x
                mode: '0755'
                owner: '10:20'
                contains: hello
            commands:
              - command: 'echo hi'
                timeout: 1500ms
            runtime:
              memory: 64MB
              cpus: 0.5
              environment: { A: '1' }
              ready: { log: 'started', timeout: 1m30s }
              http:
                - path: /health
                  status: [200, '300-399', 4xx]
                  expectJson: { status: ok }
                  requests: 10
                  maxP95: 250ms
              resources: { maxMemory: 1GiB }
              shutdown: { gracePeriod: 3s }
            """;
        var s = SpecReader.ReadYaml(yaml, "t.yaml");
        Assert.True(s.Metadata.NonRoot);
        Assert.Equal(new[] { "5000" }, s.Metadata.ExposedPorts);
        Assert.Equal(TimeSpan.FromSeconds(30), s.Metadata.HealthcheckMaxInterval);
        Assert.Equal(50_000_000, s.Metadata.MaxSize);
        Assert.True(s.Metadata.Labels.Single(l => l.Key == "v").IsRegex);
        Assert.Equal(0x1ED, FileChecks.ParseMode(s.Files[0].Mode!)!.Value.Bits);
        Assert.Equal(10, s.Files[0].Uid);
        Assert.Equal(20, s.Files[0].Gid);
        Assert.Equal(new[] { "/bin/sh", "-c", "echo hi" }, s.Commands[0].Command);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), s.Commands[0].Timeout);
        Assert.Equal(64L * 1024 * 1024, s.Runtime.Memory);
        Assert.Equal(TimeSpan.FromSeconds(90), s.Runtime.Ready.Timeout);
        Assert.Equal(3, s.Runtime.Http[0].Status.Count);
        Assert.True(StatusSet.Contains(s.Runtime.Http[0].Status, 404));
        Assert.False(StatusSet.Contains(s.Runtime.Http[0].Status, 500));
        Assert.Equal(1L << 30, s.Runtime.Resources!.MaxMemory);
        Assert.Equal(TimeSpan.FromSeconds(3), s.Runtime.GracePeriod);
        Assert.True(s.Runtime.Shutdown);
    }

    [Fact]
    public void Reads_a_psd1_style_tree()
    {
        var tree = new Hashtable
        {
            ["Metadata"] = new Hashtable { ["NonRoot"] = true, ["MaxLayers"] = 5 },
            ["Files"] = new object[] { new Hashtable { ["Path"] = "/etc/passwd", ["Mode"] = 644 } },
        };
        var s = SpecReader.FromTree(tree, "t.psd1");
        Assert.True(s.Metadata.NonRoot);
        Assert.Equal(5, s.Metadata.MaxLayers);
        Assert.Equal(0x1A4, FileChecks.ParseMode(s.Files[0].Mode!)!.Value.Bits);
    }

    [Fact]
    public void Reads_container_structure_test_files()
    {
        var yaml = """
            schemaVersion: 2.0.0
            globalEnvVars: []
            metadataTest:
              env:
                - key: PATH
                  value: /usr/bin
                  isRegex: true
              exposedPorts: ["8080"]
              user: "1000"
            fileExistenceTests:
              - name: app
                path: /app
                shouldExist: true
                permissions: drwxr-xr-x
                uid: 1000
            fileContentTests:
              - name: conf
                path: /etc/app.conf
                expectedContents: ['debug=false']
                excludedContents: ['password']
            commandTests:
              - name: version
                command: /app/bin
                args: ["--version"]
                expectedOutput: ['v1\.']
                exitCode: 0
            """;
        var warnings = new List<string>();
        var s = SpecReader.ReadYaml(yaml, "cst.yaml", warnings.Add);
        Assert.Single(warnings); // globalEnvVars
        Assert.True(s.Metadata.Env[0].IsRegex);
        Assert.Equal("1000", s.Metadata.User);
        Assert.Equal("directory", FileChecks.ParseMode(s.Files[0].Mode!)!.Value.Type);
        Assert.Equal(1000, s.Files[0].Uid);
        Assert.Equal("file", s.Files[1].Type);
        Assert.Equal(new[] { "password" }, s.Files[1].NotContains);
        Assert.Equal(new[] { "/app/bin", "--version" }, s.Commands[0].Command);
        Assert.Equal(@"v1\.", s.Commands[0].Stdout[0]);
    }

    [Theory]
    [InlineData("metadata:\n  nonroot: yes\n  maxSzie: 1\n", "maxSzie")]
    [InlineData("files:\n  - mode: '0644'\n", "path is required")]
    [InlineData("files:\n  - path: relative\n", "must be absolute")]
    [InlineData("runtime:\n  http:\n    - status: [700]\n", "not a status code")]
    [InlineData("runtime:\n  ready: { timeout: soon }\n", "not a duration")]
    [InlineData("metadata:\n  labelPatterns: { a: '([' }\n", "invalid regex")]
    [InlineData("schemaVersion: 3\n", "not known")]
    [InlineData("metadata: [1, 2]\n", "must be a mapping")]
    [InlineData("metadata:\n  nonRoot: [\n", "line")]
    public void Invalid_specs_say_what_is_wrong(string yaml, string fragment)
    {
        var e = Assert.Throws<DockOptException>(() => SpecReader.ReadYaml(yaml, "bad.yaml"));
        Assert.Equal("InvalidTestSpec", e.ErrorId);
        Assert.Contains(fragment, e.Message);
        Assert.NotNull(e.RecommendedAction);
    }

    [Theory]
    [InlineData("10", 10_000)]
    [InlineData("500ms", 500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1m30s", 90_000)]
    public void Durations(string s, double ms) => Assert.Equal(ms, SpecReader.Duration(s, "x", "x").TotalMilliseconds);

    [Theory]
    [InlineData("100", false, 100)]
    [InlineData("50MB", false, 50_000_000)]
    [InlineData("50MB", true, 52_428_800)]
    [InlineData("64MiB", false, 67_108_864)]
    [InlineData("512k", false, 512_000)]
    [InlineData("1g", true, 1_073_741_824)]
    public void Sizes(string s, bool binary, long bytes) => Assert.Equal(bytes, SpecReader.Size(s, "x", "x", binary));
}

public class FileCheckTests
{
    static ImageTestResult Make(string n, string e, string a, ImageTestOutcome o, string m) =>
        new() { Name = n, Expected = e, Actual = a, Outcome = o, Message = m };

    [Theory]
    [InlineData("0755", 0x1ED, null)]
    [InlineData("644", 0x1A4, null)]
    [InlineData("-rwxr-xr-x", 0x1ED, "file")]
    [InlineData("drwxrwxrwt", 0x3FF | 0x200, "directory")]
    [InlineData("-rwsr-xr-x", 0x9ED, "file")]
    public void Modes_parse(string s, int bits, string? type)
    {
        var m = FileChecks.ParseMode(s)!.Value;
        Assert.Equal(bits, m.Bits);
        Assert.Equal(type, m.Type);
    }

    [Fact]
    public void Mode_format_round_trips() => Assert.Equal("04755 (-rwsr-xr-x)", FileChecks.FormatMode(0x9ED, "file"));

    [Fact]
    public void Checks_a_file_entry()
    {
        var content = Encoding.UTF8.GetBytes("a=1\nsecret=no\n");
        var f = new FileSpec { Path = "/x", Type = "file", Mode = "0640", Uid = 1, Gid = 2, Sha256 = LayerBuilder.Sha(content).Substring(7) };
        f.Contains.Add("^a=1$");
        f.NotContains.Add("secret=yes");
        var e = new ImageFileEntry { Path = "/x", Type = "file", Mode = 0x1A0, Uid = 1, Gid = 3, Size = content.Length, Content = content };
        var r = FileChecks.Check(f, e, Make).ToDictionary(x => x.Name, x => x.Outcome);
        Assert.Equal(ImageTestOutcome.Passed, r["/x exists"]);
        Assert.Equal(ImageTestOutcome.Passed, r["/x type"]);
        Assert.Equal(ImageTestOutcome.Passed, r["/x mode"]);
        Assert.Equal(ImageTestOutcome.Failed, r["/x owner"]);
        Assert.Equal(ImageTestOutcome.Passed, r["/x contains /^a=1$/"]);
        Assert.Equal(ImageTestOutcome.Passed, r["/x does not contain /secret=yes/"]);
        Assert.Equal(ImageTestOutcome.Passed, r["/x SHA-256"]);
        Assert.Equal(ImageTestOutcome.Failed, FileChecks.Check(new FileSpec { Path = "/x" }, null, Make).Single().Outcome);
        Assert.Equal(ImageTestOutcome.Passed, FileChecks.Check(new FileSpec { Path = "/x", Exists = false }, null, Make).Single().Outcome);
    }
}

public class LayerFileSourceTests
{
    [Fact]
    public async Task Applies_layers_whiteouts_opaque_dirs_and_symlinked_dirs()
    {
        var l1 = new LayerBuilder()
            .Dir("etc").File("etc/passwd", "root:x:0:0::/:/bin/sh\n")
            .Dir("usr").Dir("usr/bin").File("usr/bin/tool", "v1", mode: 0x1ED)
            .Symlink("bin", "usr/bin")
            .Dir("usr/lib").File("usr/lib/os-release", "ID=test\n").Symlink("etc/os-release", "../usr/lib/os-release")
            .Dir("old").File("old/a", "a").File("gone", "g")
            .Build();
        var l2 = new LayerBuilder()
            .File("etc/passwd", "root:x:0:0::/:/bin/sh\napp:x:0:0::/:/bin/sh\n", uid: 0, gid: 0)
            .Whiteout("gone")
            .Opaque("old").File("old/b", "b", mode: 0x180, uid: 7, gid: 8)
            .Build();
        var archive = TestArchives.DockerSave(l1, l2);
        var src = new LayerFileSource(_ => ImageSource.FromStream(_ => Task.FromResult<Stream>(new MemoryStream(archive)), "test"));
        var r = await src.ReadAsync("img", new[] { "/etc/passwd", "/gone", "/old/a", "/old/b", "/bin/tool", "/usr/bin", "/nope", "/etc/os-release" },
            new[] { "/etc/passwd", "/bin/tool", "/etc/os-release" }, CancellationToken.None);
        Assert.Equal("symlink", r["/etc/os-release"]!.Type);
        Assert.Equal("../usr/lib/os-release", r["/etc/os-release"]!.LinkTarget);
        Assert.Equal("ID=test\n", Encoding.UTF8.GetString(r["/etc/os-release"]!.Content!));
        Assert.Contains("app:x:0:0", Encoding.UTF8.GetString(r["/etc/passwd"]!.Content!));
        Assert.Null(r["/gone"]);
        Assert.Null(r["/old/a"]);
        Assert.Equal(0x180, r["/old/b"]!.Mode);
        Assert.Equal(7, r["/old/b"]!.Uid);
        Assert.Equal("file", r["/bin/tool"]!.Type);
        Assert.Equal("v1", Encoding.UTF8.GetString(r["/bin/tool"]!.Content!));
        Assert.Equal(LayerBuilder.Sha(Encoding.UTF8.GetBytes("v1")).Substring(7), r["/bin/tool"]!.Sha256);
        Assert.Equal("directory", r["/usr/bin"]!.Type);
        Assert.Null(r["/nope"]);
    }

    [Fact]
    public async Task Symlinked_files_and_dirs_resolve_in_one_export_of_the_image()
    {
        // Debian's layout: bin → usr/bin and etc/os-release → ../usr/lib/os-release come before usr/ in the stream.
        var l1 = new LayerBuilder()
            .Symlink("bin", "usr/bin").Dir("etc").File("etc/passwd", "root:x:0:0::/:/bin/sh\n")
            .Symlink("etc/os-release", "../usr/lib/os-release").Symlink("etc/loop", "loop")
            .Dir("usr").Dir("usr/bin").File("usr/bin/tool", "v1").Dir("usr/lib").File("usr/lib/os-release", "ID=new\n")
            .Build();
        var archive = TestArchives.DockerSave(l1);
        var exports = 0;
        var src = new LayerFileSource(_ =>
        {
            exports++;
            return ImageSource.FromStream(_ => Task.FromResult<Stream>(new MemoryStream(archive)), "test");
        });
        var r = await src.ReadAsync("img", new[] { "/etc/passwd", "/etc/os-release", "/bin/tool", "/etc/loop" },
            new[] { "/etc/passwd", "/etc/os-release", "/bin/tool", "/etc/loop" }, CancellationToken.None);
        Assert.Equal(1, exports);
        Assert.Equal("symlink", r["/etc/os-release"]!.Type);
        Assert.Equal("ID=new\n", Encoding.UTF8.GetString(r["/etc/os-release"]!.Content!));
        Assert.Equal("v1", Encoding.UTF8.GetString(r["/bin/tool"]!.Content!));
        Assert.Contains("root:x:0:0", Encoding.UTF8.GetString(r["/etc/passwd"]!.Content!));
        Assert.Equal("symlink", r["/etc/loop"]!.Type);
        Assert.Null(r["/etc/loop"]!.Content);
    }

    [Fact]
    public async Task A_symlink_target_that_went_by_before_the_link_costs_one_more_export()
    {
        // In the stream the file comes before the link that leads to it.
        var l1 = new LayerBuilder().Dir("usr").Dir("usr/lib").File("usr/lib/os-release", "ID=test\n")
            .Dir("etc").Symlink("etc/os-release", "/usr/lib/os-release").Build();
        var archive = TestArchives.DockerSave(l1);
        var exports = 0;
        var src = new LayerFileSource(_ =>
        {
            exports++;
            return ImageSource.FromStream(_ => Task.FromResult<Stream>(new MemoryStream(archive)), "test");
        });
        var r = await src.ReadAsync("img", new[] { "/etc/os-release" }, new[] { "/etc/os-release" }, CancellationToken.None);
        Assert.Equal(2, exports);
        Assert.Equal("ID=test\n", Encoding.UTF8.GetString(r["/etc/os-release"]!.Content!));
    }
}

public class ReportTests
{
    [Fact]
    public void Percentiles_use_nearest_rank()
    {
        var v = Enumerable.Range(1, 20).Select(i => (double)i).ToList();
        Assert.Equal(10, HttpChecks.Percentile(v, 50));
        Assert.Equal(19, HttpChecks.Percentile(v, 95));
        Assert.Equal(5, HttpChecks.Percentile(new List<double> { 5 }, 95));
    }

    [Fact]
    public void Json_paths()
    {
        using var d = JsonDocument.Parse("""{"status":"ok","items":[{"n":1},{"n":2.5}],"ok":true,"x":null}""");
        Assert.Equal("ok", HttpChecks.JsonPath(d.RootElement, "status"));
        Assert.Equal("2.5", HttpChecks.JsonPath(d.RootElement, "items.1.n"));
        Assert.Equal("true", HttpChecks.JsonPath(d.RootElement, "ok"));
        Assert.Equal("null", HttpChecks.JsonPath(d.RootElement, "x"));
        Assert.Null(HttpChecks.JsonPath(d.RootElement, "items.5"));
    }

    [Fact]
    public void JUnit_has_counts_jenkins_needs_and_strips_control_characters()
    {
        var results = new List<ImageTestResult>
        {
            new() { Image = "a:1", Category = "Metadata", Name = "ok", Outcome = ImageTestOutcome.Passed },
            new() { Image = "a:1", Category = "Startup", Name = "starts", Outcome = ImageTestOutcome.Failed, Message = "exited\u0001 3", Detail = "log\u001b[31m" },
            new() { Image = "b:1", Category = "Http", Name = "get", Outcome = ImageTestOutcome.Error, Message = "no port" },
            new() { Image = "b:1", Category = "Shutdown", Name = "stop", Outcome = ImageTestOutcome.Skipped, Message = "not ready" },
        };
        var ms = new MemoryStream();
        JUnitReport.Write(ms, results, new List<ImageTestSummary> { new() { Image = "a:1", ImageId = "sha256:ab", Duration = TimeSpan.FromSeconds(2) } });
        var x = XDocument.Parse(Encoding.UTF8.GetString(ms.ToArray()));
        var root = x.Root!;
        Assert.Equal("testsuites", root.Name.LocalName);
        Assert.Equal("4", (string?)root.Attribute("tests"));
        Assert.Equal("1", (string?)root.Attribute("failures"));
        Assert.Equal("1", (string?)root.Attribute("errors"));
        Assert.Equal("1", (string?)root.Attribute("skipped"));
        var suites = root.Elements("testsuite").ToList();
        Assert.Equal(new[] { "a:1", "b:1" }, suites.Select(s => (string?)s.Attribute("name")));
        Assert.Equal("2", (string?)suites[0].Attribute("time"));
        Assert.Equal("exited 3", (string?)suites[0].Elements("testcase").ElementAt(1).Element("failure")!.Attribute("message"));
        Assert.NotNull(suites[1].Elements("testcase").First().Element("error"));
        Assert.NotNull(suites[1].Elements("testcase").Last().Element("skipped"));
    }

    [Fact]
    public void JUnit_file_is_written_through_a_temp_file()
    {
        var dir = Directory.CreateTempSubdirectory("dockopt-junit");
        try
        {
            var path = Path.Combine(dir.FullName, "r.xml");
            File.WriteAllText(path, "old");
            JUnitReport.Write(path, new List<ImageTestResult> { new() { Image = "a", Category = "Suite", Name = "n", Outcome = ImageTestOutcome.Passed } },
                new List<ImageTestSummary>());
            Assert.StartsWith("<?xml", File.ReadAllText(path));
            Assert.Single(Directory.GetFiles(dir.FullName));
            var e = Assert.Throws<DockOptException>(() => JUnitReport.Write(Path.Combine(dir.FullName, "no", "r.xml"),
                new List<ImageTestResult>(), new List<ImageTestSummary>()));
            Assert.Equal(ErrorIds.ReportFolderNotFound, e.ErrorId);
        }
        finally { dir.Delete(true); }
    }
}
