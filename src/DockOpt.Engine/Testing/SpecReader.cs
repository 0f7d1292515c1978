using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace DockOpt.Engine.Testing;

/// <summary>
/// Reads test specs: DockOpt's own schema (YAML, or a .psd1 hashtable the cmdlet hands over as a plain tree) and
/// container-structure-test YAML (schemaVersion 2.0.0: metadataTest, fileExistenceTests, fileContentTests, commandTests).
/// Unknown keys in DockOpt specs are errors (a typo must not silently drop a check).
/// </summary>
public static class SpecReader
{
    /// <summary>Reads a YAML file (DockOpt or container-structure-test).</summary>
    public static ImageTestSpec ReadYaml(string text, string source, Action<string>? warn = null)
    {
        object? tree;
        try
        {
            tree = new DeserializerBuilder().Build().Deserialize<object>(text);
        }
        catch (YamlException e)
        {
            throw Invalid(source, $"line {e.Start.Line}, column {e.Start.Column}: {(e.InnerException ?? e).Message}");
        }
        if (tree == null) throw Invalid(source, "the file is empty.");
        return FromTree(tree, source, warn);
    }

    /// <summary>Reads a spec from a tree of dictionaries, lists and scalars.</summary>
    public static ImageTestSpec FromTree(object tree, string source, Action<string>? warn = null)
    {
        var root = Map(tree, source, "");
        var spec = Get(root, "schemaVersion") is { } sv && Str(sv) == "2.0.0"
            ? ReadCst(root, source, warn ?? (_ => { }))
            : ReadDockOpt(root, source);
        spec.Source = source;
        return spec;
    }

    // ---------------------------------------------------------------- DockOpt schema

    static ImageTestSpec ReadDockOpt(Dictionary<string, object?> root, string src)
    {
        Known(root, src, "", "schemaVersion", "metadata", "files", "commands", "runtime");
        if (Get(root, "schemaVersion") is { } v && Str(v) is not ("dockopt/v1" or "1"))
            throw Invalid(src, $"schemaVersion '{Str(v)}' is not known: use 'dockopt/v1', or '2.0.0' for a container-structure-test file.");
        var spec = new ImageTestSpec();
        if (Get(root, "metadata") is { } md) ReadMetadata(Map(md, src, "metadata"), spec.Metadata, src);
        if (Get(root, "files") is { } files)
        {
            var i = 0;
            foreach (var f in List(files, src, "files")) spec.Files.Add(ReadFile(Map(f, src, $"files[{i}]"), src, $"files[{i++}]"));
        }
        if (Get(root, "commands") is { } cmds)
        {
            var i = 0;
            foreach (var c in List(cmds, src, "commands")) spec.Commands.Add(ReadCommand(Map(c, src, $"commands[{i}]"), src, $"commands[{i++}]"));
        }
        if (Get(root, "runtime") is { } rt) ReadRuntime(Map(rt, src, "runtime"), spec.Runtime, src);
        return spec;
    }

