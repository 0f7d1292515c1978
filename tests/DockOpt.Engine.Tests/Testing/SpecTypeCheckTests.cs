using System.Collections;
using DockOpt.Engine.Testing;

namespace DockOpt.Engine.Tests.Testing;

/// <summary>Issue 18 item 8: every spec value is type-checked; the error names the key and the expected type.</summary>
public class SpecTypeCheckTests
{
    static DockOptException Fails(string yaml)
    {
        var e = Assert.Throws<DockOptException>(() => SpecReader.ReadYaml(yaml, "bad.yaml"));
        Assert.Equal(ErrorIds.InvalidTestSpec, e.ErrorId);
        Assert.DoesNotContain("System.Collections", e.Message);
        Assert.NotNull(e.RecommendedAction);
        return e;
    }

    [Theory]
    // a list or a map where a scalar belongs
    [InlineData("metadata:\n  user: [root, web]\n", "metadata.user must be a string, not a list")]
    [InlineData("metadata:\n  workdir: { a: 1 }\n", "metadata.workdir must be a string, not a mapping")]
    [InlineData("metadata:\n  stopSignal: [TERM]\n", "metadata.stopSignal must be a string, not a list")]
    [InlineData("metadata:\n  labels: { maintainer: [a, b] }\n", "metadata.labels.maintainer must be a string, not a list")]
    [InlineData("metadata:\n  maxLayers: [3]\n", "metadata.maxLayers must be a whole number, not a list")]
    [InlineData("metadata:\n  maxSize: { mb: 5 }\n", "metadata.maxSize must be a size")]
    [InlineData("metadata:\n  nonRoot: [true]\n", "metadata.nonRoot must be true or false, not a list")]
    [InlineData("metadata:\n  env: { PATH: x }\n", "metadata.env must be a string or a list of strings, not a mapping")]
    [InlineData("metadata:\n  entrypoint: [/app, [x]]\n", "metadata.entrypoint[1] must be a string, not a list")]
    [InlineData("files:\n  - path: [/a, /b]\n", "files[0].path must be a string, not a list")]
    [InlineData("files:\n  - path: /a\n    mode: [755]\n", "files[0].mode must be octal permission bits, not a list")]
    [InlineData("files:\n  - path: /a\n    contains: { x: y }\n", "files[0].contains must be a string or a list of strings, not a mapping")]
    [InlineData("files:\n  - path: /a\n    uid: { a: 1 }\n", "files[0].uid must be a whole number, not a mapping")]
    [InlineData("commands:\n  - command: id\n    user: [root]\n", "commands[0].user must be a string, not a list")]
    [InlineData("commands:\n  - command: id\n    env: { A: [1] }\n", "commands[0].env.A must be a string, not a list")]
    [InlineData("commands:\n  - command: id\n    timeout: [5s]\n", "commands[0].timeout must be a duration")]
    [InlineData("runtime:\n  environment: { MODE: { a: b } }\n", "runtime.environment.MODE must be a string, not a mapping")]
    [InlineData("runtime:\n  user: { name: web }\n", "runtime.user must be a string, not a mapping")]
    [InlineData("runtime:\n  cpus: [1]\n", "runtime.cpus must be a number, not a list")]
    [InlineData("runtime:\n  memory: [64m]\n", "runtime.memory must be a size")]
    [InlineData("runtime:\n  ready: { log: [started] }\n", "runtime.ready.log must be a string, not a list")]
    [InlineData("runtime:\n  ready: { http: [/health] }\n", "runtime.ready.http must be a string, not a list")]
    [InlineData("runtime:\n  http:\n    - path: /\n      headers: { Accept: [a, b] }\n", "runtime.http[0].headers.Accept must be a string, not a list")]
    [InlineData("runtime:\n  http:\n    - path: [/a]\n", "runtime.http[0].path must be a string, not a list")]
    [InlineData("runtime:\n  http:\n    - path: /\n      expectJson: { status: { a: b } }\n", "runtime.http[0].expectJson.status must be a string, not a mapping")]
    [InlineData("services:\n  - name: [db]\n    image: x\n", "services[0].name must be a string, not a list")]
    [InlineData("services:\n  - name: db\n    image: { repo: x }\n", "services[0].image must be a string, not a mapping")]
    [InlineData("services:\n  - { name: proxy, image: x, after: [app] }\n", "services[0].after must be a string, not a list")]
    [InlineData("system:\n  users: [[web]]\n", "system.users[0] must be a string, not a list")]
    public void A_list_or_map_where_a_scalar_belongs_names_the_key_and_type(string yaml, string message) =>
        Assert.Contains(message, Fails(yaml).Message);

