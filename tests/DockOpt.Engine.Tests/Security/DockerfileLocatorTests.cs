using DockOpt.Engine.Security;

namespace DockOpt.Engine.Tests.Security;

/// <summary>
/// History ↔ Dockerfile alignment. The classic-builder history below is what dockerd 20.10 wrote here for this
/// Dockerfile (docker history --no-trunc, oldest first); the BuildKit one is the same build in BuildKit's spelling
/// (the instruction keyword first, "# buildkit" after RUN and COPY). The CiOutput Pester tests run it on a real build.
/// </summary>
public sealed class DockerfileLocatorTests : IDisposable
{
    const string Dockerfile = "# syntax check\nFROM dockopt/busybox:latest AS build\nRUN echo build > /b\n\nFROM dockopt/busybox:latest\nARG V=1\nENV A=b \\\n    TOKEN=x\nWORKDIR /app\nCOPY f /app/f\nRUN echo $V > /v\nUSER 1000\nLABEL deploy.key=\"k\"\nCMD [\"sh\"]\n";
    readonly string _dir = Directory.CreateTempSubdirectory("dockopt-locator-").FullName;
    readonly string _path;

    public DockerfileLocatorTests()
    {
        _path = Path.Combine(_dir, "Dockerfile");
        File.WriteAllText(_path, Dockerfile);
    }

    public void Dispose() => Directory.Delete(_dir, true);

    static readonly List<(string, bool)> Classic = new()
    {
        ("", false),                                                          // the base image's only entry
        ("/bin/sh -c #(nop)  ARG V=1", true),
        ("/bin/sh -c #(nop)  ENV A=b TOKEN=x", true),
        ("/bin/sh -c #(nop) WORKDIR /app", false),
        ("/bin/sh -c #(nop) COPY file:fa1b54d3c9c5e1eec5f2e162826f43373b3f032c070912d208e3cfebdd689b75 in /app/f ", false),
        ("|1 V=1 /bin/sh -c echo $V > /v", false),
        ("/bin/sh -c #(nop)  USER 1000", true),
        ("/bin/sh -c #(nop)  LABEL deploy.key=k", true),
        ("/bin/sh -c #(nop)  CMD [\"sh\"]", true),
    };

    static readonly List<(string, bool)> BuildKit = new()
    {
        ("", false),
        ("ENV A=b TOKEN=x", true),                                            // no ARG entry: the ARG is skipped
        ("WORKDIR /app", false),
        ("COPY f /app/f # buildkit", false),
        ("RUN |1 V=1 /bin/sh -c echo $V > /v # buildkit", false),
        ("USER 1000", true),
        ("LABEL deploy.key=k", true),
        ("CMD [\"sh\"]", true),
    };

    [Theory]
    [InlineData("/bin/sh -c #(nop)  CMD [\"sh\"]", "CMD")]
    [InlineData("/bin/sh -c #(nop) COPY file:abc in /app/f ", "COPY")]
    [InlineData("|1 V=1 /bin/sh -c echo $V > /v", "RUN")]
    [InlineData("/bin/sh -c apt-get update", "RUN")]
    [InlineData("RUN /bin/sh -c echo hi # buildkit", "RUN")]
    [InlineData("COPY f /app/f # buildkit", "COPY")]
    [InlineData("ENV A=b", "ENV")]
    public void Reads_the_instruction_keyword_of_both_history_spellings(string createdBy, string keyword) =>
        Assert.Equal(keyword, DockerfileLocator.KeywordOf(createdBy));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Maps_layers_history_entries_and_settings_to_their_lines(bool classic)
    {
        var history = classic ? Classic : BuildKit;
        var loc = DockerfileLocator.Create(_path, null, history, 4, out var why);
        Assert.True(loc != null, why);
        Assert.Null(loc!.ForLayer(0));                                        // the base image's layer
        Assert.Equal(9, loc.ForLayer(1)?.Line);                               // WORKDIR
        Assert.Equal((10, "COPY f /app/f"), (loc.ForLayer(2)?.Line, loc.ForLayer(2)?.Text));
        Assert.Equal(11, loc.ForLayer(3)?.Line);                              // RUN
        Assert.Equal(7, loc.ForSetting("ENV", "TOKEN")?.Line);                // the continued ENV starts on line 7
        Assert.Equal(13, loc.ForSetting("LABEL", "deploy.key")?.Line);
        Assert.Null(loc.ForSetting("ENV", "NOPE"));
        Assert.Equal(14, loc.ForHistory(history.Count - 1)?.Line);            // CMD

        var report = new DockOpt.SecurityReport
        {
            Findings = new[]
            {
                new DockOpt.SecurityFinding { Kind = "Secret", RuleId = "DO-SEC-GITHUB-TOKEN", Location = "/v:1", Layer = 3 },
                new DockOpt.SecurityFinding { Kind = "Config", RuleId = "DO-CFG-007", Location = "ENV:TOKEN" },
                new DockOpt.SecurityFinding { Kind = "Secret", RuleId = "DO-SEC-PRIVATE-KEY", Location = "/etc/k:1", Layer = 0, IsBaseLayer = true },
            },
            Vulnerabilities = new[] { new DockOpt.Vulnerability { Id = "CVE-1", Layer = 2 } },
        };
        Assert.Equal(3, loc.Apply(report));
        Assert.Equal((Path.GetFullPath(_path), 11, "RUN echo $V > /v"), (report.Findings[0].Dockerfile, report.Findings[0].Line, report.Findings[0].Instruction));
        Assert.Equal(7, report.Findings[1].Line);
        Assert.Null(report.Findings[2].Line);
        Assert.Equal(10, report.Vulnerabilities[0].Line);
    }

    [Fact]
    public void The_instruction_text_never_carries_a_secret_written_into_it()
    {
        const string alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        var token = "ghp_" + new string(Enumerable.Range(0, 36).Select(_ => alnum[Random.Shared.Next(alnum.Length)]).ToArray());   // generated per run
        var path = Path.Combine(_dir, "Dockerfile.secret");
        File.WriteAllText(path, $"FROM dockopt/busybox:latest\nRUN echo \"{token}\" > /app/t\n");
        var loc = DockerfileLocator.Create(path, null, new List<(string, bool)> { ("", false), ($"RUN /bin/sh -c echo \"{token}\" > /app/t # buildkit", false) }, 2, out var why);
        Assert.True(loc != null, why);
        var text = loc!.ForLayer(1)!.Value.Text;
        Assert.DoesNotContain(token, text);
        Assert.StartsWith("RUN echo \"ghp_****", text);
    }

    [Fact]
    public void An_image_not_built_from_the_Dockerfile_maps_nothing()
    {
        var other = new List<(string, bool)> { ("", false), ("/bin/sh -c #(nop)  EXPOSE 80", true) };
        Assert.Null(DockerfileLocator.Create(_path, null, other, 1, out var why));
        Assert.Contains("does not end with", why);
        // the first stage as target: its RUN is the last history entry
        var build = new List<(string, bool)> { ("", false), ("/bin/sh -c echo build > /b", false) };
        Assert.Equal(3, DockerfileLocator.Create(_path, "build", build, 2, out _)?.ForLayer(1)?.Line);
        Assert.Equal(3, DockerfileLocator.Create(_path, null, build, 2, out _)?.ForLayer(1)?.Line);   // found without the target
        Assert.Null(DockerfileLocator.Create(_path, "build", Classic, 4, out _));
    }
}