    static void ReadMetadata(Dictionary<string, object?> m, MetadataSpec s, string src)
    {
        const string p = "metadata";
        Known(m, src, p, "nonRoot", "user", "exposedPorts", "unexposedPorts", "healthcheck", "execForm", "stopSignal", "labels",
            "labelPatterns", "env", "absentEnv", "maxSize", "maxLayers", "entrypoint", "cmd", "workdir");
        if (Get(m, "nonRoot") is { } nr) s.NonRoot = Bool(nr, src, p + ".nonRoot");
        if (Get(m, "user") is { } u) s.User = Str(u);
        if (Get(m, "exposedPorts") is { } ep) s.ExposedPorts.AddRange(Strings(ep, src, p + ".exposedPorts"));
        if (Get(m, "unexposedPorts") is { } up) s.UnexposedPorts.AddRange(Strings(up, src, p + ".unexposedPorts"));
        if (Get(m, "healthcheck") is { } hc)
        {
            if (hc is IDictionary || hc is Dictionary<string, object?>)
            {
                var h = Map(hc, src, p + ".healthcheck");
                Known(h, src, p + ".healthcheck", "maxInterval", "maxTimeout", "maxStartPeriod", "minRetries");
                s.Healthcheck = true;
                if (Get(h, "maxInterval") is { } a) s.HealthcheckMaxInterval = Duration(a, src, p + ".healthcheck.maxInterval");
                if (Get(h, "maxTimeout") is { } b) s.HealthcheckMaxTimeout = Duration(b, src, p + ".healthcheck.maxTimeout");
                if (Get(h, "maxStartPeriod") is { } c) s.HealthcheckMaxStartPeriod = Duration(c, src, p + ".healthcheck.maxStartPeriod");
                if (Get(h, "minRetries") is { } d) s.HealthcheckMinRetries = (int)Long(d, src, p + ".healthcheck.minRetries");
            }
            else s.Healthcheck = Bool(hc, src, p + ".healthcheck");
        }
        if (Get(m, "execForm") is { } ef) s.ExecForm = Bool(ef, src, p + ".execForm");
        if (Get(m, "stopSignal") is { } ss) s.StopSignal = Str(ss);
        if (Get(m, "labels") is { } l)
            foreach (var kv in Map(l, src, p + ".labels")) s.Labels.Add(new KeyMatch { Key = kv.Key, Value = kv.Value == null ? null : Str(kv.Value) });
        if (Get(m, "labelPatterns") is { } lp)
            foreach (var kv in Map(lp, src, p + ".labelPatterns"))
                s.Labels.Add(new KeyMatch { Key = kv.Key, Value = Regex(Str(kv.Value), src, $"{p}.labelPatterns.{kv.Key}"), IsRegex = true });
        if (Get(m, "env") is { } env) s.EnvNames.AddRange(Strings(env, src, p + ".env"));
        if (Get(m, "absentEnv") is { } ae) s.AbsentEnvNames.AddRange(Strings(ae, src, p + ".absentEnv"));
        if (Get(m, "maxSize") is { } ms) s.MaxSize = Size(ms, src, p + ".maxSize");
        if (Get(m, "maxLayers") is { } ml) s.MaxLayers = (int)Long(ml, src, p + ".maxLayers");
        if (Get(m, "entrypoint") is { } e) s.Entrypoint = Strings(e, src, p + ".entrypoint");
        if (Get(m, "cmd") is { } c2) s.Cmd = Strings(c2, src, p + ".cmd");
        if (Get(m, "workdir") is { } w) s.Workdir = Str(w);
    }

    static FileSpec ReadFile(Dictionary<string, object?> m, string src, string p)
    {
        Known(m, src, p, "name", "path", "exists", "type", "mode", "uid", "gid", "owner", "contains", "notContains", "sha256");
        var f = new FileSpec { Path = Required(m, "path", src, p) };
        if (!f.Path.StartsWith('/')) throw Invalid(src, $"{p}.path '{f.Path}' must be absolute.");
        if (Get(m, "name") is { } n) f.Name = Str(n);
        if (Get(m, "exists") is { } e) f.Exists = Bool(e, src, p + ".exists");
        if (Get(m, "type") is { } t)
        {
            f.Type = Str(t).ToLowerInvariant();
            if (f.Type is not ("file" or "directory" or "symlink" or "any"))
                throw Invalid(src, $"{p}.type '{f.Type}' must be file, directory, symlink or any.");
        }
        if (Get(m, "mode") is { } mode) f.Mode = ModeText(mode, src, p + ".mode");
        if (Get(m, "uid") is { } uid) f.Uid = Long(uid, src, p + ".uid");
        if (Get(m, "gid") is { } gid) f.Gid = Long(gid, src, p + ".gid");
        if (Get(m, "owner") is { } owner)
        {
            var parts = Str(owner).Split(':');
            f.Uid = Long(parts[0], src, p + ".owner");
            if (parts.Length > 1) f.Gid = Long(parts[1], src, p + ".owner");
        }
        if (Get(m, "contains") is { } c) f.Contains.AddRange(Strings(c, src, p + ".contains").Select(r => Regex(r, src, p + ".contains")));
        if (Get(m, "notContains") is { } nc) f.NotContains.AddRange(Strings(nc, src, p + ".notContains").Select(r => Regex(r, src, p + ".notContains")));
        if (Get(m, "sha256") is { } h)
        {
            f.Sha256 = Str(h).ToLowerInvariant().Replace("sha256:", "");
            if (f.Sha256.Length != 64 || !f.Sha256.All(Uri.IsHexDigit)) throw Invalid(src, $"{p}.sha256 must be 64 hex digits.");
        }
        return f;
    }