    [Theory]
    [InlineData("runtime:\n  ports: [0]\n", "runtime.ports[0] '0'")]
    [InlineData("runtime:\n  ports: [70000]\n", "runtime.ports[0] '70000'")]
    [InlineData("runtime:\n  ports: [-1]\n", "runtime.ports[0] '-1'")]
    [InlineData("runtime:\n  ports: [8080, abc/xyz]\n", "runtime.ports[1] 'abc/xyz'")]
    [InlineData("runtime:\n  ports: 8080/xyz\n", "runtime.ports '8080/xyz'")]
    [InlineData("runtime:\n  ports: [[8080]]\n", "runtime.ports[0] must be a string, not a list")]
    [InlineData("runtime:\n  ready: { httpPort: 0 }\n", "runtime.ready.httpPort '0'")]
    [InlineData("runtime:\n  http:\n    - path: /\n      port: 70000\n", "runtime.http[0].port '70000'")]
    [InlineData("metadata:\n  exposedPorts: [-1]\n", "metadata.exposedPorts[0] '-1'")]
    [InlineData("metadata:\n  unexposedPorts: [abc/xyz]\n", "metadata.unexposedPorts[0] 'abc/xyz'")]
    [InlineData("services:\n  - { name: db, image: x, ports: [65536] }\n", "services[0].ports[0] '65536'")]
    [InlineData("system:\n  ports: [0]\n", "system.ports '0/tcp'")]
    [InlineData("metadataTest:\n  exposedPorts: ['70000']\n", "metadataTest.exposedPorts[0] '70000'")]
    public void Ports_out_of_range_or_malformed_are_refused_before_the_engine(string yaml, string message)
    {
        var e = Fails(yaml);
        Assert.Contains(message, e.Message);
        if (!message.Contains("not a list")) Assert.Contains("1 to 65535", e.Message);
    }

    [Theory]
    [InlineData("runtime:\n  ports: [8080, 53/udp, 9000/TCP, '1', 65535/sctp]\n")]
    [InlineData("metadata:\n  exposedPorts: [80/tcp]\n  user: '1000'\n  maxLayers: 12\n")]
    [InlineData("system:\n  ports: [8080, 'udp:53', 53/udp, { name: 22, listening: false }]\n")]
    public void Valid_values_still_read(string yaml) => Assert.NotNull(SpecReader.ReadYaml(yaml, "ok.yaml"));

    [Fact]
    public void A_psd1_tree_gets_the_same_checks()
    {
        var tree = new Hashtable { ["runtime"] = new Hashtable { ["ports"] = new object[] { 8080, 70000 } } };
        var e = Assert.Throws<DockOptException>(() => SpecReader.FromTree(tree, "bad.psd1"));
        Assert.Contains("runtime.ports[1] '70000'", e.Message);
        var tree2 = new Hashtable { ["metadata"] = new Hashtable { ["user"] = new object[] { "a", "b" } } };
        Assert.Contains("metadata.user must be a string, not a list", Assert.Throws<DockOptException>(() => SpecReader.FromTree(tree2, "bad.psd1")).Message);
    }

    [Fact]
    public void A_service_starts_before_the_app_unless_it_says_after_app()
    {
        var spec = SpecReader.ReadYaml("services:\n  - { name: db, image: x }\n  - { name: proxy, image: y, ports: [8080], after: app }\n  - { name: p2, image: z, after: APP }\n", "ok.yaml");
        Assert.Equal(new[] { ("db", false), ("proxy", true), ("p2", true) }, spec.Services.Select(x => (x.Name, x.AfterApp)));
        var e = Fails("services:\n  - { name: proxy, image: y, after: db }\n");
        Assert.Contains("services[0].after 'db' is not 'app'", e.Message);
    }

    [Fact]
    public void A_health_interval_is_a_duration_of_at_least_a_second()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), SpecReader.ReadYaml("runtime:\n  healthInterval: 2s\n", "ok.yaml").Runtime.HealthInterval);
        Assert.Contains("runtime.healthInterval must be at least 1s", Fails("runtime:\n  healthInterval: 500ms\n").Message);
        Assert.Contains("runtime.healthInterval must be a duration", Fails("runtime:\n  healthInterval: [2s]\n").Message);
    }
}
