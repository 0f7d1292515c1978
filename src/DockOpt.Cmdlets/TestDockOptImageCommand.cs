using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text;
using DockOpt.Engine.Testing;

namespace DockOpt.Cmdlets;

/// <summary>Tests that an image is built right, starts, serves, stays healthy, uses bounded resources and stops gracefully.</summary>
[Cmdlet(VerbsDiagnostic.Test, "DockOptImage", DefaultParameterSetName = ParameterSets.Name, SupportsShouldProcess = true)]
[OutputType(typeof(ImageTestResult), typeof(ImageTestSummary), typeof(string))]
public sealed class TestDockOptImageCommand : EngineCmdlet
{
    static readonly string[] Formats = { "JUnit", "Json", "Sarif" };

    /// <summary>Local images to test: names, IDs or wildcards; every DockOpt object that names an image binds from the pipeline.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.Name)]
    [Alias("Image", "ImageId", "Id")]
    [SupportsWildcards]
    [ImageNameTransformation]
    [ArgumentCompleter(typeof(ImageNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>A spec file: DockOpt YAML or .psd1, or container-structure-test YAML (schemaVersion 2.0.0).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SpecPath { get; set; }

    /// <summary>Container ports to publish on 127.0.0.1 (ephemeral host ports), e.g. 5000 or 53/udp.</summary>
    [Parameter]
    public string[]? Port { get; set; }

    /// <summary>Paths to GET on the published port; each is one HTTP check.</summary>
    [Parameter]
    public string[]? HttpGet { get; set; }

    /// <summary>Expected status codes for -HttpGet: 200, 200-299, 2xx (default 2xx).</summary>
    [Parameter]
    public string[]? ExpectStatus { get; set; }

    /// <summary>A regex the -HttpGet response body must match.</summary>
    [Parameter]
    public string? ExpectBody { get; set; }

    /// <summary>Request headers for -HttpGet.</summary>
    [Parameter]
    public Hashtable? HttpHeader { get; set; }

    /// <summary>Send the -HttpGet requests over HTTPS.</summary>
    [Parameter]
    public SwitchParameter UseTls { get; set; }

    /// <summary>Accept any TLS certificate in HTTP checks.</summary>
    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary>Environment variables for the container.</summary>
    [Parameter]
    public Hashtable? Environment { get; set; }

    /// <summary>Arguments for the image's ENTRYPOINT (replace its CMD).</summary>
    [Parameter]
    public string[]? Argument { get; set; }

    /// <summary>Memory limit for the container in bytes (e.g. 256MB).</summary>
    [Parameter]
    [ValidateRange(4L * 1024 * 1024, long.MaxValue)]
    public long Memory { get; set; }

    /// <summary>CPU limit for the container (e.g. 0.5).</summary>
    [Parameter]
    [ValidateRange(0.01, 1024)]
    public double Cpus { get; set; }

    /// <summary>Run docker's init (tini) as PID 1, like docker run --init (to confirm the shutdown fix).</summary>
    [Parameter]
    public SwitchParameter Init { get; set; }

    /// <summary>How long the container may take to become ready: 30s, 2m, a number of seconds or a TimeSpan (default 60s).</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan ReadyTimeout { get; set; } = DefaultReadyTimeout;

    /// <summary>Grace period of the shutdown check: 5s, a number of seconds or a TimeSpan (default: docker's, 10s for Linux and 30s for Windows containers).</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan GracePeriod { get; set; } = DefaultGracePeriod;

    /// <summary>The default of -ReadyTimeout.</summary>
    public static readonly TimeSpan DefaultReadyTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The default of -GracePeriod (docker stop's, for Linux containers).</summary>
    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromSeconds(10);

    /// <summary>Platform of the containers the run creates (os/arch[/variant], e.g. linux/amd64); the image must be that platform.</summary>
    [Parameter]
    public string? Platform { get; set; }

    /// <summary>Run only these categories of checks.</summary>
    [Parameter]
    [ValidateSet("Metadata", "Files", "Command", "Startup", "Http", "Health", "Resources", "Shutdown")]
    public string[]? Category { get; set; }

    /// <summary>Also write one DockOpt.ImageTestSummary per image after its results.</summary>
    [Parameter]
    public SwitchParameter IncludeSummary { get; set; }

    /// <summary>Report format: JUnit, Json or Sarif. Without -OutFile the report text replaces the result objects in the pipeline.</summary>
    [Parameter]
    [ValidateSet("JUnit", "Json", "Sarif", IgnoreCase = true)]
    public string? Format { get; set; }

    /// <summary>Where to write the report (format from -Format or the extension: .xml JUnit, .json Json, .sarif Sarif; written via a temp file and a rename).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutFile { get; set; }

    /// <summary>End with one terminating ImageTestGateFailed error after all images (Failed: failures, errors or untested images; Error: errors or untested images).</summary>
    [Parameter]
    [ValidateSet("Failed", "Error", IgnoreCase = true)]
    public ImageTestOutcome? FailOn { get; set; }

    /// <summary>Keep the test container instead of removing it (for debugging).</summary>
    [Parameter]
    public SwitchParameter KeepContainer { get; set; }

    readonly List<ImageTestResult> _results = new();
    readonly List<ImageTestSummary> _summaries = new();
    readonly List<string> _notTested = new();
    ImageTestSpec? _fileSpec;
    bool _specRead;
    string? _format;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        try
        {
            _format = ReportFormat.Resolve(Format, OutFile, Formats);
        }
        catch (DockOptException e)
        {
            ThrowTerminatingError(ToErrorRecord(e));
        }
        if (SpecPath != null)
        {
            try
            {
                _fileSpec = LoadSpec(SessionState.Path.GetUnresolvedProviderPathFromPSPath(SpecPath));
            }
            catch (DockOptException e)
            {
                ThrowTerminatingError(ToErrorRecord(e));
            }
        }
        _specRead = true;
    }

    ImageTestSpec LoadSpec(string path)
    {
        if (!File.Exists(path))
            throw new DockOptException(ErrorIds.TestSpecNotFound, DockOptErrorCategory.ObjectNotFound, $"The test spec '{path}' does not exist.", path,
                "Check -SpecPath; see Get-Help about_DockOptImageTestSpec for the format.");
        var ext = Path.GetExtension(path).ToLowerInvariant();
        DockOpt.Engine.Dockerfiles.SourceFile.EnsureRegular(path, "test spec"); // a FIFO would block the parser's read
        if (ext == ".psd1")
        {
            var ast = Parser.ParseFile(path, out _, out var errors);
            if (errors.Length > 0)
                throw new DockOptException(ErrorIds.InvalidTestSpec, DockOptErrorCategory.ParserError,
                    $"Test spec '{path}' is invalid: line {errors[0].Extent.StartLineNumber}: {errors[0].Message}", path, "Fix the PowerShell data file syntax.");
            var ht = ast.Find(a => a is HashtableAst, false) as HashtableAst
                ?? throw new DockOptException(ErrorIds.InvalidTestSpec, DockOptErrorCategory.InvalidData, $"Test spec '{path}' has no @{{ … }} hashtable.", path,
                    "A .psd1 spec is one hashtable; see Get-Help about_DockOptImageTestSpec.");
            object? value;
            try
            {
                value = ht.SafeGetValue(); // constants only: never runs code from the file
            }
            catch (InvalidOperationException e)
            {
                throw new DockOptException(ErrorIds.InvalidTestSpec, DockOptErrorCategory.InvalidData,
                    $"Test spec '{path}' is invalid: {e.Message}", path, "Use only constant values (strings, numbers, $true/$false, arrays, hashtables).");
            }
            return SpecReader.FromTree(value!, path, Warning);
        }
        if (ext is ".yaml" or ".yml" or ".json")
            return SpecReader.ReadYaml(File.ReadAllText(path, Encoding.UTF8), path, Warning);
        throw new DockOptException(ErrorIds.UnsupportedTestSpecFormat, DockOptErrorCategory.InvalidArgument,
            $"The test spec '{path}' is neither YAML (.yaml, .yml), JSON nor a PowerShell data file (.psd1).", path, "Use a .yaml or .psd1 spec.");
    }

    ImageTestSpec ParameterSpec()
    {
        var s = new ImageTestSpec();
        if (Port != null) s.Runtime.Ports.AddRange(Port);
        foreach (var path in HttpGet ?? Array.Empty<string>())
        {
            var h = new HttpCheckSpec
            {
                Path = path.StartsWith('/') ? path : "/" + path,
                Tls = UseTls,
                BodyPattern = ExpectBody,
                SkipCertificateCheck = SkipCertificateCheck,
                Port = Port is { Length: > 0 } ? Port[0] : null,
            };
            foreach (var st in ExpectStatus ?? Array.Empty<string>()) { StatusSet.Parse(st, "-ExpectStatus", "-ExpectStatus"); h.Status.Add(st); }
            if (HttpHeader != null) foreach (DictionaryEntry kv in HttpHeader) h.Headers[kv.Key.ToString()!] = kv.Value?.ToString() ?? "";
            s.Runtime.Http.Add(h);
        }
        if (Environment != null) foreach (DictionaryEntry kv in Environment) s.Runtime.Environment[kv.Key.ToString()!] = kv.Value?.ToString() ?? "";
        if (Argument != null) s.Runtime.Arguments = Argument;
        if (MyInvocation.BoundParameters.ContainsKey(nameof(Memory))) s.Runtime.Memory = Memory;
        if (MyInvocation.BoundParameters.ContainsKey(nameof(Cpus))) s.Runtime.Cpus = Cpus;
        if (Init) s.Runtime.Init = true;
        // Explicit parameters win over the spec file.
        if (MyInvocation.BoundParameters.ContainsKey(nameof(ReadyTimeout))) s.Runtime.Ready.Timeout = ReadyTimeout;
        if (MyInvocation.BoundParameters.ContainsKey(nameof(GracePeriod))) s.Runtime.GracePeriod = GracePeriod;
        if (Port != null || HttpGet != null || Environment != null || Argument != null || Init) s.Runtime.Start = true;
        return s;
    }

    protected override void ProcessRecord()
    {
        if (!_specRead) return;
        ImageTestSpec paramSpec;
        try
        {
            paramSpec = ParameterSpec();
        }
        catch (DockOptException e)
        {
            ThrowTerminatingError(ToErrorRecord(e));
            return;
        }
        var options = new ImageTestOptions
        {
            ReadyTimeout = ReadyTimeout,
            GracePeriod = MyInvocation.BoundParameters.ContainsKey(nameof(GracePeriod)) ? GracePeriod : null,
            KeepContainer = KeepContainer,
            Categories = Category,
            SkipCertificateCheck = SkipCertificateCheck,
            Platform = Platform,
        };
        var emitObjects = !(_format != null && OutFile == null);
        var images = new List<string>();
        if (Name.Any(WildcardPattern.ContainsWildcardCharacters))
        {
            RunPerItem(async ct => images = await ExpandImageNamesAsync(Name, e =>
            {
                Error(e);
                lock (_notTested) _notTested.Add(e.Target?.ToString() ?? e.Message);
            }, ct).ConfigureAwait(false));
        }
        else images.AddRange(Name.Where(n => !string.IsNullOrWhiteSpace(n)));
        foreach (var image in images)
        {
            var spec = _fileSpec == null ? ImageTestSpec.Default() : _fileSpec.Clone();
            spec.Merge(paramSpec);
            var tested = false;
            if (DockOpt.Engine.Images.ImageSourceReference.HasTransport(image) && ClassifyImage(image) is { Transport: not DockOpt.Engine.Images.ImageTransport.Engine } input)
            {
                // docker://, docker-archive:, oci-archive:, oci:: the file checks from the image's layers, no engine, no container.
                RunPerItem(async ct =>
                {
                    DockOpt.Engine.Images.ImageSource source = input.Transport == DockOpt.Engine.Images.ImageTransport.Registry
                        ? new DockOpt.Engine.Registry.RegistryImageSource(DockOpt.Engine.Images.ImageSourceReference.Parse(input.Value).Registry!, this,
                            cache: DockOpt.Engine.Registry.LayerBlobCache.FromEnvironment())
                        : DockOpt.Engine.Images.ImageSource.FromPath(input.Value, input.OciRef);
                    var summary = await SourceFileTester.TestAsync(source, image, spec, options, r =>
                    {
                        lock (_results) _results.Add(r);
                        if (emitObjects) Output(r);
                    }, ct).ConfigureAwait(false);
                    lock (_summaries) _summaries.Add(summary);
                    tested = true;
                    if (IncludeSummary && emitObjects) Output(summary);
                });
                if (!tested) _notTested.Add(image);
                continue;
            }
            RunPerItem(async ct =>
            {
                var engine = await GetEngineAsync(ct).ConfigureAwait(false);
                var tester = new ImageTester(engine, this, ImageFileSources.Create(engine));
                var summary = await tester.TestAsync(image, spec, options, r =>
                {
                    lock (_results) _results.Add(r);
                    if (emitObjects) Output(r);
                }, ct).ConfigureAwait(false);
                lock (_summaries) _summaries.Add(summary);
                tested = true;
                if (IncludeSummary && emitObjects) Output(summary);
            });
            if (!tested) _notTested.Add(image);
        }
    }

    /// <summary>The Json or Sarif report of every result and summary so far (ImageTestReports).</summary>
    string ReportText() => _format == "Sarif"
        ? ImageTestReports.ToSarif(_results, _summaries, DockOpt.Engine.Security.SecurityScanService.ToolVersion)
        : ImageTestReports.ToJson(_results, _summaries);

    protected override void EndProcessing()
    {
        if (_format != null)
        {
            try
            {
                if (OutFile != null)
                {
                    var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutFile);
                    if (ShouldProcess(path, $"Write the {_format} report"))
                    {
                        if (_format == "JUnit") JUnitReport.Write(path, _results, _summaries);
                        else DockOpt.Engine.IO.AtomicFile.WriteAllText(path, ReportText());
                        WriteVerbose($"Wrote the {_format} report to {path} ({_results.Count} checks).");
                    }
                }
                else if (_format == "JUnit")
                {
                    using var ms = new MemoryStream();
                    JUnitReport.Write(ms, _results, _summaries);
                    WriteObject(Encoding.UTF8.GetString(ms.ToArray()));
                }
                else WriteObject(ReportText());
            }
            catch (DockOptException e)
            {
                ThrowTerminatingError(ToErrorRecord(e));
            }
        }

        if (FailOn is { } failOn)
        {
            var bad = _results.Where(r => r.Outcome == ImageTestOutcome.Error || (failOn == ImageTestOutcome.Failed && r.Outcome == ImageTestOutcome.Failed)).ToList();
            if (bad.Count > 0 || _notTested.Count > 0)
            {
                var sb = new StringBuilder();
                var images = bad.Select(b => b.Image).Concat(_notTested).Distinct().Count();
                sb.Append(CultureInfo.InvariantCulture, $"Test-DockOptImage: {bad.Count} check(s) {(failOn == ImageTestOutcome.Failed ? "failed or errored" : "errored")}");
                if (_notTested.Count > 0) sb.Append(CultureInfo.InvariantCulture, $", {_notTested.Count} image(s) could not be tested");
                sb.Append(CultureInfo.InvariantCulture, $" on {images} image(s):");
                foreach (var n in _notTested) sb.Append("\n  ").Append(n).Append(": not tested (see the error above)");
                foreach (var b in bad.Take(50))
                    sb.Append("\n  ").Append(b.Image).Append(" [").Append(b.Outcome).Append("] ").Append(b.Category).Append(": ").Append(b.Name)
                        .Append(" - expected ").Append(b.Expected).Append(", got ").Append(b.Actual);
                if (bad.Count > 50) sb.Append(CultureInfo.InvariantCulture, $"\n  … and {bad.Count - 50} more");
                var e = new DockOptException(ErrorIds.ImageTestGateFailed, DockOptErrorCategory.InvalidResult, sb.ToString(), bad.Select(b => b.Image).Concat(_notTested).FirstOrDefault(),
                    "Read the Message and Detail of each failed result (Test-DockOptImage … | Where-Object { -not $_.Passed } | Format-List).");
                base.EndProcessing();
                ThrowTerminatingError(ToErrorRecord(e));
            }
        }
        base.EndProcessing();
    }
}