    static CommandSpec ReadCommand(Dictionary<string, object?> m, string src, string p)
    {
        Known(m, src, p, "name", "command", "timeout", "exitCode", "stdout", "stderr", "notStdout", "notStderr", "env", "user", "container");
        var c = new CommandSpec();
        var cmd = Get(m, "command") ?? throw Invalid(src, $"{p}.command is required.");
        c.Command = cmd is string s ? new[] { "/bin/sh", "-c", s } : Strings(cmd, src, p + ".command");
        if (c.Command.Length == 0) throw Invalid(src, $"{p}.command is empty.");
        c.Name = Get(m, "name") is { } n ? Str(n) : string.Join(" ", cmd is string s2 ? new[] { s2 } : c.Command);
        if (Get(m, "timeout") is { } t) c.Timeout = Duration(t, src, p + ".timeout");
        if (Get(m, "exitCode") is { } ec) c.ExitCode = Long(ec, src, p + ".exitCode");
        if (Get(m, "stdout") is { } o) c.Stdout.AddRange(Strings(o, src, p + ".stdout").Select(r => Regex(r, src, p + ".stdout")));
        if (Get(m, "stderr") is { } e) c.Stderr.AddRange(Strings(e, src, p + ".stderr").Select(r => Regex(r, src, p + ".stderr")));
        if (Get(m, "notStdout") is { } no) c.NotStdout.AddRange(Strings(no, src, p + ".notStdout").Select(r => Regex(r, src, p + ".notStdout")));
        if (Get(m, "notStderr") is { } ne) c.NotStderr.AddRange(Strings(ne, src, p + ".notStderr").Select(r => Regex(r, src, p + ".notStderr")));
        if (Get(m, "env") is { } env) foreach (var kv in Map(env, src, p + ".env")) c.Env[kv.Key] = Str(kv.Value);
        if (Get(m, "user") is { } u) c.User = Str(u);
        if (Get(m, "container") is { } ctr)
            c.Separate = Str(ctr).ToLowerInvariant() switch
            {
                "separate" => true,
                "app" => false,
                _ => throw Invalid(src, $"{p}.container must be 'app' (docker exec in the app container) or 'separate' (a container of its own)."),
            };
        return c;
    }

    static void ReadRuntime(Dictionary<string, object?> m, RuntimeSpec r, string src)
    {
        const string p = "runtime";
        Known(m, src, p, "start", "environment", "arguments", "memory", "cpus", "init", "ports", "ready", "http", "healthy", "resources", "shutdown");
        if (Get(m, "start") is { } st) r.Start = Bool(st, src, p + ".start");
        if (Get(m, "environment") is { } env) foreach (var kv in Map(env, src, p + ".environment")) r.Environment[kv.Key] = Str(kv.Value);
        if (Get(m, "arguments") is { } args) r.Arguments = Strings(args, src, p + ".arguments");
        if (Get(m, "memory") is { } mem) r.Memory = Size(mem, src, p + ".memory", binaryUnits: true);
        if (Get(m, "cpus") is { } cpus) r.Cpus = Double(cpus, src, p + ".cpus");
        if (Get(m, "init") is { } init) r.Init = Bool(init, src, p + ".init");
        if (Get(m, "ports") is { } ports) r.Ports.AddRange(Strings(ports, src, p + ".ports"));
        if (Get(m, "ready") is { } ready)
        {
            var rm = Map(ready, src, p + ".ready");
            Known(rm, src, p + ".ready", "healthy", "log", "http", "httpPort", "tcp", "timeout");
            if (Get(rm, "healthy") is { } h) r.Ready.Healthy = Bool(h, src, p + ".ready.healthy");
            if (Get(rm, "log") is { } l) r.Ready.LogPattern = Regex(Str(l), src, p + ".ready.log");
            if (Get(rm, "http") is { } hp) r.Ready.HttpPath = Str(hp);
            if (Get(rm, "httpPort") is { } hpp) r.Ready.HttpPort = Str(hpp);
            if (Get(rm, "tcp") is { } tcp) r.Ready.Tcp = Bool(tcp, src, p + ".ready.tcp");
            if (Get(rm, "timeout") is { } to) r.Ready.Timeout = Duration(to, src, p + ".ready.timeout");
        }
        if (Get(m, "http") is { } http)
        {
            var i = 0;
            foreach (var h in List(http, src, p + ".http")) r.Http.Add(ReadHttp(Map(h, src, $"{p}.http[{i}]"), src, $"{p}.http[{i++}]"));
        }
        if (Get(m, "healthy") is { } hy) r.Healthy = Bool(hy, src, p + ".healthy");
        if (Get(m, "resources") is { } res)
        {
            var rm = Map(res, src, p + ".resources");
            Known(rm, src, p + ".resources", "maxMemory", "maxCpuPercent", "maxPids", "maxStartup");
            var rs = new ResourceSpec();
            if (Get(rm, "maxMemory") is { } a) rs.MaxMemory = Size(a, src, p + ".resources.maxMemory", binaryUnits: true);
            if (Get(rm, "maxCpuPercent") is { } b) rs.MaxCpuPercent = Double(b, src, p + ".resources.maxCpuPercent");
            if (Get(rm, "maxPids") is { } c) rs.MaxPids = Long(c, src, p + ".resources.maxPids");
            if (Get(rm, "maxStartup") is { } d) rs.MaxStartup = Duration(d, src, p + ".resources.maxStartup");
            r.Resources = rs;
        }
        if (Get(m, "shutdown") is { } sd)
        {
            if (sd is IDictionary || sd is Dictionary<string, object?>)
            {
                var sm = Map(sd, src, p + ".shutdown");
                Known(sm, src, p + ".shutdown", "gracePeriod");
                r.Shutdown = true;
                if (Get(sm, "gracePeriod") is { } g) r.GracePeriod = Duration(g, src, p + ".shutdown.gracePeriod");
            }
            else r.Shutdown = Bool(sd, src, p + ".shutdown");
        }
    }

