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
        var img = Image();
        img.Entrypoint = new[] { "/bin/sh", "-c", "app --serve" };
        var r = MetadataChecks.Run(img, new MetadataSpec { ExecForm = true }, null, Make).Single();
        Assert.Equal(ImageTestOutcome.Failed, r.Outcome);
        Assert.Contains("stop signal", r.Message);
        Assert.Contains("exec", r.Message);
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
        Assert.Empty(warnings); // globalEnvVars is read (commands get it)
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

public class ExecFormCheckTests
{
    static ExecFormCheck.Verdict Judge(string[] ep, string[] cmd, bool init = false, string? signal = null) => ExecFormCheck.Judge(ep, cmd, init, signal);
    static string[] Sh(string script) => new[] { "/bin/sh", "-c", script };

    [Theory]
    // The issue's own example: the fix DockOpt recommends must pass.
    [InlineData("exec httpd -f -p 8080 -h /www")]
    [InlineData("echo starting; exec httpd -f -p 8080")]
    [InlineData("set -e\nmkdir -p /run/app && chown app /run/app\nexec \"$@\"")]
    [InlineData("cd /app && exec python -m flask run --host 0.0.0.0 # comment ; not a command")]
    [InlineData("exec 2>&1; exec nginx -g 'daemon off;'")]
    public void Sh_c_script_ending_in_exec_passes(string script)
    {
        var v = Judge(Array.Empty<string>(), Sh(script));
        Assert.True(v.Ok, v.Reason);
        Assert.Contains("exec", v.Reason);
    }

    [Theory]
    [InlineData("exec 2>&1; httpd -f")] // exec with a redirection only does not replace the shell
    [InlineData("exec httpd -f & wait")] // not the last command
    [InlineData("httpd -f -p 8080")]
    [InlineData("trap '' TERM; echo up; while true; do sleep 1; done")] // ignores TERM
    [InlineData("trap 'kill $pid' INT; httpd -f & pid=$!; wait $pid")] // forwards the wrong signal
    [InlineData("echo 'exec app'; app")] // 'exec' inside a string
    public void Sh_c_script_that_keeps_the_shell_as_pid1_fails(string script)
    {
        var v = Judge(Array.Empty<string>(), Sh(script));
        Assert.False(v.Ok, script);
        Assert.Contains("exec form", v.Reason);
    }

    [Theory]
    [InlineData("trap 'kill $pid; wait $pid; exit 0' TERM\nhttpd -f -p 8080 &\npid=$!\nwait $pid", "SIGTERM")]
    [InlineData("trap \"kill -TERM $child\" SIGTERM INT; app & child=$!; wait \"$child\"", "SIGTERM")]
    [InlineData("trap 'kill -QUIT $p' QUIT; nginx & p=$!; wait $p", "SIGQUIT")]
    [InlineData("trap 'exit 0' 15; while :; do sleep 1; done", "SIGTERM")]
    public void Sh_c_script_that_traps_the_stop_signal_and_forwards_it_passes(string script, string signal)
    {
        var v = Judge(Array.Empty<string>(), Sh(script), signal: signal);
        Assert.True(v.Ok, v.Reason);
        Assert.Contains("traps " + signal, v.Reason);
    }

    [Fact]
    public void Trap_on_term_does_not_count_when_the_stop_signal_is_quit()
    {
        Assert.False(Judge(Array.Empty<string>(), Sh("trap 'kill $p' TERM; nginx & p=$!; wait $p"), signal: "SIGQUIT").Ok);
    }

    [Theory]
    [InlineData("/sbin/tini", "tini")]
    [InlineData("tini", "tini")]
    [InlineData("/usr/bin/dumb-init", "dumb-init")]
    [InlineData("/init", "init")]
    [InlineData("catatonit", "catatonit")]
    public void An_init_as_pid1_passes_even_with_a_shell_form_cmd(string init, string name)
    {
        var v = Judge(new[] { init, "--" }, Sh("httpd -f -p 8080"));
        Assert.True(v.Ok, v.Reason);
        Assert.StartsWith(name + " is PID 1", v.Reason);
    }

