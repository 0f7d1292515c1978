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
        var spec = IsContainerStructureTest(root)
            ? ReadCst(root, source, warn ?? (_ => { }))
            : ReadDockOpt(root, source);
        spec.Source = source;
        return spec;
    }

    static readonly string[] CstKeys = { "metadataTest", "fileExistenceTests", "fileContentTests", "commandTests", "licenseTests", "globalEnvVars", "containerRunOptions" };

    /// <summary>
    /// container-structure-test by its keys, whatever its schemaVersion (1.0.0, 2.0.0 or none); a schemaVersion that is
    /// not DockOpt's (dockopt/v1) and no DockOpt key also reads as container-structure-test.
    /// </summary>
    public static bool IsContainerStructureTest(Dictionary<string, object?> root)
    {
        var version = Get(root, "schemaVersion") is { } sv ? Text(sv) : null;
        if (version is "dockopt/v1" or "1") return false;
        if (root.Keys.Any(k => CstKeys.Contains(k, StringComparer.OrdinalIgnoreCase))) return true;
        if (root.Keys.Any(k => k is "metadata" or "files" or "commands" or "runtime" or "services" or "resources")) return false;
        return version != null && System.Text.RegularExpressions.Regex.IsMatch(version, @"^\d+\.\d+\.\d+$");
    }

    // ---------------------------------------------------------------- DockOpt schema

    static ImageTestSpec ReadDockOpt(Dictionary<string, object?> root, string src)
    {
        Known(root, src, "", "schemaVersion", "metadata", "files", "commands", "runtime", "services", "system");
        if (Get(root, "schemaVersion") is { } v && Str(v, src, "schemaVersion") is not ("dockopt/v1" or "1"))
            throw Invalid(src, $"schemaVersion '{Str(v, src, "schemaVersion")}' is not known: use 'dockopt/v1', or '2.0.0' for a container-structure-test file.");
        var spec = new ImageTestSpec();
        if (Get(root, "metadata") is { } md) ReadMetadata(Map(md, src, "metadata"), spec.Metadata, src);
        if (Get(root, "system") is { } sys) ReadSystem(Map(sys, src, "system"), spec.System, src);
        if (Get(root, "services") is { } svcs)
        {
            var i = 0;
            foreach (var so in List(svcs, src, "services")) spec.Services.Add(ReadService(Map(so, src, $"services[{i}]"), src, $"services[{i++}]"));
            var dup = spec.Services.GroupBy(x => x.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
            if (dup != null) throw Invalid(src, $"services: the name '{dup.Key}' is used twice.");
        }
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
        if (Get(m, "user") is { } u) s.User = Str(u, src, p + ".user");
        if (Get(m, "exposedPorts") is { } ep) s.ExposedPorts.AddRange(Ports(ep, src, p + ".exposedPorts"));
        if (Get(m, "unexposedPorts") is { } up) s.UnexposedPorts.AddRange(Ports(up, src, p + ".unexposedPorts"));
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
        if (Get(m, "stopSignal") is { } ss) s.StopSignal = Str(ss, src, p + ".stopSignal");
        if (Get(m, "labels") is { } l)
            foreach (var kv in Map(l, src, p + ".labels")) s.Labels.Add(new KeyMatch { Key = kv.Key, Value = kv.Value == null ? null : Str(kv.Value, src, p + ".labels" + "." + kv.Key) });
        if (Get(m, "labelPatterns") is { } lp)
            foreach (var kv in Map(lp, src, p + ".labelPatterns"))
                s.Labels.Add(new KeyMatch { Key = kv.Key, Value = Regex(Str(kv.Value, src, $"{p}.labelPatterns.{kv.Key}"), src, $"{p}.labelPatterns.{kv.Key}"), IsRegex = true });
        if (Get(m, "env") is { } env) s.EnvNames.AddRange(Strings(env, src, p + ".env"));
        if (Get(m, "absentEnv") is { } ae) s.AbsentEnvNames.AddRange(Strings(ae, src, p + ".absentEnv"));
        if (Get(m, "maxSize") is { } ms) s.MaxSize = Size(ms, src, p + ".maxSize");
        if (Get(m, "maxLayers") is { } ml) s.MaxLayers = (int)Long(ml, src, p + ".maxLayers");
        if (Get(m, "entrypoint") is { } e) s.Entrypoint = Strings(e, src, p + ".entrypoint");
        if (Get(m, "cmd") is { } c2) s.Cmd = Strings(c2, src, p + ".cmd");
        if (Get(m, "workdir") is { } w) s.Workdir = Str(w, src, p + ".workdir");
    }

    static FileSpec ReadFile(Dictionary<string, object?> m, string src, string p)
    {
        Known(m, src, p, "name", "path", "exists", "type", "mode", "uid", "gid", "owner", "contains", "notContains", "sha256");
        var f = new FileSpec { Path = Required(m, "path", src, p) };
        if (!f.Path.StartsWith('/')) throw Invalid(src, $"{p}.path '{f.Path}' must be absolute.");
        if (Get(m, "name") is { } n) f.Name = Str(n, src, p + ".name");
        if (Get(m, "exists") is { } e) f.Exists = Bool(e, src, p + ".exists");
        if (Get(m, "type") is { } t)
        {
            f.Type = Str(t, src, p + ".type").ToLowerInvariant();
            if (f.Type is not ("file" or "directory" or "symlink" or "any"))
                throw Invalid(src, $"{p}.type '{f.Type}' must be file, directory, symlink or any.");
        }
        if (Get(m, "mode") is { } mode) f.Mode = ModeText(mode, src, p + ".mode");
        if (Get(m, "uid") is { } uid) f.Uid = Long(uid, src, p + ".uid");
        if (Get(m, "gid") is { } gid) f.Gid = Long(gid, src, p + ".gid");
        if (Get(m, "owner") is { } owner)
        {
            var parts = Str(owner, src, p + ".owner").Split(':');
            f.Uid = Long(parts[0], src, p + ".owner");
            if (parts.Length > 1) f.Gid = Long(parts[1], src, p + ".owner");
        }
        if (Get(m, "contains") is { } c) f.Contains.AddRange(Strings(c, src, p + ".contains").Select(r => Regex(r, src, p + ".contains")));
        if (Get(m, "notContains") is { } nc) f.NotContains.AddRange(Strings(nc, src, p + ".notContains").Select(r => Regex(r, src, p + ".notContains")));
        if (Get(m, "sha256") is { } h)
        {
            f.Sha256 = Str(h, src, p + ".sha256").ToLowerInvariant().Replace("sha256:", "");
            if (f.Sha256.Length != 64 || !f.Sha256.All(Uri.IsHexDigit)) throw Invalid(src, $"{p}.sha256 must be 64 hex digits.");
        }
        return f;
    }

    static void ReadSystem(Dictionary<string, object?> m, SystemSpec s, string src)
    {
        Known(m, src, "system", "users", "groups", "packages", "ports", "processes");
        void Items(string key, List<SystemItem> into, string presentKey, params string[] attrs)
        {
            if (Get(m, key) is not { } list) return;
            var i = 0;
            foreach (var o in List(list, src, "system." + key))
            {
                var p = $"system.{key}[{i++}]";
                if (o is not (IDictionary or Dictionary<string, object?>)) { into.Add(new SystemItem { Name = Str(o, src, p) }); continue; }
                var im = Map(o, src, p);
                Known(im, src, p, new[] { "name", presentKey }.Concat(attrs).ToArray());
                var it = new SystemItem { Name = Required(im, "name", src, p) };
                if (Get(im, presentKey) is { } pr) it.Present = Bool(pr, src, p + "." + presentKey);
                if (Get(im, "uid") is { } uid) it.Uid = Long(uid, src, p + ".uid");
                if (Get(im, "gid") is { } gid) it.Gid = Long(gid, src, p + ".gid");
                if (Get(im, "home") is { } home) it.Home = Str(home, src, p + ".home");
                if (Get(im, "shell") is { } shell) it.Shell = Str(shell, src, p + ".shell");
                if (Get(im, "version") is { } ver) it.Version = Regex(Str(ver, src, p + ".version"), src, p + ".version");
                into.Add(it);
            }
        }
        Items("users", s.Users, "exists", "uid", "gid", "home", "shell");
        Items("groups", s.Groups, "exists", "gid");
        Items("packages", s.Packages, "installed", "version");
        Items("ports", s.Ports, "listening");
        Items("processes", s.Processes, "running");
        // 8080, 8080/tcp, 53/udp; goss's tcp:8080 and udp/53 too
        foreach (var port in s.Ports)
        {
            var parts = port.Name.Trim().ToLowerInvariant().Split(':', '/');
            port.Name = MetadataChecks.NormalizePort(parts.Length == 2 && parts[0].Length > 0 && char.IsLetter(parts[0][0]) ? $"{parts[1]}/{parts[0].TrimEnd('6')}" : port.Name);
            Port(port.Name, src, "system.ports");
        }
    }

    static ServiceSpec ReadService(Dictionary<string, object?> m, string src, string p)
    {
        Known(m, src, p, "name", "image", "environment", "entrypoint", "command", "ports", "ready", "after");
        var sv = new ServiceSpec { Name = Required(m, "name", src, p), Image = Required(m, "image", src, p) };
        if (!System.Text.RegularExpressions.Regex.IsMatch(sv.Name, @"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$") || sv.Name.Equals("app", StringComparison.OrdinalIgnoreCase))
            throw Invalid(src, $"{p}.name '{sv.Name}' must be a DNS-style name (letters, digits, '.', '_', '-') other than 'app' (the app's own name on the network).");
        if (Get(m, "environment") is { } env) foreach (var kv in Map(env, src, p + ".environment")) sv.Environment[kv.Key] = Str(kv.Value, src, p + ".environment" + "." + kv.Key);
        if (Get(m, "entrypoint") is { } ep) sv.Entrypoint = ep is string e1 ? new[] { "/bin/sh", "-c", e1 } : Strings(ep, src, p + ".entrypoint");
        if (Get(m, "command") is { } cmd) sv.Command = cmd is string c1 ? new[] { "/bin/sh", "-c", c1 } : Strings(cmd, src, p + ".command");
        if (Get(m, "ports") is { } ports) sv.Ports.AddRange(Ports(ports, src, p + ".ports"));
        if (Get(m, "after") is { } after)
        {
            var a = Str(after, src, p + ".after");
            if (!a.Equals("app", StringComparison.OrdinalIgnoreCase))
                throw Invalid(src, $"{p}.after '{a}' is not 'app': a service starts before the app (the default) or after it is ready ('after: app').");
            sv.AfterApp = true;
        }
        if (Get(m, "ready") is { } ready)
        {
            var rm = Map(ready, src, p + ".ready");
            Known(rm, src, p + ".ready", "healthy", "log", "http", "httpPort", "tcp", "timeout");
            if (Get(rm, "healthy") is { } h) sv.Ready.Healthy = Bool(h, src, p + ".ready.healthy");
            if (Get(rm, "log") is { } l) sv.Ready.LogPattern = Regex(Str(l, src, p + ".ready" + ".log"), src, p + ".ready.log");
            if (Get(rm, "http") is { } hp) sv.Ready.HttpPath = Str(hp, src, p + ".ready" + ".http");
            if (Get(rm, "httpPort") is { } hpp) sv.Ready.HttpPort = Port(hpp, src, p + ".ready.httpPort");
            if (Get(rm, "tcp") is { } tcp) sv.Ready.Tcp = Bool(tcp, src, p + ".ready.tcp");
            if (Get(rm, "timeout") is { } to) sv.Ready.Timeout = Duration(to, src, p + ".ready.timeout");
        }
        return sv;
    }

    static CommandSpec ReadCommand(Dictionary<string, object?> m, string src, string p)
    {
        Known(m, src, p, "name", "command", "timeout", "exitCode", "stdout", "stderr", "notStdout", "notStderr", "env", "user", "container");
        var c = new CommandSpec();
        var cmd = Get(m, "command") ?? throw Invalid(src, $"{p}.command is required.");
        c.Command = cmd is string s ? new[] { "/bin/sh", "-c", s } : Strings(cmd, src, p + ".command");
        if (c.Command.Length == 0) throw Invalid(src, $"{p}.command is empty.");
        c.Name = Get(m, "name") is { } n ? Str(n, src, p + ".name") : string.Join(" ", cmd is string s2 ? new[] { s2 } : c.Command);
        if (Get(m, "timeout") is { } t) c.Timeout = Duration(t, src, p + ".timeout");
        if (Get(m, "exitCode") is { } ec) c.ExitCode = Long(ec, src, p + ".exitCode");
        if (Get(m, "stdout") is { } o) c.Stdout.AddRange(Strings(o, src, p + ".stdout").Select(r => Regex(r, src, p + ".stdout")));
        if (Get(m, "stderr") is { } e) c.Stderr.AddRange(Strings(e, src, p + ".stderr").Select(r => Regex(r, src, p + ".stderr")));
        if (Get(m, "notStdout") is { } no) c.NotStdout.AddRange(Strings(no, src, p + ".notStdout").Select(r => Regex(r, src, p + ".notStdout")));
        if (Get(m, "notStderr") is { } ne) c.NotStderr.AddRange(Strings(ne, src, p + ".notStderr").Select(r => Regex(r, src, p + ".notStderr")));
        if (Get(m, "env") is { } env) foreach (var kv in Map(env, src, p + ".env")) c.Env[kv.Key] = Str(kv.Value, src, p + ".env" + "." + kv.Key);
        if (Get(m, "user") is { } u) c.User = Str(u, src, p + ".user");
        if (Get(m, "container") is { } ctr)
            c.Separate = Str(ctr, src, p + ".container").ToLowerInvariant() switch
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
        Known(m, src, p, "start", "environment", "arguments", "memory", "cpus", "init", "ports", "ready", "http", "healthy", "resources", "shutdown",
            "user", "privileged", "capAdd", "capDrop", "mounts", "envFiles", "network", "readOnly", "healthInterval");
        if (Get(m, "healthInterval") is { } hi)
        {
            r.HealthInterval = Duration(hi, src, p + ".healthInterval");
            if (r.HealthInterval < TimeSpan.FromSeconds(1))
                throw Invalid(src, $"{p}.healthInterval must be at least 1s (the engine's smallest probe interval).");
        }
        if (Get(m, "user") is { } user) r.User = Str(user, src, p + ".user");
        if (Get(m, "privileged") is { } priv) r.Privileged = Bool(priv, src, p + ".privileged");
        if (Get(m, "capAdd") is { } ca) r.CapAdd.AddRange(Strings(ca, src, p + ".capAdd").Select(Cap));
        if (Get(m, "capDrop") is { } cd) r.CapDrop.AddRange(Strings(cd, src, p + ".capDrop").Select(Cap));
        if (Get(m, "network") is { } net) r.Network = Str(net, src, p + ".network");
        if (Get(m, "readOnly") is { } ro) r.ReadOnly = Bool(ro, src, p + ".readOnly");
        if (Get(m, "envFiles") is { } efs) foreach (var f in Strings(efs, src, p + ".envFiles")) ReadEnvFile(f, src, p + ".envFiles", r);
        if (Get(m, "mounts") is { } mounts) ReadRuntimeMounts(mounts, r, src);
        if (Get(m, "start") is { } st) r.Start = Bool(st, src, p + ".start");
        if (Get(m, "environment") is { } env) foreach (var kv in Map(env, src, p + ".environment")) r.Environment[kv.Key] = Str(kv.Value, src, p + ".environment" + "." + kv.Key);
        if (Get(m, "arguments") is { } args) r.Arguments = Strings(args, src, p + ".arguments");
        if (Get(m, "memory") is { } mem) r.Memory = Size(mem, src, p + ".memory", binaryUnits: true);
        if (Get(m, "cpus") is { } cpus) r.Cpus = Double(cpus, src, p + ".cpus");
        if (Get(m, "init") is { } init) r.Init = Bool(init, src, p + ".init");
        if (Get(m, "ports") is { } ports) r.Ports.AddRange(Ports(ports, src, p + ".ports"));
        if (Get(m, "ready") is { } ready) ReadRuntimeReady(ready, r, src);
        if (Get(m, "http") is { } http)
        {
            var i = 0;
            foreach (var h in List(http, src, p + ".http")) r.Http.Add(ReadHttp(Map(h, src, $"{p}.http[{i}]"), src, $"{p}.http[{i++}]"));
        }
        if (Get(m, "healthy") is { } hy) r.Healthy = Bool(hy, src, p + ".healthy");
        if (Get(m, "resources") is { } res) r.Resources = ReadRuntimeResources(res, src);
        if (Get(m, "shutdown") is { } sd) ReadRuntimeShutdown(sd, r, src);
    }

    static void ReadRuntimeMounts(object mounts, RuntimeSpec r, string src)
    {
        const string p = "runtime";
        var i = 0;
        foreach (var mo in List(mounts, src, p + ".mounts"))
        {
            var mp = $"{p}.mounts[{i++}]";
            if (mo is string bind) { r.Binds.Add(Bind(bind, src, mp)); continue; }
            var mm = Map(mo, src, mp);
            Known(mm, src, mp, "type", "source", "target", "readOnly");
            var ms = new MountSpec
            {
                Type = Get(mm, "type") is { } t ? Str(t, src, mp + ".type").ToLowerInvariant() : "bind",
                Source = Get(mm, "source") is { } so ? Str(so, src, mp + ".source") : null,
                Target = Required(mm, "target", src, mp),
            };
            if (Get(mm, "readOnly") is { } mro) ms.ReadOnly = Bool(mro, src, mp + ".readOnly");
            if (ms.Type is not ("bind" or "volume" or "tmpfs")) throw Invalid(src, $"{mp}.type must be bind, volume or tmpfs.");
            if (ms.Type == "bind")
            {
                if (string.IsNullOrEmpty(ms.Source)) throw Invalid(src, $"{mp}.source is required for a bind mount.");
                ms.Source = HostPath(ms.Source, src);
            }
            if (!ms.Target.StartsWith('/')) throw Invalid(src, $"{mp}.target must be an absolute path in the container.");
            r.Mounts.Add(ms);
        }
    }

    static void ReadRuntimeReady(object ready, RuntimeSpec r, string src)
    {
        const string p = "runtime";
        var rm = Map(ready, src, p + ".ready");
        Known(rm, src, p + ".ready", "healthy", "log", "http", "httpPort", "tcp", "timeout");
        if (Get(rm, "healthy") is { } h) r.Ready.Healthy = Bool(h, src, p + ".ready.healthy");
        if (Get(rm, "log") is { } l) r.Ready.LogPattern = Regex(Str(l, src, p + ".ready" + ".log"), src, p + ".ready.log");
        if (Get(rm, "http") is { } hp) r.Ready.HttpPath = Str(hp, src, p + ".ready" + ".http");
        if (Get(rm, "httpPort") is { } hpp) r.Ready.HttpPort = Port(hpp, src, p + ".ready.httpPort");
        if (Get(rm, "tcp") is { } tcp) r.Ready.Tcp = Bool(tcp, src, p + ".ready.tcp");
        if (Get(rm, "timeout") is { } to) r.Ready.Timeout = Duration(to, src, p + ".ready.timeout");
    }

    static ResourceSpec ReadRuntimeResources(object res, string src)
    {
        const string p = "runtime";
        var rm = Map(res, src, p + ".resources");
        Known(rm, src, p + ".resources", "maxMemory", "maxCpuPercent", "maxPids", "maxStartup");
        var rs = new ResourceSpec();
        if (Get(rm, "maxMemory") is { } a) rs.MaxMemory = Size(a, src, p + ".resources.maxMemory", binaryUnits: true);
        if (Get(rm, "maxCpuPercent") is { } b) rs.MaxCpuPercent = Double(b, src, p + ".resources.maxCpuPercent");
        if (Get(rm, "maxPids") is { } c) rs.MaxPids = Long(c, src, p + ".resources.maxPids");
        if (Get(rm, "maxStartup") is { } d) rs.MaxStartup = Duration(d, src, p + ".resources.maxStartup");
        return rs;
    }

    static void ReadRuntimeShutdown(object sd, RuntimeSpec r, string src)
    {
        const string p = "runtime";
        if (sd is IDictionary || sd is Dictionary<string, object?>)
        {
            var sm = Map(sd, src, p + ".shutdown");
            Known(sm, src, p + ".shutdown", "gracePeriod");
            r.Shutdown = true;
            if (Get(sm, "gracePeriod") is { } g) r.GracePeriod = Duration(g, src, p + ".shutdown.gracePeriod");
        }
        else r.Shutdown = Bool(sd, src, p + ".shutdown");
    }

    static HttpCheckSpec ReadHttp(Dictionary<string, object?> m, string src, string p)
    {
        Known(m, src, p, "name", "method", "path", "port", "tls", "headers", "body", "contentType", "status", "expectBody", "expectJson",
            "expectHeaders", "timeout", "retries", "retryDelay", "requests", "maxP95", "skipCertificateCheck", "service");
        var h = new HttpCheckSpec { Path = Get(m, "path") is { } path ? Str(path, src, p + ".path") : "/" };
        if (Get(m, "service") is { } svc) h.Service = Str(svc, src, p + ".service");
        if (!h.Path.StartsWith('/')) throw Invalid(src, $"{p}.path '{h.Path}' must start with '/'.");
        if (Get(m, "name") is { } n) h.Name = Str(n, src, p + ".name");
        if (Get(m, "method") is { } me) h.Method = Str(me, src, p + ".method").ToUpperInvariant();
        if (Get(m, "port") is { } po) h.Port = Port(po, src, p + ".port");
        if (Get(m, "tls") is { } tls) h.Tls = Bool(tls, src, p + ".tls");
        if (Get(m, "headers") is { } hd) foreach (var kv in Map(hd, src, p + ".headers")) h.Headers[kv.Key] = Str(kv.Value, src, p + ".headers" + "." + kv.Key);
        if (Get(m, "body") is { } b) h.Body = Str(b, src, p + ".body");
        if (Get(m, "contentType") is { } ct) h.ContentType = Str(ct, src, p + ".contentType");
        if (Get(m, "status") is { } s)
            foreach (var x in Strings(s, src, p + ".status")) { StatusSet.Parse(x, src, p + ".status"); h.Status.Add(x); }
        if (Get(m, "expectBody") is { } eb) h.BodyPattern = Regex(Str(eb, src, p + ".expectBody"), src, p + ".expectBody");
        if (Get(m, "expectJson") is { } ej) foreach (var kv in Map(ej, src, p + ".expectJson")) h.Json[kv.Key] = Str(kv.Value, src, p + ".expectJson" + "." + kv.Key);
        if (Get(m, "expectHeaders") is { } eh)
            foreach (var kv in Map(eh, src, p + ".expectHeaders")) h.ResponseHeaders[kv.Key] = Regex(Str(kv.Value, src, p + ".expectHeaders" + "." + kv.Key), src, $"{p}.expectHeaders.{kv.Key}");
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
        var spec = new ImageTestSpec { IsContainerStructureTest = true };
        foreach (var k in root.Keys)
            if (k != "schemaVersion" && !CstKeys.Contains(k))
                warn($"{src}: container-structure-test key '{k}' is not part of its schema and is ignored.");
        if (Get(root, "globalEnvVars") is { } ge)
            foreach (var e in List(ge, src, "globalEnvVars"))
            {
                var em = Map(e, src, "globalEnvVars");
                spec.CommandEnv[Required(em, "key", src, "globalEnvVars")] = Get(em, "value") is { } v ? Str(v, src, "globalEnvVars" + ".value") : "";
            }
        if (Get(root, "containerRunOptions") is { } cro) ReadCstRunOptions(cro, spec.Runtime, src, warn);
        if (Get(root, "metadataTest") is { } mdo) ReadCstMetadata(mdo, spec.Metadata, src, warn);
        if (Get(root, "fileExistenceTests") is { } fe) ReadCstFileExistenceTests(fe, spec, src);
        if (Get(root, "fileContentTests") is { } fc) ReadCstFileContentTests(fc, spec, src);
        if (Get(root, "commandTests") is { } ct) ReadCstCommandTests(ct, spec, src);
        if (Get(root, "licenseTests") is { } lt) ReadCstLicenseTests(lt, spec, src);
        return spec;
    }

    static void ReadCstRunOptions(object cro, RuntimeSpec r, string src, Action<string> warn)
    {
        const string p = "containerRunOptions";
        var m = Map(cro, src, p);
        foreach (var k in m.Keys)
            if (k is not ("user" or "privileged" or "allocateTty" or "envVars" or "envFile" or "capabilities" or "bindMounts"))
                warn($"{src}: {p}.{k} is not part of container-structure-test's schema and is ignored.");
        if (Get(m, "user") is { } u && Str(u, src, p + ".user").Length > 0) r.User = Str(u, src, p + ".user");
        if (Get(m, "privileged") is { } pr) r.Privileged = Bool(pr, src, p + ".privileged");
        if (Get(m, "allocateTty") is { } tty) r.Tty = Bool(tty, src, p + ".allocateTty");
        if (Get(m, "envVars") is { } ev) r.HostEnv.AddRange(Strings(ev, src, p + ".envVars"));
        if (Get(m, "envFile") is { } ef && Str(ef, src, p + ".envFile").Length > 0) ReadEnvFile(Str(ef, src, p + ".envFile"), src, p + ".envFile", r);
        if (Get(m, "capabilities") is { } caps) r.CapAdd.AddRange(Strings(caps, src, p + ".capabilities").Select(Cap));
        if (Get(m, "bindMounts") is { } bm) r.Binds.AddRange(Strings(bm, src, p + ".bindMounts").Select(b => Bind(b, src, p + ".bindMounts")));
    }

    static void ReadCstMetadata(object mdo, MetadataSpec s, string src, Action<string> warn)
    {
        var md = Map(mdo, src, "metadataTest");
        foreach (var k in md.Keys)
            if (k is not ("env" or "envVars" or "unboundEnvVars" or "labels" or "exposedPorts" or "unexposedPorts" or "entrypoint" or "cmd" or "workdir"
                or "user" or "volumes" or "unmountedVolumes"))
                warn($"{src}: metadataTest.{k} is not part of container-structure-test's schema and is ignored.");
        foreach (var key in new[] { "envVars", "env" }) // 'env' is the older name
            if (Get(md, key) is { } env) foreach (var e in List(env, src, "metadataTest." + key)) s.Env.Add(CstKey(e, src, "metadataTest." + key));
        if (Get(md, "unboundEnvVars") is { } ub)
            foreach (var e in List(ub, src, "metadataTest.unboundEnvVars"))
                s.AbsentEnvNames.Add(e is string name ? name : Required(Map(e, src, "metadataTest.unboundEnvVars"), "key", src, "metadataTest.unboundEnvVars"));
        if (Get(md, "labels") is { } l) foreach (var e in List(l, src, "metadataTest.labels")) s.Labels.Add(CstKey(e, src, "metadataTest.labels"));
        if (Get(md, "exposedPorts") is { } ep) s.ExposedPorts.AddRange(Ports(ep, src, "metadataTest.exposedPorts"));
        if (Get(md, "unexposedPorts") is { } up) s.UnexposedPorts.AddRange(Ports(up, src, "metadataTest.unexposedPorts"));
        if (Get(md, "volumes") is { } vo) s.Volumes.AddRange(Strings(vo, src, "metadataTest.volumes"));
        if (Get(md, "unmountedVolumes") is { } uv) s.UnmountedVolumes.AddRange(Strings(uv, src, "metadataTest.unmountedVolumes"));
        if (Get(md, "entrypoint") is { } en) s.Entrypoint = Strings(en, src, "metadataTest.entrypoint");
        if (Get(md, "cmd") is { } cmd) s.Cmd = Strings(cmd, src, "metadataTest.cmd");
        if (Get(md, "workdir") is { } w && Str(w, src, "metadataTest" + ".workdir").Length > 0) s.Workdir = Str(w, src, "metadataTest" + ".workdir");
        if (Get(md, "user") is { } u && Str(u, src, "metadataTest" + ".user").Length > 0) s.User = Str(u, src, "metadataTest" + ".user");
    }

    static void ReadCstFileExistenceTests(object fe, ImageTestSpec spec, string src)
    {
        var i = 0;
        foreach (var o in List(fe, src, "fileExistenceTests"))
        {
            var p = $"fileExistenceTests[{i++}]";
            var m = Map(o, src, p);
            // shouldExist defaults to true, as container-structure-test's own reader does.
            var f = new FileSpec { Path = Required(m, "path", src, p), Name = Get(m, "name") is { } n ? Str(n, src, p + ".name") : null };
            if (Get(m, "shouldExist") is { } se) f.Exists = Bool(se, src, p + ".shouldExist");
            if (Get(m, "permissions") is { } perm) f.Mode = ModeText(perm, src, p + ".permissions");
            if (Get(m, "uid") is { } uid && Long(uid, src, p + ".uid") >= 0) f.Uid = Long(uid, src, p + ".uid");
            if (Get(m, "gid") is { } gid && Long(gid, src, p + ".gid") >= 0) f.Gid = Long(gid, src, p + ".gid");
            if (Get(m, "isExecutableBy") is { } by)
            {
                f.ExecutableBy = Str(by, src, p + ".isExecutableBy").ToLowerInvariant();
                if (f.ExecutableBy is not ("owner" or "group" or "other" or "any"))
                    throw Invalid(src, $"{p}.isExecutableBy must be owner, group, other or any.");
            }
            spec.Files.Add(f);
        }
    }

    static void ReadCstFileContentTests(object fc, ImageTestSpec spec, string src)
    {
        var i = 0;
        foreach (var o in List(fc, src, "fileContentTests"))
        {
            var p = $"fileContentTests[{i++}]";
            var m = Map(o, src, p);
            var f = new FileSpec { Path = Required(m, "path", src, p), Name = Get(m, "name") is { } n ? Str(n, src, p + ".name") : null, Type = "file" };
            if (Get(m, "expectedContents") is { } ec) f.Contains.AddRange(Strings(ec, src, p + ".expectedContents").Select(r => Regex(r, src, p)));
            if (Get(m, "excludedContents") is { } xc) f.NotContains.AddRange(Strings(xc, src, p + ".excludedContents").Select(r => Regex(r, src, p)));
            spec.Files.Add(f);
        }
    }

    static void ReadCstCommandTests(object ct, ImageTestSpec spec, string src)
    {
        var i = 0;
        foreach (var o in List(ct, src, "commandTests"))
        {
            var p = $"commandTests[{i++}]";
            var m = Map(o, src, p);
            var c = new CommandSpec { Name = Get(m, "name") is { } n ? Str(n, src, p + ".name") : p };
            // command is a string (with args) or, in older files, an argv list.
            var cmd = Get(m, "command") ?? throw Invalid(src, $"{p}.command is required.");
            var argv = new List<string>(cmd is string one ? new[] { one } : Strings(cmd, src, p + ".command"));
            if (Get(m, "args") is { } a) argv.AddRange(Strings(a, src, p + ".args"));
            if (argv.Count == 0) throw Invalid(src, $"{p}.command is empty.");
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
                    c.Env[Required(em, "key", src, p + ".envVars")] = Get(em, "value") is { } v ? Str(v, src, p + ".envVars" + ".value") : "";
                }
            // container-structure-test semantics: each command in a container of its own, the entrypoint replaced.
            c.Separate = true;
            if (Get(m, "setup") is { } su) foreach (var x in List(su, src, p + ".setup")) c.Setup.Add(Strings(x, src, p + ".setup"));
            if (Get(m, "teardown") is { } td) foreach (var x in List(td, src, p + ".teardown")) c.Teardown.Add(Strings(x, src, p + ".teardown"));
            spec.Commands.Add(c);
        }
    }

    static void ReadCstLicenseTests(object lt, ImageTestSpec spec, string src)
    {
        var i = 0;
        foreach (var o in List(lt, src, "licenseTests"))
        {
            var p = $"licenseTests[{i++}]";
            var m = Map(o, src, p);
            var l = new LicenseSpec { Debian = Get(m, "debian") is { } d && Bool(d, src, p + ".debian") };
            if (Get(m, "files") is { } files) l.Files.AddRange(Strings(files, src, p + ".files"));
            spec.Licenses.Add(l);
        }
    }

    static string Cap(string c)
    {
        c = c.Trim().ToUpperInvariant();
        return c == "ALL" || c.StartsWith("CAP_", StringComparison.Ordinal) ? c : "CAP_" + c;
    }

    /// <summary>A -v style bind <c>/host:/container[:opts]</c>; a relative host path is taken from the spec's folder.</summary>
    static string Bind(string b, string src, string p)
    {
        var parts = b.Split(':');
        if (parts.Length < 2 || parts.Length > 3 || !parts[1].StartsWith('/')) throw Invalid(src, $"{p} '{b}' must be /host/path:/container/path[:ro].");
        parts[0] = HostPath(parts[0], src);
        return string.Join(':', parts);
    }

    static string HostPath(string path, string src)
    {
        if (Path.IsPathRooted(path)) return path;
        var dir = Path.GetDirectoryName(Path.GetFullPath(src)) ?? Environment.CurrentDirectory;
        return Path.GetFullPath(Path.Combine(dir, path));
    }

    /// <summary>
    /// An env file (docker's format: KEY=VALUE lines, # comments, a bare KEY takes this process's value). A relative path is
    /// looked for from the spec's folder up through its parents, then from the current directory (container-structure-test
    /// resolves it from where it runs).
    /// </summary>
    static void ReadEnvFile(string file, string src, string p, RuntimeSpec r)
    {
        string? found = null;
        if (Path.IsPathRooted(file)) found = File.Exists(file) ? file : null;
        else
        {
            for (var dir = Path.GetDirectoryName(Path.GetFullPath(src)); dir != null && found == null; dir = Path.GetDirectoryName(dir))
                if (File.Exists(Path.Combine(dir, file))) found = Path.Combine(dir, file);
            if (found == null && File.Exists(Path.Combine(Environment.CurrentDirectory, file))) found = Path.Combine(Environment.CurrentDirectory, file);
        }
        if (found == null) throw Invalid(src, $"{p}: the env file '{file}' does not exist (relative paths are looked for from the spec's folder up, then the current directory).");
        foreach (var raw in Dockerfiles.SourceFile.ReadAllLines(found, "env file"))
        {
            var line = raw.TrimStart();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var eq = line.IndexOf('=');
            if (eq < 0)
            {
                if (Environment.GetEnvironmentVariable(line.Trim()) is { } hv) r.Environment[line.Trim()] = hv;
                continue;
            }
            r.Environment[line.Substring(0, eq)] = line.Substring(eq + 1);
        }
        r.EnvFiles.Add(found);
    }

    static KeyMatch CstKey(object? o, string src, string p)
    {
        var m = Map(o, src, p);
        var k = new KeyMatch { Key = Required(m, "key", src, p), Value = Get(m, "value") is { } v ? Str(v, src, p + ".value") : null };
        if (Get(m, "isRegex") is { } r) k.IsRegex = Bool(r, src, p + ".isRegex");
        if (k.IsRegex && k.Value != null) Regex(k.Value, src, p);
        return k;
    }

    // ---------------------------------------------------------------- value helpers (shared with the parameter binder)

    internal static DockOptException Invalid(string src, string detail) => new(ErrorIds.InvalidTestSpec, DockOptErrorCategory.InvalidData,
        $"Test spec '{src}' is invalid: {detail}", src, "See Get-Help about_DockOptImageTestSpec for the schema and examples/image-test-specs/ for samples.");

    static Dictionary<string, object?> Map(object? o, string src, string path)
    {
        if (o is Dictionary<string, object?> d) return new Dictionary<string, object?>(d, StringComparer.OrdinalIgnoreCase);
        if (o is IDictionary id)
        {
            var r = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry e in id) r[Text(e.Key)] = e.Value;
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
        Get(m, key) is { } v && Str(v, src, $"{path}.{key}") is { Length: > 0 } text ? text : throw Invalid(src, $"{path}.{key} is required.");

    /// <summary>A scalar as text, for messages and map keys (a list or mapping is described, never converted).</summary>
    static string Text(object? o) => o switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IDictionary or Dictionary<string, object?> => "(a mapping)",
        IEnumerable => "(a list)",
        _ => o.ToString() ?? "",
    };

    /// <summary>What a value is, for "must be …, not …" messages.</summary>
    static string Kind(object? o) => o switch
    {
        IDictionary or Dictionary<string, object?> => "a mapping",
        string => $"'{o}'",
        IEnumerable => "a list",
        _ => $"'{Text(o)}'",
    };

    /// <summary>A scalar value as text; a list or mapping where a scalar belongs is an InvalidTestSpec naming the key.</summary>
    static string Str(object? o, string src, string path, string expected = "a string") =>
        o is string s ? s
        : o is IDictionary or Dictionary<string, object?> or IEnumerable ? throw Invalid(src, $"{path} must be {expected}, not {Kind(o)}.")
        : Text(o);

    /// <summary>One scalar or a list of scalars (a mapping, or a list inside the list, is an InvalidTestSpec).</summary>
    static string[] Strings(object? o, string src, string path)
    {
        if (o is string s) return new[] { s };
        if (o is IDictionary or Dictionary<string, object?>) throw Invalid(src, $"{path} must be a string or a list of strings, not a mapping.");
        if (o is IEnumerable e) return e.Cast<object?>().Select((x, i) => Str(x, src, $"{path}[{i}]")).ToArray();
        return new[] { Str(o, src, path) };
    }

    static bool Bool(object? o, string src, string path) => o switch
    {
        bool b => b,
        string s when s.Equals("true", StringComparison.OrdinalIgnoreCase) || s.Equals("yes", StringComparison.OrdinalIgnoreCase) => true,
        string s when s.Equals("false", StringComparison.OrdinalIgnoreCase) || s.Equals("no", StringComparison.OrdinalIgnoreCase) => false,
        _ => throw Invalid(src, $"{path} must be true or false, not {Kind(o)}."),
    };

    static long Long(object? o, string src, string path) =>
        long.TryParse(Str(o, src, path, "a whole number"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
        : throw Invalid(src, $"{path} must be a whole number, not {Kind(o)}.");

    static double Double(object? o, string src, string path) =>
        double.TryParse(Str(o, src, path, "a number"), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v
        : throw Invalid(src, $"{path} must be a number, not {Kind(o)}.");

    /// <summary>
    /// A container port: 1-65535, optionally /tcp, /udp or /sctp (8080, 8080/tcp, 53/udp); a list, 0, 70000, -1 or
    /// 'abc/xyz' is an InvalidTestSpec naming the key.
    /// </summary>
    internal static string Port(object? o, string src, string path)
    {
        var s = Str(o, src, path, "a port (1-65535, optionally /tcp or /udp)").Trim();
        var m = System.Text.RegularExpressions.Regex.Match(s, @"^(\d{1,5})(?:/(tcp|udp|sctp))?$", RegexOptions.IgnoreCase);
        if (!m.Success || !int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > 65535)
            throw Invalid(src, $"{path} '{s}' must be a port: a number from 1 to 65535, optionally followed by /tcp, /udp or /sctp.");
        return s;
    }

    static string[] Ports(object? o, string src, string path) =>
        Strings(o, src, path).Select((x, i) => Port(x, src, o is string || o is not IEnumerable ? path : $"{path}[{i}]")).ToArray();

    static string Regex(string pattern, string src, string path)
    {
        try { _ = new Regex(pattern); }
        catch (ArgumentException e) { throw Invalid(src, $"{path}: invalid regex '{pattern}': {e.Message}"); }
        return pattern;
    }

    static string ModeText(object o, string src, string path)
    {
        var s = Str(o, src, path, "octal permission bits"); // a psd1 number 755 (or 0755) means the octal digits 755
        if (FileChecks.ParseMode(s) == null) throw Invalid(src, $"{path} '{s}' must be octal permission bits (0755) or a mode string (-rwxr-xr-x).");
        return s;
    }

    /// <summary>Durations: 10s, 500ms, 2m, 1h, 1m30s, or a plain number of seconds.</summary>
    public static TimeSpan Duration(object? o, string src, string path)
    {
        if (o is TimeSpan ts) return ts;
        var s = Str(o, src, path, "a duration (10s, 500ms, 2m)").Trim();
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
        var s = Str(o, src, path, "a size (50MB, 64MiB)").Trim();
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