    static HttpCheckSpec ReadHttp(Dictionary<string, object?> m, string src, string p)
    {
        Known(m, src, p, "name", "method", "path", "port", "tls", "headers", "body", "contentType", "status", "expectBody", "expectJson",
            "expectHeaders", "timeout", "retries", "retryDelay", "requests", "maxP95", "skipCertificateCheck");
        var h = new HttpCheckSpec { Path = Get(m, "path") is { } path ? Str(path) : "/" };
        if (!h.Path.StartsWith('/')) throw Invalid(src, $"{p}.path '{h.Path}' must start with '/'.");
        if (Get(m, "name") is { } n) h.Name = Str(n);
        if (Get(m, "method") is { } me) h.Method = Str(me).ToUpperInvariant();
        if (Get(m, "port") is { } po) h.Port = Str(po);
        if (Get(m, "tls") is { } tls) h.Tls = Bool(tls, src, p + ".tls");
        if (Get(m, "headers") is { } hd) foreach (var kv in Map(hd, src, p + ".headers")) h.Headers[kv.Key] = Str(kv.Value);
        if (Get(m, "body") is { } b) h.Body = Str(b);
        if (Get(m, "contentType") is { } ct) h.ContentType = Str(ct);
        if (Get(m, "status") is { } s)
            foreach (var x in Strings(s, src, p + ".status")) { StatusSet.Parse(x, src, p + ".status"); h.Status.Add(x); }
        if (Get(m, "expectBody") is { } eb) h.BodyPattern = Regex(Str(eb), src, p + ".expectBody");
        if (Get(m, "expectJson") is { } ej) foreach (var kv in Map(ej, src, p + ".expectJson")) h.Json[kv.Key] = Str(kv.Value);
        if (Get(m, "expectHeaders") is { } eh)
            foreach (var kv in Map(eh, src, p + ".expectHeaders")) h.ResponseHeaders[kv.Key] = Regex(Str(kv.Value), src, $"{p}.expectHeaders.{kv.Key}");
        if (Get(m, "timeout") is { } t) h.Timeout = Duration(t, src, p + ".timeout");
        if (Get(m, "retries") is { } r) h.Retries = (int)Long(r, src, p + ".retries");
        if (Get(m, "retryDelay") is { } rd) h.RetryDelay = Duration(rd, src, p + ".retryDelay");
        if (Get(m, "requests") is { } rq) h.Requests = Math.Max(1, (int)Long(rq, src, p + ".requests"));
        if (Get(m, "maxP95") is { } mp) h.MaxP95 = Duration(mp, src, p + ".maxP95");
        if (Get(m, "skipCertificateCheck") is { } sc) h.SkipCertificateCheck = Bool(sc, src, p + ".skipCertificateCheck");
        return h;
    }

    // ---------------------------------------------------------------- container-structure-test 2.0.0