    [Fact]
    public void Init_flag_passes_a_shell_form_cmd_and_a_relative_init_is_not_an_init()
    {
        Assert.True(Judge(Array.Empty<string>(), Sh("httpd -f"), init: true).Ok);
        Assert.False(Judge(Array.Empty<string>(), Sh("httpd -f")).Ok);
        Assert.Null(ExecFormCheck.InitName("init"));
        Assert.Null(ExecFormCheck.InitName("/app/server"));
    }

    [Fact]
    public void Shell_form_entrypoint_ignores_cmd_and_exec_form_passes()
    {
        Assert.False(Judge(Sh("app"), new[] { "--port", "1" }).Ok);
        Assert.True(Judge(new[] { "/app/start.sh" }, new[] { "sh", "-c", "x" }).Ok);
        Assert.False(Judge(Array.Empty<string>(), Array.Empty<string>()).Ok);
    }

    [Fact]
    public void Split_respects_quotes_comments_and_redirections()
    {
        Assert.Equal(new[] { "a 'b;c'", "d \"e&f\" >&2", "g" }, ExecFormCheck.SplitCommands("a 'b;c'; d \"e&f\" >&2 && g # h; i"));
    }
}

public class ResourceVerdictTests
{
    static (List<ImageTestResult> Results, ImageTestSummary Summary) Report(Action<ImageTester.Stats> fill, RuntimeSpec rt)
    {
        var run = new ImageTester.Run { Image = "img", ImageId = "sha256:1" };
        var stats = new ImageTester.Stats();
        fill(stats);
        var summary = new ImageTestSummary();
        ImageTester.ReportResources(run, stats, rt, null, summary);
        return (run.Results, summary);
    }

    [Fact]
    public void Zero_samples_are_errors_for_memory_cpu_and_pids_never_passes()
    {
        var rt = new RuntimeSpec { Resources = new ResourceSpec { MaxCpuPercent = 50, MaxMemory = 1 << 20 } };
        var (r, _) = Report(_ => { }, rt);
        Assert.Equal(new[] { "Peak memory", "CPU", "PIDs" }, r.Select(x => x.Name));
        Assert.All(r, x => Assert.Equal(ImageTestOutcome.Error, x.Outcome));
        Assert.All(r, x => Assert.Equal("no stats sample", x.Actual));
    }

    [Fact]
    public void Memory_sampled_but_no_cpu_reading_is_a_cpu_error_not_zero_percent()
    {
        var (r, summary) = Report(s => { s.Samples = 1; s.PeakMemory = 1000; s.Limit = 1 << 30; s.PeakPids = 2; s.PidSamples = 1; }, new RuntimeSpec());
        Assert.Equal(ImageTestOutcome.Passed, r.Single(x => x.Name == "Peak memory").Outcome);
        var cpu = r.Single(x => x.Name == "CPU");
        Assert.Equal(ImageTestOutcome.Error, cpu.Outcome);
        Assert.Equal("no CPU sample", cpu.Actual);
        Assert.Equal(ImageTestOutcome.Passed, r.Single(x => x.Name == "PIDs").Outcome);
        Assert.Equal(1000, summary.PeakMemory);
    }

    [Fact]
    public void Cpu_with_samples_is_judged_and_a_limit_the_engine_did_not_apply_fails()
    {
        var rt = new RuntimeSpec { Memory = 64L << 20, Resources = new ResourceSpec { MaxCpuPercent = 50 } };
        var (r, _) = Report(s => { s.Samples = 3; s.PeakMemory = 1000; s.Limit = 8L << 30; s.CpuSamples = 2; s.PeakCpu = 80; s.CpuSum = 100; s.PidSamples = 3; s.PeakPids = 1; }, rt);
        Assert.Equal(ImageTestOutcome.Failed, r.Single(x => x.Name == "CPU").Outcome);
        Assert.Equal(ImageTestOutcome.Failed, r.Single(x => x.Name == "Memory limit applied").Outcome);
    }
}

