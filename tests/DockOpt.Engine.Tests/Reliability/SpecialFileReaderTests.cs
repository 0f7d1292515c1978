using System.Diagnostics;
using DockOpt.Engine.Building;
using DockOpt.Engine.Registry;

namespace DockOpt.Engine.Tests.Reliability;

/// <summary>
/// Issue 18 item 4: the credential files (docker config.json, AWS shared config and credentials, the IAM Identity
/// Center token cache, a web identity token file) and the git metadata reader check the file type before reading. A
/// FIFO in their place fails at once with FileNotRegular naming the file, instead of blocking the open forever. These
/// are sources the user configured (or the repository being built), so a broken one is reported, not skipped: skipping
/// it would only move the failure to a confusing 401 or a "no credentials" later on. Every read runs on a worker with a
/// 10 s bound, so a regression fails the test instead of hanging the run.
/// </summary>
public sealed class SpecialFileReaderTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("dockopt-a-fifo-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    /// <summary>A FIFO made with mkfifo (skipped where mkfifo does not exist).</summary>
    string Fifo(string path)
    {
        Precondition.Require(!OperatingSystem.IsWindows(), "FIFOs (mkfifo) exist on Unix only");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (File.Exists(path)) File.Delete(path);
        using (var p = Process.Start(new ProcessStartInfo("mkfifo", path) { UseShellExecute = false })!)
        {
            p.WaitForExit();
            Assert.Equal(0, p.ExitCode);
        }
        return path;
    }

    /// <summary>After a hang: opens the FIFO for writing (the stuck reader is there, so this does not block), so the reader gets EOF and its thread ends.</summary>
    static void Unblock(string fifo)
    {
        _ = Task.Run(() =>
        {
            try { using var w = new FileStream(fifo, FileMode.Open, FileAccess.Write); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        });
    }

    /// <summary>The FileNotRegular error <paramref name="action"/> fails with, within 10 s (a hang fails the test).</summary>
    static DockOptException FailsSoon(Func<Task> action, string fifo)
    {
        var t = Task.Run(action);
        try
        {
            if (!t.Wait(TimeSpan.FromSeconds(10)))
            {
                Unblock(fifo);
                throw new Xunit.Sdk.XunitException($"the read of the FIFO {fifo} hung for 10 s");
            }
        }
        catch (AggregateException) { } // inspected below
        Assert.True(t.IsFaulted, "expected FileNotRegular, but the read succeeded");
        var e = Assert.IsType<DockOptException>(t.Exception!.InnerException);
        Assert.Equal(ErrorIds.FileNotRegular, e.ErrorId);
        Assert.Contains(fifo, e.Message);
        Assert.Contains("FIFO", e.Message);
        return e;
    }

    Func<string, string?> Env(Dictionary<string, string> env) => k => env.TryGetValue(k, out var v) ? v : null;

    Dictionary<string, string> AwsEnv() => new()
    {
        ["HOME"] = _dir, ["AWS_EC2_METADATA_DISABLED"] = "true", ["AWS_PROFILE"] = "ci",
        ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_dir, "no-credentials"), ["AWS_CONFIG_FILE"] = Path.Combine(_dir, "no-config"),
    };

    [Fact]
    public void A_FIFO_as_docker_config_json_fails_at_once_with_FileNotRegular()
    {
        var fifo = Fifo(Path.Combine(_dir, "docker", "config.json"));
        var creds = new DockerConfigCredentials(Path.Combine(_dir, "docker"));
        FailsSoon(() => Task.FromResult(creds.Find("registry.example.com")), fifo);
    }

    [Fact]
    public void A_FIFO_as_AWS_config_or_credentials_file_fails_at_once_with_FileNotRegular()
    {
        var env = AwsEnv();
        env["AWS_CONFIG_FILE"] = Fifo(Path.Combine(_dir, "aws-config"));
        FailsSoon(() => new AwsCredentialChain(Env(env)).ResolveAsync("eu-west-1", _ => { }, CancellationToken.None), env["AWS_CONFIG_FILE"]);
        FailsSoon(() => Task.FromResult(new AwsCredentialChain(Env(env)).ResolveRegion()), env["AWS_CONFIG_FILE"]);

        env = AwsEnv();
        env["AWS_SHARED_CREDENTIALS_FILE"] = Fifo(Path.Combine(_dir, "aws-credentials"));
        FailsSoon(() => new AwsCredentialChain(Env(env)).ResolveAsync("eu-west-1", _ => { }, CancellationToken.None), env["AWS_SHARED_CREDENTIALS_FILE"]);

        // The same files as regular files are read: the profile's keys come back (so the check refuses only special files).
        env = AwsEnv();
        File.WriteAllText(env["AWS_SHARED_CREDENTIALS_FILE"], "[ci]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = example-secret\n");
        var c = new AwsCredentialChain(Env(env)).ResolveAsync("eu-west-1", _ => { }, CancellationToken.None).GetAwaiter().GetResult();
        Assert.Equal("AKIDEXAMPLE", c.AccessKeyId);
    }

    [Fact]
    public void A_FIFO_as_the_IAM_Identity_Center_token_cache_fails_at_once_with_FileNotRegular()
    {
        // The AWS SDK for Rust's sso_assume_role fixture (its config names the start URL whose cache file this is).
        var src = Path.Combine(AppContext.BaseDirectory, "Registry", "Data", "smithy-rs", "default-credential-provider-chain", "sso_assume_role", "fs", "home");
        foreach (var f in Directory.EnumerateFiles(src, "*", SearchOption.AllDirectories))
        {
            var dest = Path.Combine(_dir, Path.GetRelativePath(src, f));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(f, dest, true);
        }
        var cache = AwsCredentialChain.SsoCacheFile(_dir, "https://ssotest.awsapps.com/start");
        Assert.True(File.Exists(cache));
        Fifo(cache);
        var env = new Dictionary<string, string> { ["HOME"] = _dir, ["AWS_PROFILE"] = "sso-test", ["AWS_REGION"] = "us-west-2", ["AWS_EC2_METADATA_DISABLED"] = "true" };
        FailsSoon(() => new AwsCredentialChain(Env(env)).ResolveAsync("us-west-2", _ => { }, CancellationToken.None), cache);
    }

    [Fact]
    public void A_FIFO_as_the_web_identity_token_file_fails_at_once_with_FileNotRegular()
    {
        var env = AwsEnv();
        env["AWS_WEB_IDENTITY_TOKEN_FILE"] = Fifo(Path.Combine(_dir, "token"));
        env["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/ci";
        FailsSoon(() => new AwsCredentialChain(Env(env)).ResolveAsync("eu-west-1", _ => { }, CancellationToken.None), env["AWS_WEB_IDENTITY_TOKEN_FILE"]);
    }

    [Fact]
    public void A_FIFO_in_the_git_metadata_fails_at_once_with_FileNotRegular()
    {
        const string Sha = "0123456789abcdef0123456789abcdef01234567";
        var repo = Path.Combine(_dir, "repo");
        var git = Path.Combine(repo, ".git");
        Directory.CreateDirectory(Path.Combine(git, "refs", "heads"));
        File.WriteAllText(Path.Combine(git, "HEAD"), "ref: refs/heads/main\n");
        File.WriteAllText(Path.Combine(git, "refs", "heads", "main"), Sha + "\n");
        Assert.Equal((Sha, "main"), GitInfo.Resolve(repo, _ => null)); // as regular files it reads

        var head = Fifo(Path.Combine(git, "HEAD"));
        FailsSoon(() => Task.FromResult(GitInfo.Resolve(repo, _ => null)), head);

        File.Delete(head);
        File.WriteAllText(head, "ref: refs/heads/main\n");
        var branch = Fifo(Path.Combine(git, "refs", "heads", "main"));
        FailsSoon(() => Task.FromResult(GitInfo.Resolve(repo, _ => null)), branch);

        // A worktree's .git file.
        var wt = Path.Combine(_dir, "wt");
        var dotGit = Fifo(Path.Combine(wt, ".git"));
        FailsSoon(() => Task.FromResult(GitInfo.Resolve(wt, _ => null)), dotGit);
    }

    [Fact]
    public void A_FIFO_as_the_Docker_daemon_configuration_fails_at_once_with_FileNotRegular()
    {
        var fifo = Fifo(Path.Combine(_dir, "daemon.json"));
        FailsSoon(() => Task.FromResult(InsecureRegistries.Listed(fifo)), fifo);
        File.Delete(fifo);
        File.WriteAllText(fifo, "{\"insecure-registries\": [\"build.example:5000\"]}");
        Assert.Contains("build.example:5000", InsecureRegistries.Listed(fifo)); // a regular file is read
    }

    [Fact]
    public void A_FIFO_in_the_compressed_size_cache_is_a_miss_not_a_hang()
    {
        var diffId = "sha256:" + new string('c', 64);
        var cache = Path.Combine(_dir, "gzip-sizes");
        var fifo = Fifo(Path.Combine(cache, new string('c', 64)));
        var estimator = new PushSizeEstimator(null!, NullSink.Instance, cache); // TryCached reads the cache only
        var t = Task.Run(() => estimator.TryCached(new[] { diffId }));
        if (!t.Wait(TimeSpan.FromSeconds(10)))
        {
            Unblock(fifo);
            throw new Xunit.Sdk.XunitException($"the read of the FIFO {fifo} hung for 10 s");
        }
        Assert.Null(t.Result);
        File.Delete(fifo);
        File.WriteAllText(fifo, "1234");
        Assert.Equal(1234, estimator.TryCached(new[] { diffId }));
    }
}