    static ImageTestSpec ReadCst(Dictionary<string, object?> root, string src, Action<string> warn)
    {
        var spec = new ImageTestSpec();
        foreach (var k in root.Keys)
            if (k is not ("schemaVersion" or "metadataTest" or "fileExistenceTests" or "fileContentTests" or "commandTests"))
                warn($"{src}: container-structure-test key '{k}' is not supported by Test-DockOptImage and is ignored.");
        if (Get(root, "metadataTest") is { } mdo)
        {
            var md = Map(mdo, src, "metadataTest");
            var s = spec.Metadata;
            foreach (var k in md.Keys)
                if (k is not ("env" or "labels" or "exposedPorts" or "unexposedPorts" or "entrypoint" or "cmd" or "workdir" or "user" or "volumes"))
                    warn($"{src}: metadataTest.{k} is not supported and is ignored.");
            if (Get(md, "env") is { } env) foreach (var e in List(env, src, "metadataTest.env")) s.Env.Add(CstKey(e, src, "metadataTest.env"));
            if (Get(md, "labels") is { } l) foreach (var e in List(l, src, "metadataTest.labels")) s.Labels.Add(CstKey(e, src, "metadataTest.labels"));
            if (Get(md, "exposedPorts") is { } ep) s.ExposedPorts.AddRange(Strings(ep, src, "metadataTest.exposedPorts"));
            if (Get(md, "unexposedPorts") is { } up) s.UnexposedPorts.AddRange(Strings(up, src, "metadataTest.unexposedPorts"));
            if (Get(md, "entrypoint") is { } en) s.Entrypoint = Strings(en, src, "metadataTest.entrypoint");
            if (Get(md, "cmd") is { } cmd) s.Cmd = Strings(cmd, src, "metadataTest.cmd");
            if (Get(md, "workdir") is { } w) s.Workdir = Str(w);
            if (Get(md, "user") is { } u) s.User = Str(u);
        }
        if (Get(root, "fileExistenceTests") is { } fe)
        {
            var i = 0;
            foreach (var o in List(fe, src, "fileExistenceTests"))
            {
                var p = $"fileExistenceTests[{i++}]";
                var m = Map(o, src, p);
                var f = new FileSpec { Path = Required(m, "path", src, p), Name = Get(m, "name") is { } n ? Str(n) : null };
                if (Get(m, "shouldExist") is { } se) f.Exists = Bool(se, src, p + ".shouldExist");
                if (Get(m, "permissions") is { } perm) f.Mode = ModeText(perm, src, p + ".permissions");
                if (Get(m, "uid") is { } uid) f.Uid = Long(uid, src, p + ".uid");
                if (Get(m, "gid") is { } gid) f.Gid = Long(gid, src, p + ".gid");
                if (Get(m, "isExecutableBy") is { } by) warn($"{src}: {p}.isExecutableBy '{Str(by)}' is not supported; check 'permissions' instead.");
                spec.Files.Add(f);
            }
        }
        if (Get(root, "fileContentTests") is { } fc)
        {
            var i = 0;
            foreach (var o in List(fc, src, "fileContentTests"))
            {
                var p = $"fileContentTests[{i++}]";
                var m = Map(o, src, p);
                var f = new FileSpec { Path = Required(m, "path", src, p), Name = Get(m, "name") is { } n ? Str(n) : null, Type = "file" };
                if (Get(m, "expectedContents") is { } ec) f.Contains.AddRange(Strings(ec, src, p + ".expectedContents").Select(r => Regex(r, src, p)));
                if (Get(m, "excludedContents") is { } xc) f.NotContains.AddRange(Strings(xc, src, p + ".excludedContents").Select(r => Regex(r, src, p)));
                spec.Files.Add(f);
            }
        }
        if (Get(root, "commandTests") is { } ct)
        {
            var i = 0;
            foreach (var o in List(ct, src, "commandTests"))
            {
                var p = $"commandTests[{i++}]";
                var m = Map(o, src, p);
                var c = new CommandSpec { Name = Get(m, "name") is { } n ? Str(n) : p };
                var argv = new List<string> { Required(m, "command", src, p) };
                if (Get(m, "args") is { } a) argv.AddRange(Strings(a, src, p + ".args"));
                c.Command = argv.ToArray();
                if (Get(m, "exitCode") is { } ec) c.ExitCode = Long(ec, src, p + ".exitCode");
                if (Get(m, "expectedOutput") is { } eo) c.Stdout.AddRange(Strings(eo, src, p).Select(r => Regex(r, src, p + ".expectedOutput")));
                if (Get(m, "excludedOutput") is { } xo) c.NotStdout.AddRange(Strings(xo, src, p).Select(r => Regex(r, src, p + ".excludedOutput")));
                if (Get(m, "expectedError") is { } ee) c.Stderr.AddRange(Strings(ee, src, p).Select(r => Regex(r, src, p + ".expectedError")));
                if (Get(m, "excludedError") is { } xe) c.NotStderr.AddRange(Strings(xe, src, p).Select(r => Regex(r, src, p + ".excludedError")));
                if (Get(m, "envVars") is { } ev)
                    foreach (var e in List(ev, src, p + ".envVars"))
                    {
                        var em = Map(e, src, p + ".envVars");
                        c.Env[Required(em, "key", src, p + ".envVars")] = Get(em, "value") is { } v ? Str(v) : "";
                    }
                // container-structure-test semantics: each command in a container of its own, the entrypoint replaced.
                c.Separate = true;
                if (Get(m, "setup") is { } su) foreach (var x in List(su, src, p + ".setup")) c.Setup.Add(Strings(x, src, p + ".setup"));
                if (Get(m, "teardown") is { } td) foreach (var x in List(td, src, p + ".teardown")) c.Teardown.Add(Strings(x, src, p + ".teardown"));
                spec.Commands.Add(c);
            }
        }
        return spec;
    }