/// <summary>container-structure-test's own amd64 specs (Data/container-structure-test, copied verbatim; see its README).</summary>
[Collection(ProcessStateCollection.Name)]
public class CstConformanceTests
{
    static string Dir([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "Data", "container-structure-test", "tests", "amd64");

    static (ImageTestSpec Spec, List<string> Warnings) Read(string file)
    {
        var path = Path.Combine(Dir(), file);
        var warnings = new List<string>();
        var spec = SpecReader.ReadYaml(File.ReadAllText(path), path, warnings.Add);
        return (spec, warnings);
    }

    public static IEnumerable<object[]> Files() => Directory.GetFiles(Dir(), "*.yaml").Select(f => new object[] { Path.GetFileName(f) });

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_spec_is_recognised_and_every_key_read_without_warnings(string file)
    {
        var (spec, warnings) = Read(file);
        Assert.True(spec.IsContainerStructureTest);
        Assert.Empty(warnings);
        Assert.True(spec.Metadata.Env.Count + spec.Metadata.AbsentEnvNames.Count + spec.Files.Count + spec.Commands.Count + spec.Licenses.Count > 0);
        Assert.All(spec.Commands, c => Assert.True(c.Separate)); // each in a container of its own, as container-structure-test runs them
    }

    [Fact]
    public void The_seven_amd64_specs_are_all_there() => Assert.Equal(7, Files().Count());

    [Fact]
    public void Schema_1_0_0_with_command_tests_is_read_not_rejected()
    {
        var (s, _) = Read("ubuntu_22_04_failure_test.yaml");
        Assert.Equal(new[] { "bad apt-get-command", "apt-config", "path" }, s.Commands.Select(c => c.Name));
        Assert.Equal(new[] { "apt-get", "dslkfjasl" }, s.Commands[0].Command);
        Assert.Equal(1, s.Commands[0].ExitCode);
        Assert.Equal(new[] { ".*Invalid operation dslkfjasl.*" }, s.Commands[0].Stderr);
        Assert.Equal(new[] { ".*FAIL.*" }, s.Commands[0].NotStderr);
        Assert.Equal(4, s.Files.Count);
        Assert.True(s.Files.Single(f => f.Name == "Fake Dir").Exists);
        Assert.Equal("-rwxrwxrwx", s.Files.Single(f => f.Name == "Wrong permissions").Mode);
        Assert.True(Assert.Single(s.Licenses).Debian);
        Assert.Empty(s.Licenses[0].Files);
    }

    [Fact]
    public void Metadata_spec_reads_envVars_unboundEnvVars_labels_unexposedPorts_unmountedVolumes()
    {
        var (s, _) = Read("ubuntu_22_04_metadata_test.yaml");
        var md = s.Metadata;
        Assert.Equal(new[] { "SOME_KEY", "EMPTY_VAR", "FOO_BAR", "REGEX_VAR" }, md.Env.Select(e => e.Key));
        Assert.Equal(@"FOO\:BAR=BAZ", md.Env[2].Value);
        Assert.Equal("", md.Env[1].Value);
        Assert.True(md.Env[3].IsRegex);
        Assert.Equal(new[] { "BAR_FOO" }, md.AbsentEnvNames);
        Assert.Equal(3, md.Labels.Count);
        Assert.True(md.Labels[1].IsRegex);
        Assert.Equal("", md.Labels[2].Value);
        Assert.Equal(new[] { "80" }, md.UnexposedPorts);
        Assert.Equal(new[] { "/root" }, md.UnmountedVolumes);
    }

    [Fact]
    public void Main_spec_reads_uid_gid_isExecutableBy_shouldExist_default_and_license_files()
    {
        var (s, _) = Read("ubuntu_22_04_test.yaml");
        var root = s.Files.Single(f => f.Name == "Root");
        Assert.Equal((0L, 0L), (root.Uid!.Value, root.Gid!.Value));
        Assert.Equal("owner", s.Files.Single(f => f.Name == "Date").ExecutableBy);
        Assert.True(s.Files.Single(f => f.Name == "Machine ID").Exists); // shouldExist defaults to true
        Assert.False(s.Files.Single(f => f.Name == "Dummy File").Exists);
        Assert.Null(s.Files.Single(f => f.Name == "Hosts File").Uid); // no uid: not checked
        Assert.Equal(new[] { "apt-get", "help" }, s.Commands[0].Command);
        var l = Assert.Single(s.Licenses);
        Assert.False(l.Debian);
        Assert.Equal(new[] { "/usr/share/doc/ubuntu-keyring/copyright", "/usr/share/doc/dash/copyright" }, l.Files);
    }

    [Fact]
    public void ContainerRunOptions_privileged_capabilities_bindMounts_user_envVars_envFile()
    {
        var (opts, _) = Read("ubuntu_22_04_containeropts_test.yaml");
        Assert.True(opts.Runtime.Privileged);
        Assert.Equal(new[] { "CAP_SYS_ADMIN" }, opts.Runtime.CapAdd);
        Assert.Equal(new[] { "/tmp/test:/tmp/test" }, opts.Runtime.Binds);
        Assert.Equal(new[] { "capsh", "--print" }, opts.Commands[0].Command);
        var host = ImageTester.RunHostConfig(opts.Runtime);
        Assert.True(host["Privileged"]!.GetValue<bool>());
        Assert.Equal("CAP_SYS_ADMIN", host["CapAdd"]![0]!.GetValue<string>());
        Assert.Equal("/tmp/test:/tmp/test", host["Binds"]![0]!.GetValue<string>());

        Assert.Equal("root", Read("ubuntu_22_04_containeropts_user_test.yaml").Spec.Runtime.User);
        Assert.Equal(new[] { "bash", "-c", "whoami\napt-get update\n" }, Read("ubuntu_22_04_containeropts_user_test.yaml").Spec.Commands[0].Command);

        var env = Read("ubuntu_22_04_containeropts_env_test.yaml").Spec.Runtime;
        Assert.Equal(new[] { "FOO", "BAR" }, env.HostEnv);
        Environment.SetEnvironmentVariable("FOO", "keepitsecret!");
        try { Assert.Equal("keepitsecret!", ImageTester.RunEnvironment(env)["FOO"]); }
        finally { Environment.SetEnvironmentVariable("FOO", null); }

        // envFile: tests/envfile, relative to where container-structure-test runs (its repository root): found from the spec's folder up.
        var file = Read("ubuntu_22_04_containeropts_envfile_test.yaml").Spec.Runtime;
        Assert.Equal("keepitsecret!", file.Environment["FOO"]);
        Assert.Equal("keepitsafe!", file.Environment["BAR"]);
    }

    [Theory]
    [InlineData("schemaVersion: '1.0.0'\nfileExistenceTests:\n- name: x\n  path: /x\n")]
    [InlineData("schemaVersion: '2.0.0'\nmetadataTest:\n  user: app\n")]
    [InlineData("fileContentTests:\n- name: x\n  path: /x\n  expectedContents: [a]\n")]
    [InlineData("licenseTests:\n- debian: true\n")]
    public void Recognised_by_its_keys_whatever_the_schema_version(string yaml)
    {
        Assert.True(SpecReader.ReadYaml(yaml, "x.yaml").IsContainerStructureTest);
    }

    [Fact]
    public void DockOpt_specs_stay_DockOpt()
    {
        Assert.False(SpecReader.ReadYaml("schemaVersion: dockopt/v1\nmetadata: { nonRoot: true }\n", "x.yaml").IsContainerStructureTest);
        Assert.False(SpecReader.ReadYaml("files:\n  - path: /x\n", "x.yaml").IsContainerStructureTest);
    }

    [Theory]
    [InlineData("owner", 0b111_000_000, true)]
    [InlineData("owner", 0b110_111_111, false)]
    [InlineData("group", 0b000_001_000, true)]
    [InlineData("other", 0b111_111_110, false)]
    [InlineData("any", 0b000_000_001, true)]
    [InlineData("any", 0b110_110_110, false)]
    public void IsExecutableBy_checks_that_bit(string who, int mode, bool ok)
    {
        var f = new FileSpec { Path = "/x", ExecutableBy = who };
        var e = new ImageFileEntry { Path = "/x", Type = "file", Mode = mode };
        var r = FileChecks.Check(f, e, (n, ex, a, o, m) => new ImageTestResult { Name = n, Outcome = o, Message = m }).Single(x => x.Name.Contains("executable"));
        Assert.Equal(ok ? ImageTestOutcome.Passed : ImageTestOutcome.Failed, r.Outcome);
    }
}

public class SystemCheckTests
{
    // /proc/net/tcp and udp as Linux 5.x prints them (a busybox httpd on 8080, a client connection, a bound UDP socket on 5353).
    const string Tcp = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41231 1 0000000000000000 100 0 0 10 0
           1: 0100007F:9C40 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 41999 1 0000000000000000 20 4 30 10 -1
        """;
    const string Udp = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
          12: 00000000:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 41234 2 0000000000000000 0
        """;

