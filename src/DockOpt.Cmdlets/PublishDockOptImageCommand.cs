using System.Management.Automation;
using DockOpt.Engine.Registry;

namespace DockOpt.Cmdlets;

/// <summary>Publishes local images to Amazon ECR or any OCI registry under many tags, idempotently.</summary>
[Cmdlet(VerbsData.Publish, "DockOptImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ParameterSets.Registry)]
[OutputType(typeof(PublishResult))]
public sealed class PublishDockOptImageCommand : EngineCmdlet
{
    RegistryTarget? _target;
    IReadOnlyList<string>? _tags;
    RegistryAuth? _auth;
    ImagePublisher? _publisher;
    readonly List<PublishResult> _results = new();
    readonly List<string> _notPublished = new();
    readonly List<string> _platformImages = new();

    /// <summary>Local images: names, IDs or wildcards; every DockOpt object that names an image binds from the pipeline.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Image", "ImageId", "Id")]
    [SupportsWildcards]
    [ImageNameTransformation]
    [ArgumentCompleter(typeof(ImageNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Registry host (with port), e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com or ghcr.io.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Registry)]
    [ValidateNotNullOrEmpty]
    public string Registry { get; set; } = "";

    /// <summary>Repository in the registry, e.g. team/app.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Registry)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    /// <summary>Full destination host/repository[:tag] instead of -Registry and -Repository.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Destination)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = "";

    /// <summary>Tags to publish (combined with -TagStrategy).</summary>
    [Parameter]
    public string[]? Tag { get; set; }

    /// <summary>Derived tags: Latest, GitSha, SemVer (from -Version), Timestamp; several may be given.</summary>
    [Parameter]
    public PublishTagStrategy[]? TagStrategy { get; set; }

    /// <summary>Semantic version for -TagStrategy SemVer; '+build' metadata is mapped to '_'.</summary>
    [Parameter]
    public string? Version { get; set; }

    /// <summary>Registry credentials; for ECR the user is AWS. Wins over config.json and the AWS chain.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Amazon ECR: create the repository when missing ("already exists" is fine).</summary>
    [Parameter]
    public SwitchParameter CreateRepository { get; set; }

    /// <summary>Amazon ECR, with -CreateRepository: MUTABLE or IMMUTABLE tags.</summary>
    [Parameter]
    [ValidateSet("MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION", IgnoreCase = true)]
    public string? ImageTagMutability { get; set; }

    /// <summary>Amazon ECR, with -CreateRepository: scan images on push.</summary>
    [Parameter]
    public SwitchParameter ScanOnPush { get; set; }

    /// <summary>Amazon ECR, with -CreateRepository: AES256, KMS or KMS_DSSE.</summary>
    [Parameter]
    [ValidateSet("AES256", "KMS", "KMS_DSSE", IgnoreCase = true)]
    public string? EncryptionType { get; set; }

    /// <summary>Amazon ECR: KMS key ARN for -EncryptionType KMS.</summary>
    [Parameter]
    public string? KmsKey { get; set; }

    /// <summary>Amazon ECR: wait for the image scan and attach the severity counts.</summary>
    [Parameter]
    public SwitchParameter WaitForScan { get; set; }

    /// <summary>Longest wait for the scan: 30s, 10m, a number of seconds or a TimeSpan (default 10m).</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan ScanTimeout { get; set; } = PublishOptions.DefaultScanTimeout;

    /// <summary>
    /// Fail (once, after all input) with PublishScanGateFailed when a scan found findings of this severity or worse, a scan did not
    /// complete or an image could not be published; implies -WaitForScan. DockOpt's severities or ECR's Informational.
    /// </summary>
    [Parameter]
    [SeverityTransformation]
    public Severity? FailOn { get; set; }

    /// <summary>Time bound for retries of transient registry failures: 30s, 2m, a number of seconds or a TimeSpan (default 2m).</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan RetryTimeout { get; set; } = RetryPolicy.DefaultMaxTime;

    /// <summary>Attempts per request or push (default 5).</summary>
    [Parameter]
    [ValidateRange(1, 20)]
    public int MaxAttempts { get; set; } = RetryPolicy.DefaultMaxAttempts;

    /// <summary>Keep the local registry/repository:tag tags the push needs (removed afterwards by default).</summary>
    [Parameter]
    public SwitchParameter KeepLocalTag { get; set; }

    /// <summary>
    /// The images given (names or pipeline) are one image per platform, read from each image's config: each is pushed under
    /// &lt;first tag&gt;-&lt;os&gt;-&lt;arch&gt;[-&lt;variant&gt;], then an OCI image index of them under every tag.
    /// </summary>
    [Parameter]
    public SwitchParameter MultiPlatform { get; set; }

    /// <summary>Hidden: ECR control-plane endpoint (tests); also DOCKOPT_ECR_ENDPOINT_URL.</summary>
    [Parameter(DontShow = true)]
    public string? EcrEndpointUrl { get; set; }

    /// <summary>Hidden: scan poll interval (default 5s, as the AWS SDK waiter).</summary>
    [Parameter(DontShow = true)]
    [DurationTransformation]
    public TimeSpan ScanPollInterval { get; set; } = PublishOptions.DefaultScanPollInterval;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        try
        {
            var (target, destTag) = RegistryTarget.Parse(
                ParameterSetName == ParameterSets.Registry ? Registry : null, ParameterSetName == ParameterSets.Registry ? Repository : null,
                ParameterSetName == ParameterSets.Destination ? Destination : null);
            _target = target;
            var strategy = PublishTagStrategy.None;
            foreach (var s in TagStrategy ?? Array.Empty<PublishTagStrategy>()) strategy |= s;
            var explicitTags = new List<string>();
            if (destTag != null) explicitTags.Add(destTag);
            if (Tag != null) explicitTags.AddRange(Tag);
            string? sha = strategy.HasFlag(PublishTagStrategy.GitSha) ? PublishTags.FindGitSha(SessionState.Path.CurrentFileSystemLocation.Path) : null;
            _tags = PublishTags.Resolve(explicitTags, strategy, Version, sha, DateTime.UtcNow, WriteWarning);
            if (_tags.Count == 0)
            {
                if (explicitTags.Count == 0 && strategy == PublishTagStrategy.None) _tags = new[] { "latest" };
                WriteVerbose("No -Tag or -TagStrategy: publishing as 'latest'.");
            }
            if ((CreateRepository || WaitForScan || FailOn != null) && target.Ecr == null && EcrEndpointUrl == null)
                WriteWarning($"-CreateRepository, -WaitForScan and -FailOn apply to Amazon ECR registries; {target.Host} is not one.");

            RegistryCredential? explicitCred = null;
            if (Credential != null)
            {
                var user = Credential.UserName;
                var secret = Credential.GetNetworkCredential().Password;
                explicitCred = user == "<token>" ? new RegistryCredential("<token>", null, "Credential", secret) : new RegistryCredential(user, secret, "Credential");
            }
            var retry = new RetryPolicy { MaxAttempts = MaxAttempts, MaxTime = RetryTimeout };
            var config = new DockerConfigCredentials();
            RegistryCredential? fromAwsTools = null;
            if (explicitCred == null && target.Ecr != null && config.Find(target.Host) == null)
                fromAwsTools = TryAwsToolsEcr(target.Ecr);
            _auth = new RegistryAuth
            {
                Explicit = explicitCred,
                Config = config,
                AwsToolsEcr = fromAwsTools != null ? _ => fromAwsTools : null,
                Retry = retry,
                EcrEndpoint = string.IsNullOrEmpty(EcrEndpointUrl) ? null : new Uri(EcrEndpointUrl),
            };
        }
        catch (DockOptException e)
        {
            ThrowTerminatingError(ToErrorRecord(e));
        }
    }

    /// <summary>Get-ECRLoginCommand from AWS.Tools.ECR when that module is installed (runs on the pipeline thread).</summary>
    RegistryCredential? TryAwsToolsEcr(EcrHost ecr)
    {
        try
        {
            var available = InvokeCommand.InvokeScript(
                "Get-Module -ListAvailable -Name AWS.Tools.ECR, AWSPowerShell.NetCore | Select-Object -First 1");
            if (available.Count == 0) return null;
            WriteVerbose($"Credentials for {ecr.AccountId}.dkr.ecr.{ecr.Region}: asking AWS.Tools.ECR (Get-ECRLoginCommand -Region {ecr.Region}).");
            var r = InvokeCommand.InvokeScript(false, ScriptBlock.Create("param($r) Get-ECRLoginCommand -Region $r -ErrorAction Stop"), null, ecr.Region);
            var o = r.FirstOrDefault();
            if (o == null) return null;
            var user = o.Properties["Username"]?.Value as string;
            var pass = o.Properties["Password"]?.Value as string;
            DateTime? exp = o.Properties["ExpiresAt"]?.Value is DateTime d ? d.ToUniversalTime() : null;
            return string.IsNullOrEmpty(pass) ? null : new RegistryCredential(user ?? "AWS", pass, "AWS.Tools.ECR", null, exp);
        }
        catch (Exception e) when (e is RuntimeException or CmdletInvocationException or ParameterBindingException or InvalidOperationException)
        {
            WriteVerbose($"AWS.Tools.ECR could not provide a token ({e.GetType().Name}); using DockOpt's built-in AWS credential chain.");
            return null;
        }
    }

    protected override void ProcessRecord()
    {
        if (_target == null || _tags == null || _auth == null) return;
        var names = Name.Where(n => !string.IsNullOrWhiteSpace(n)).ToList();
        if (names.Any(WildcardPattern.ContainsWildcardCharacters))
            RunPerItem(async ct => names = await ExpandImageNamesAsync(names, e =>
            {
                Error(e);
                lock (_notPublished) _notPublished.Add(e.Target?.ToString() ?? e.Message);
            }, ct).ConfigureAwait(false));
        if (MultiPlatform)
        {
            _platformImages.AddRange(names.Where(n => !_platformImages.Contains(n, StringComparer.Ordinal)));
            return;
        }
        foreach (var name in names)
        {
            var published = false;
            RunPerItem(async ct =>
            {
                if (_publisher == null)
                {
                    var engine = await GetEngineAsync(ct).ConfigureAwait(false);
                    _publisher = new ImagePublisher(engine, NewOptions(), this);
                }
                var results = await _publisher.PublishAsync(name, ct).ConfigureAwait(false);
                lock (_results) _results.AddRange(results);
                published = true;
            });
            if (!published) _notPublished.Add(name);
        }
    }

    PublishOptions NewOptions() => new()
    {
        Target = _target!,
        Tags = _tags!,
        Auth = _auth!,
        Retry = _auth!.Retry,
        CreateRepository = CreateRepository,
        RepositorySettings = new EcrRepositorySettings
        {
            ImageTagMutability = ImageTagMutability?.ToUpperInvariant(),
            ScanOnPush = ScanOnPush.IsPresent ? true : null,
            EncryptionType = EncryptionType?.ToUpperInvariant(),
            KmsKey = KmsKey,
        },
        WaitForScan = WaitForScan || FailOn != null,
        ScanTimeout = ScanTimeout,
        ScanPollInterval = ScanPollInterval,
        KeepLocalTags = KeepLocalTag,
    };

    protected override void EndProcessing()
    {
        base.EndProcessing();
        if (MultiPlatform && _target != null && _tags != null && _auth != null && _platformImages.Count > 0)
        {
            Run(async ct =>
            {
                var engine = await GetEngineAsync(ct).ConfigureAwait(false);
                var results = await new IndexPublisher(engine, NewOptions(), this).PublishAsync(_platformImages, ct).ConfigureAwait(false);
                lock (_results) _results.AddRange(results);
            });
        }
        if (FailOn is not { } failOn) return;
        var e = ScanGate.Evaluate(_results, failOn, _notPublished);
        if (e != null) ThrowTerminatingError(ToErrorRecord(e));
    }
}