    static KeyMatch CstKey(object? o, string src, string p)
    {
        var m = Map(o, src, p);
        var k = new KeyMatch { Key = Required(m, "key", src, p), Value = Get(m, "value") is { } v ? Str(v) : null };
        if (Get(m, "isRegex") is { } r) k.IsRegex = Bool(r, src, p + ".isRegex");
        if (k.IsRegex && k.Value != null) Regex(k.Value, src, p);
        return k;
    }

    // ---------------------------------------------------------------- value helpers (shared with the parameter binder)

    internal static DockOptException Invalid(string src, string detail) => new("InvalidTestSpec", DockOptErrorCategory.InvalidData,
        $"Test spec '{src}' is invalid: {detail}", src, "See Get-Help about_DockOptImageTestSpec for the schema and examples/image-test-specs/ for samples.");

    static Dictionary<string, object?> Map(object? o, string src, string path)
    {
        if (o is Dictionary<string, object?> d) return new Dictionary<string, object?>(d, StringComparer.OrdinalIgnoreCase);
        if (o is IDictionary id)
        {
            var r = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry e in id) r[Str(e.Key)] = e.Value;
            return r;
        }
        throw Invalid(src, $"'{(path.Length == 0 ? "(root)" : path)}' must be a mapping (key: value).");
    }

    static IEnumerable<object?> List(object? o, string src, string path)
    {
        if (o is string || o is IDictionary || o is not IEnumerable e) throw Invalid(src, $"'{path}' must be a list.");
        return e.Cast<object?>();
    }

    static object? Get(Dictionary<string, object?> m, string key) => m.TryGetValue(key, out var v) ? v : null;

    static void Known(Dictionary<string, object?> m, string src, string path, params string[] keys)
    {
        foreach (var k in m.Keys)
            if (!keys.Contains(k, StringComparer.OrdinalIgnoreCase))
                throw Invalid(src, $"unknown key '{(path.Length == 0 ? "" : path + ".")}{k}'. Known keys here: {string.Join(", ", keys)}.");
    }

    static string Required(Dictionary<string, object?> m, string key, string src, string path) =>
        Get(m, key) is { } v && Str(v).Length > 0 ? Str(v) : throw Invalid(src, $"{path}.{key} is required.");

    static string Str(object? o) => o switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => o.ToString() ?? "",
    };

    static string[] Strings(object? o, string src, string path) =>
        o is string s ? new[] { s } : o is IEnumerable e && o is not IDictionary ? e.Cast<object?>().Select(Str).ToArray() : new[] { Str(o) };

    static bool Bool(object? o, string src, string path) => o switch
    {
        bool b => b,
        string s when s.Equals("true", StringComparison.OrdinalIgnoreCase) || s.Equals("yes", StringComparison.OrdinalIgnoreCase) => true,
        string s when s.Equals("false", StringComparison.OrdinalIgnoreCase) || s.Equals("no", StringComparison.OrdinalIgnoreCase) => false,
        _ => throw Invalid(src, $"{path} must be true or false, not '{Str(o)}'."),
    };

    static long Long(object? o, string src, string path) =>
        long.TryParse(Str(o), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw Invalid(src, $"{path} must be a whole number, not '{Str(o)}'.");

    static double Double(object? o, string src, string path) =>
        double.TryParse(Str(o), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw Invalid(src, $"{path} must be a number, not '{Str(o)}'.");

    static string Regex(string pattern, string src, string path)
    {
        try { _ = new Regex(pattern); }
        catch (ArgumentException e) { throw Invalid(src, $"{path}: invalid regex '{pattern}': {e.Message}"); }
        return pattern;
    }

    static string ModeText(object o, string src, string path)
    {
        var s = Str(o); // a psd1 number 755 (or 0755) means the octal digits 755
        if (FileChecks.ParseMode(s) == null) throw Invalid(src, $"{path} '{s}' must be octal permission bits (0755) or a mode string (-rwxr-xr-x).");
        return s;
    }

    /// <summary>Durations: 10s, 500ms, 2m, 1h, 1m30s, or a plain number of seconds.</summary>
    public static TimeSpan Duration(object? o, string src, string path)
    {
        if (o is TimeSpan ts) return ts;
        var s = Str(o).Trim();
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var secs) && secs >= 0) return TimeSpan.FromSeconds(secs);
        var m = System.Text.RegularExpressions.Regex.Matches(s, @"(\d+(?:\.\d+)?)(ms|s|m|h)");
        if (m.Count == 0 || string.Concat(m.Select(x => x.Value)) != s)
            throw Invalid(src, $"{path} '{s}' is not a duration (10s, 500ms, 2m, 1m30s or seconds).");
        var total = TimeSpan.Zero;
        foreach (Match x in m)
        {
            var v = double.Parse(x.Groups[1].Value, CultureInfo.InvariantCulture);
            total += x.Groups[2].Value switch { "ms" => TimeSpan.FromMilliseconds(v), "s" => TimeSpan.FromSeconds(v), "m" => TimeSpan.FromMinutes(v), _ => TimeSpan.FromHours(v) };
        }
        return total;
    }

    /// <summary>
    /// Sizes: a plain number of bytes, or a number with a unit. KiB/MiB/GiB are always binary. k/m/g/kb/mb/gb follow docker:
    /// binary for memory (docker run -m 64MB is 64 MiB, <paramref name="binaryUnits"/>), decimal for image sizes (docker images).
    /// </summary>
    public static long Size(object? o, string src, string path, bool binaryUnits = false)
    {
        var s = Str(o).Trim();
        if (long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var b)) return b;
        var m = System.Text.RegularExpressions.Regex.Match(s, @"^(\d+(?:\.\d+)?)\s*([kKmMgGtT])(i?)([bB]?)$");
        if (!m.Success) throw Invalid(src, $"{path} '{s}' is not a size (50MB, 64MiB, 512k or bytes).");
        var v = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var exp = "KMGT".IndexOf(char.ToUpperInvariant(m.Groups[2].Value[0])) + 1;
        var binary = binaryUnits || m.Groups[3].Value.Length > 0;
        return (long)(v * Math.Pow(binary ? 1024 : 1000, exp));
    }
}

/// <summary>A set of expected HTTP status codes: 200, 200-299, 2xx.</summary>
public static class StatusSet
{
    public static (int Low, int High) Parse(string s, string src, string path)
    {
        s = s.Trim();
        var m = System.Text.RegularExpressions.Regex.Match(s, @"^([1-5])xx$", RegexOptions.IgnoreCase);
        if (m.Success) { var d = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * 100; return (d, d + 99); }
        m = System.Text.RegularExpressions.Regex.Match(s, @"^(\d{3})\s*-\s*(\d{3})$");
        if (m.Success) return (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c is >= 100 and <= 599) return (c, c);
        throw SpecReader.Invalid(src, $"{path} '{s}' is not a status code, range (200-299) or class (2xx).");
    }

    public static bool Contains(IReadOnlyList<string> set, int status) =>
        set.Count == 0 ? status is >= 200 and <= 299 : set.Any(s => { var (lo, hi) = Parse(s, "status", "status"); return status >= lo && status <= hi; });

    public static string Describe(IReadOnlyList<string> set) => set.Count == 0 ? "2xx" : string.Join(", ", set);
}