    [Fact]
    public void Listening_ports_are_tcp_in_listen_state_and_bound_udp()
    {
        var p = SystemChecks.ListeningPorts(new[] { ("tcp", Tcp), ("udp", Udp) });
        Assert.Equal(new[] { "5353/udp", "8080/tcp" }, p.OrderBy(x => x));
    }

    [Fact]
    public void Process_names_are_basenames_and_comm_prefixes()
    {
        var n = SystemChecks.ProcessNames(new[] { "/usr/sbin/nginx -g daemon off;", "python3 -m flask run", "/opt/app/a-very-long-process-name --x" });
        Assert.Contains("nginx", n);
        Assert.Contains("python3", n);
        Assert.Contains("a-very-long-pro", n);
    }

    [Fact]
    public void Users_groups_and_packages_from_the_image_files()
    {
        var files = new Dictionary<string, ImageFileEntry?>
        {
            ["/etc/passwd"] = new() { Path = "/etc/passwd", Content = Encoding.UTF8.GetBytes("root:x:0:0:root:/root:/bin/bash\nweb:x:10001:10001::/srv:/bin/false\n") },
            ["/etc/group"] = new() { Path = "/etc/group", Content = Encoding.UTF8.GetBytes("root:x:0:\nweb:x:10001:\n") },
            ["/var/lib/dpkg/status"] = new() { Path = "/var/lib/dpkg/status", Content = Encoding.UTF8.GetBytes("Package: dash\nStatus: install ok installed\nVersion: 0.5.12-2\n\nPackage: old\nStatus: deinstall ok config-files\nVersion: 1\n") },
            ["/lib/apk/db/installed"] = null,
        };
        var spec = SpecReader.ReadYaml("system:\n  users: [{ name: web, uid: 10001, shell: /bin/sh }]\n  groups: [web, { name: nope, exists: false }]\n  packages: [{ name: dash, version: '^0\\.5' }, old]\n", "s.yaml").System;
        var r = SystemChecks.CheckImage(spec, files, (n, e, a, o, m) => new ImageTestResult { Name = n, Actual = a, Outcome = o, Message = m }).ToDictionary(x => x.Name);
        Assert.Equal(ImageTestOutcome.Passed, r["User web exists"].Outcome);
        Assert.Equal(ImageTestOutcome.Passed, r["User web uid"].Outcome);
        Assert.Equal(ImageTestOutcome.Failed, r["User web shell"].Outcome);
        Assert.Equal(ImageTestOutcome.Passed, r["Group web exists"].Outcome);
        Assert.Equal(ImageTestOutcome.Passed, r["Group nope absent"].Outcome);
        Assert.Equal(ImageTestOutcome.Passed, r["Package dash installed"].Outcome);
        Assert.Equal(ImageTestOutcome.Failed, r["Package old installed"].Outcome); // config-files only: not installed
    }

    [Fact]
    public void Ports_read_with_protocol()
    {
        var s = SpecReader.ReadYaml("system:\n  ports: [8080, 'udp:53', 53/udp, { name: 22, listening: false }]\n", "s.yaml").System;
        Assert.Equal(new[] { "8080/tcp", "53/udp", "53/udp", "22/tcp" }, s.Ports.Select(p => p.Name));
        Assert.False(s.Ports[3].Present);
    }
}

public class ImageTestReportTests
{
    static string Data([System.Runtime.CompilerServices.CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "Data");

    static readonly Lazy<Json.Schema.JsonSchema> Sarif = new(() =>
    {
        // Draft-04; read as draft-07 with the root id as $id (no other keyword it uses changed meaning).
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Data(), "sarif", "sarif-schema-2.1.0.json")))!.AsObject();
        node["$schema"] = "http://json-schema.org/draft-07/schema#";
        node["$id"] = (string?)node["id"];
        node.Remove("id");
        return Json.Schema.JsonSchema.FromText(node.ToJsonString());
    });

    static (List<ImageTestResult>, List<ImageTestSummary>) Sample()
    {
        ImageTestResult R(string img, string cat, string name, ImageTestOutcome o, string msg = "") => new()
        {
            Image = img, ImageId = "sha256:" + new string('a', 64), Category = cat, Name = name, Outcome = o, Expected = "x", Actual = "y", Message = msg,
            Duration = TimeSpan.FromMilliseconds(1500), Timestamp = new DateTime(2026, 12, 1, 15, 0, 0, DateTimeKind.Utc),
        };
        var results = new List<ImageTestResult>
        {
            R("app:1", "Metadata", "Runs as non-root user", ImageTestOutcome.Passed),
            R("app:1", "Files", "/etc/os-release exists", ImageTestOutcome.Failed, "missing"),
            R("app:1", "Shutdown", "Stops gracefully", ImageTestOutcome.Skipped, "exited"),
            R("web:2", "Command", "version", ImageTestOutcome.Error, "could not run"),
        };
        var summaries = new List<ImageTestSummary>
        {
            new() { Image = "app:1", ImageId = "sha256:" + new string('a', 64), Outcome = ImageTestOutcome.Failed, Duration = TimeSpan.FromSeconds(3), StartedAt = new DateTime(2026, 12, 1, 15, 0, 0, DateTimeKind.Utc) },
        };
        return (results, summaries);
    }

    [Fact]
    public void Sarif_is_valid_2_1_0_with_pass_fail_and_not_applicable_results()
    {
        var (results, summaries) = Sample();
        var sarif = ImageTestReports.ToSarif(results, summaries, "1.2.3");
        var eval = Sarif.Value.Evaluate(System.Text.Json.Nodes.JsonNode.Parse(sarif), new Json.Schema.EvaluationOptions { OutputFormat = Json.Schema.OutputFormat.List });
        Assert.True(eval.IsValid, string.Join("\n", (eval.Details ?? Array.Empty<Json.Schema.EvaluationResults>()).Where(d => d.HasErrors).Select(d => $"{d.InstanceLocation}: {string.Join(", ", d.Errors!.Values)}")));
        using var doc = JsonDocument.Parse(sarif);
        var runs = doc.RootElement.GetProperty("runs");
        Assert.Equal(2, runs.GetArrayLength());
        var kinds = runs[0].GetProperty("results").EnumerateArray().Select(r => r.GetProperty("kind").GetString()).ToList();
        Assert.Equal(new[] { "pass", "fail", "notApplicable" }, kinds);
        var failed = runs[0].GetProperty("results")[1];
        Assert.Equal("error", failed.GetProperty("level").GetString());
        Assert.Equal("etc/os-release", failed.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString());
        Assert.Equal("DOIT/Files/etc-os-release-exists", failed.GetProperty("ruleId").GetString());
        Assert.False(runs[1].GetProperty("invocations")[0].GetProperty("executionSuccessful").GetBoolean());
    }

    [Fact]
    public void Json_has_totals_per_image_and_every_check()
    {
        var (results, summaries) = Sample();
        using var doc = JsonDocument.Parse(ImageTestReports.ToJson(results, summaries));
        var root = doc.RootElement;
        Assert.Equal(4, root.GetProperty("total").GetInt32());
        Assert.Equal(1, root.GetProperty("failed").GetInt32());
        var app = root.GetProperty("images")[0];
        Assert.Equal("app:1", app.GetProperty("image").GetString());
        Assert.Equal("Failed", app.GetProperty("outcome").GetString());
        Assert.Equal(3, app.GetProperty("checks").GetArrayLength());
        Assert.Equal(1.5, app.GetProperty("checks")[0].GetProperty("durationSeconds").GetDouble());
        var web = root.GetProperty("images")[1];
        Assert.Equal("Error", web.GetProperty("outcome").GetString()); // no summary: the worst check decides
        Assert.False(web.GetProperty("success").GetBoolean());
    }
}
